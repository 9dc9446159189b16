// The planted-bug check: builds the playground once per bug of test/planted.ts, with that one bug
// in it, and runs the Chromium tests against it; a bug is caught when the suite fails. The clean
// build must pass first. Usage (from the repository root):
//   npx --yes pnpm@10 --filter @chainrule/playground planted [name…]
// PLAYGROUND_ENDURANCE_S (default 5 here) shortens the 30 s full-speed test.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLANTED } from '../test/planted';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const only = process.argv.slice(2);
const bugs = PLANTED.filter((b) => only.length === 0 || only.includes(b.name));

/** Runs the browser suite with `bug` planted; returns the names of the tests that failed. */
function run(bug: string | undefined): { ok: boolean; failed: string[] } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PLAYGROUND_ENDURANCE_S: process.env.PLAYGROUND_ENDURANCE_S ?? '5',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  if (bug) env.PLAYGROUND_PLANT = bug;
  const r = spawnSync('npx', ['vitest', 'run', 'packages/playground/test/browser.test.ts', '--reporter=verbose'], {
    cwd: repo,
    env,
    encoding: 'utf8',
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
  const out = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  const failed = [...out.matchAll(/^\s*[×✗] (.+?)(?: \d+ms)?$/gm)].map((m) => (m[1] as string).trim());
  return { ok: r.status === 0, failed };
}

const clean = run(undefined);
if (!clean.ok) {
  console.error(`the clean build fails its own tests: ${clean.failed.join('; ')}`);
  process.exit(1);
}
let caught = 0;
for (const bug of bugs) {
  const r = run(bug.name);
  if (!r.ok) caught++;
  console.log(`${r.ok ? 'MISSED' : 'caught'}  ${bug.name} (${bug.symptom})${r.ok ? '' : `: ${r.failed.join('; ')}`}`);
}
console.log(`${caught} of ${bugs.length} planted bugs caught`);
process.exit(caught === bugs.length ? 0 : 1);
