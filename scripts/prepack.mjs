// Runs before `pack`/`publish` of a published package (its "prepack" script). Only pnpm rewrites
// the `workspace:^` ranges of sibling packages into real ones (`^0.1.0`) in the tarball; npm and
// yarn would ship `workspace:^`, which no one can install. So anything but pnpm stops here.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

// The package manager running this script sets npm_execpath to its own entry (pnpm.cjs, npm-cli.js);
// npm_config_user_agent would not do, since npm inherits it from a pnpm script that calls npm.
const runByPnpm = basename(process.env.npm_execpath ?? '').startsWith('pnpm');
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const workspaceDeps = Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })
  .filter(([, range]) => String(range).startsWith('workspace:'))
  .map(([name, range]) => `${name}@${range}`);
if (workspaceDeps.length > 0 && !runByPnpm) {
  console.error(
    `${manifest.name}: ${workspaceDeps.join(', ')} would be packed as is, and cannot be installed.\n` +
      'Pack and publish with pnpm (`pnpm pack`, `pnpm publish -r`), which rewrites workspace: ranges.',
  );
  process.exit(1);
}
