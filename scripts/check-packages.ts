// Tries the published packages as a user would, outside the workspace: packs them with pnpm, checks
// what the tarballs hold and what they weigh (BUDGETS), lints them with publint and
// @arethetypeswrong/cli, installs them with npm in a fresh project, imports them under ESM and
// CommonJS, type-checks a program against them under every module resolution, and checks that npm
// refuses to pack a workspace: range. Run with `pnpm check:packages` (builds first); .ci/run runs it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/**
 * The most each packed tarball may weigh (bytes, gzipped .tgz). A tarball is `dist/` only: the
 * ESM and CJS builds, unminified and readable, and their types; no source maps, no `src/`.
 */
const BUDGETS = { core: 300_000, nn: 170_000 } as const; // nn 152.6 kB after PyTorch parity, round two
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const attw = join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js');
const work = mkdtempSync(join(tmpdir(), 'chainrule-packages-'));
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const step = (what: string) => console.log(`✓ ${what}`);
const fail = (what: string): never => {
  throw new Error(`check:packages: ${what}`);
};

try {
  const tarballs = { core: '', nn: '' };
  for (const pkg of ['core', 'nn'] as const) {
    const out = run('npx', ['--yes', 'pnpm@10', 'pack', '--pack-destination', work], join(root, 'packages', pkg));
    const tgz = out.trim().split('\n').at(-1) ?? '';
    if (!tgz.endsWith('.tgz')) fail(`pnpm pack in packages/${pkg} printed no tarball:\n${out}`);
    tarballs[pkg] = tgz;
    const files = run('tar', ['-tzf', tgz], work)
      .split('\n')
      .filter((f) => f !== '');
    for (const f of ['README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts']) {
      if (!files.includes(`package/${f}`)) fail(`${tgz} has no ${f}`);
    }
    const extra = files.filter(
      (f) => !/^package\/(dist\/.*\.(c?js|d\.c?ts)|README\.md|LICENSE|package\.json)$/.test(f),
    );
    if (extra.length > 0) fail(`${tgz} ships more than dist/, README, LICENSE and package.json: ${extra.join(', ')}`);
    const manifest = run('tar', ['-xzOf', tgz, 'package/package.json'], work);
    if (manifest.includes('workspace:')) fail(`${tgz} still has a workspace: range`);
    // the workspace's own condition (tests and the playground read src/) and scripts stay at home
    if (manifest.includes('@chainrule/source')) fail(`${tgz} still has the @chainrule/source export condition`);
    if (manifest.includes('build:wasm')) fail(`${tgz} still has the build:wasm script`);
    const { repository, homepage, bugs } = JSON.parse(manifest);
    if (repository?.directory !== `packages/${pkg}` || !homepage || !bugs?.url) {
      fail(`${tgz} lacks repository (with directory), homepage or bugs`);
    }
    const bytes = readFileSync(tgz).length;
    if (bytes > BUDGETS[pkg]) fail(`${tgz} weighs ${bytes} bytes, over its budget of ${BUDGETS[pkg]}`);
    step(
      `@chainrule/${pkg}: ${tgz.split('/').at(-1)} (${(bytes / 1000).toFixed(1)} kB packed, budget ` +
        `${BUDGETS[pkg] / 1000} kB; ${files.length} files)`,
    );
    // publint: the manifest against the files (exports, types, formats); warnings count as errors
    try {
      run(process.execPath, [join(root, 'node_modules/publint/src/cli.js'), 'run', '--strict', tgz], work);
    } catch (e) {
      fail(`publint on ${tgz}:\n${(e as { stdout?: string }).stdout}`);
    }
    // attw on the tarball pnpm made (`attw --pack` would run npm pack, which prepack refuses for nn)
    try {
      run(process.execPath, [attw, tgz, '--format', 'ascii', '--no-emoji', '--no-color'], work);
    } catch (e) {
      fail(`@arethetypeswrong/cli on ${tgz}:\n${(e as { stdout?: string }).stdout}`);
    }
    step(`@chainrule/${pkg}: publint (strict) and @arethetypeswrong/cli (node10, node16 CJS/ESM, bundler) pass`);
  }
  const coreVersion = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).version;
  const nnManifest = JSON.parse(run('tar', ['-xzOf', tarballs.nn, 'package/package.json'], work));
  if (nnManifest.dependencies['@chainrule/core'] !== `^${coreVersion}`) {
    fail(`@chainrule/nn packs its core range as ${nnManifest.dependencies['@chainrule/core']}, not ^${coreVersion}`);
  }
  step(`@chainrule/nn depends on @chainrule/core ^${coreVersion} (a caret range, no workspace:)`);

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarballs.core, tarballs.nn], app);
  for (const pkg of ['core', 'nn']) {
    const readme = readFileSync(join(app, `node_modules/@chainrule/${pkg}/README.md`), 'utf8');
    if (!readme.startsWith(`# @chainrule/${pkg}`)) fail(`the installed @chainrule/${pkg} shows no README`);
  }
  step('npm install of both tarballs in a fresh project; each shows its README');

  const program = `
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const model = new MLP(2, [4, 1], { rng: new Rng(0) });
const y = model.forward(x);
if (!(y instanceof Tensor) || y.shape.join() !== '4,1') throw new Error('bad output ' + String(y));
if (typeof saveCheckpoint !== 'function') throw new Error('no @chainrule/nn/node');
console.log(String(y.sum().detach()));
`;
  writeFileSync(
    join(app, 'esm.mjs'),
    `import { Rng, Tensor, tensor } from '@chainrule/core';\nimport { MLP } from '@chainrule/nn';\nimport { saveCheckpoint } from '@chainrule/nn/node';\n${program}`,
  );
  writeFileSync(
    join(app, 'cjs.cjs'),
    `const { Rng, Tensor, tensor } = require('@chainrule/core');\nconst { MLP } = require('@chainrule/nn');\nconst { saveCheckpoint } = require('@chainrule/nn/node');\n${program}`,
  );
  const esm = run(process.execPath, ['esm.mjs'], app).trim();
  const cjs = run(process.execPath, ['cjs.cjs'], app).trim();
  if (esm !== cjs || !esm.startsWith('tensor(')) fail(`ESM printed ${esm}, CJS printed ${cjs}`);
  step(`import (ESM) and require (CJS) run and agree: ${esm}`);

  const typed = `import { Rng, type Tensor, tensor } from '@chainrule/core';\nimport { MLP, crossEntropyLoss } from '@chainrule/nn';\nimport { saveCheckpoint } from '@chainrule/nn/node';\nconst model = new MLP(2, [4, 2], { rng: new Rng(0) });\nconst out: Tensor = crossEntropyLoss(model.forward(tensor([[0, 1]])), [1]);\nexport const loss: number = out.item();\nexport const save: typeof saveCheckpoint = saveCheckpoint;\n`;
  writeFileSync(join(app, 'main.ts'), typed);
  writeFileSync(join(app, 'main.mts'), typed);
  const settings: [string, string][] = [
    // main.ts is CommonJS under node16/nodenext (require), main.mts ESM (import)
    ['nodenext', 'nodenext'],
    ['node16', 'node16'],
    ['esnext', 'bundler'],
    ['commonjs', 'node10'],
  ];
  for (const [module, resolution] of settings) {
    // @types/node from the workspace: a Node project has it; the fresh one has nothing else installed.
    const types = ['--typeRoots', join(root, 'node_modules/@types'), '--types', 'node'];
    const args = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', ...types];
    try {
      const files = resolution === 'node10' ? ['main.ts'] : ['main.ts', 'main.mts'];
      run(process.execPath, [tsc, ...args, '--module', module, '--moduleResolution', resolution, ...files], app);
    } catch (e) {
      fail(`tsc --module ${module} --moduleResolution ${resolution}:\n${(e as { stdout?: string }).stdout}`);
    }
  }
  step(`tsc type-checks a program against the installed packages (${settings.map((s) => s[1]).join(', ')})`);

  let refused = false;
  try {
    run('npm', ['pack', '--pack-destination', work], join(root, 'packages/nn'));
  } catch (e) {
    refused = String((e as { stderr?: string }).stderr).includes('workspace:');
  }
  if (!refused) fail('npm pack of @chainrule/nn was not refused');
  step('npm pack of @chainrule/nn is refused (it would ship workspace:^)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
