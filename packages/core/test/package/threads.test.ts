// The kernel threads as users start them, in fresh processes on the built package: a script given
// with `node --input-type=module -e` (whose flags the workers must not inherit), and threads that
// start at the first large product without kernelsReady() or setNumThreads().
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { distDir, requireBuild } from './dist';

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

/** Runs `code` (an ES module) with `node --input-type=module -e` and returns its last output line as JSON. */
function runModule(code: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

describe.skipIf(!wasmOn)('kernel threads in a fresh process (built package)', () => {
  beforeAll(() => requireBuild());

  it('start at the first large product, under --input-type=module -e, and give the bits of one thread', () => {
    const out = runModule(`
      import { kernelInfo, matmul, Rng, randn, setNumThreads } from '${distDir}index.js';
      const rng = new Rng(1);
      const a = randn([256, 256], { rng });
      const b = randn([256, 256], { rng });
      const first = matmul(a, b).data; // starts the workers; they join once up
      await new Promise((r) => setTimeout(r, 300));
      const info = kernelInfo();
      const threaded = matmul(a, b).data;
      setNumThreads(1);
      const one = matmul(a, b).data;
      const same = (x, y) => x.every((v, i) => Object.is(v, y[i]));
      console.log(JSON.stringify({ ...info, sameFirst: same(first, one), sameThreaded: same(threaded, one) }));
    `);
    expect(out.sameFirst).toBe(true);
    expect(out.sameThreaded).toBe(true);
    expect(out.threadsDisabled).toBeNull();
    const cpus = out.cpus as number;
    expect(out.numThreads).toBe(Math.min(4, cpus));
    if (cpus > 1) expect(out.liveThreads).toBe(out.numThreads);
  });
});
