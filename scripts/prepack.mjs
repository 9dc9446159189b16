// Runs before `pack`/`publish` of a published package (its "prepack" script). Only pnpm rewrites
// the `workspace:^` ranges of sibling packages into real ones (`^0.1.0`) in the tarball; npm and
// yarn would ship `workspace:^`, which no one can install. So anything but pnpm stops here.
import { readFileSync } from 'node:fs';

const agent = process.env.npm_config_user_agent ?? '';
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const workspaceDeps = Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })
  .filter(([, range]) => String(range).startsWith('workspace:'))
  .map(([name, range]) => `${name}@${range}`);
if (workspaceDeps.length > 0 && !agent.startsWith('pnpm/')) {
  console.error(
    `${manifest.name}: ${workspaceDeps.join(', ')} would be packed as is, and cannot be installed.\n` +
      'Pack and publish with pnpm (`pnpm pack`, `pnpm publish -r`), which rewrites workspace: ranges.',
  );
  process.exit(1);
}
