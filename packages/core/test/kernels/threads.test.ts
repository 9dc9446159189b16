// The WebAssembly gemm split across worker threads (Node): the same bits as on one thread, whatever
// the transposes, accumulate flag, dtype and size; and the thread-count control.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainruleError } from '../../src/errors';
import {
  type Buf,
  gemmBatchedWasm,
  gemmTs,
  gemmWasm,
  getNumThreads,
  kernelsReady,
  setKernels,
  setNumThreads,
  THREAD_MIN_FLOPS,
} from '../../src/kernels/index';
import { cgroupCpus, kernelInfo, threadPool } from '../../src/kernels/wasm/pool';
import { KernelThreads } from '../../src/kernels/wasm/threads';
import { Rng } from '../../src/rng';

function random(f64: boolean, size: number, rng: Rng): Buf {
  const x = f64 ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

describe.skipIf(!wasmOn)('gemm on worker threads', () => {
  beforeAll(async () => {
    KernelThreads.adaptive = false; // every large product splits, however busy the machine
    setKernels('wasm');
    setNumThreads(2);
    await kernelsReady();
  });
  afterAll(() => {
    KernelThreads.adaptive = true;
    setNumThreads(2);
  });

  it('two threads are running: the pool is up and ready', () => {
    expect(getNumThreads()).toBe(2);
    expect(threadPool()?.ready()).toBe(1);
  });

  it('gives the bits of one thread (each element is summed in the same order), and matches TypeScript', () => {
    // sizes from just under to well over the threshold, odd and block-edge ones included
    const side = fc.oneof(fc.constantFrom(1, 7, 8, 9, 63, 64, 65, 100, 200, 280), fc.integer({ min: 1, max: 280 }));
    const arb = fc.record({
      m: side,
      n: side,
      k: fc.oneof(fc.constantFrom(64, 255, 256, 257), fc.integer({ min: 1, max: 300 })),
      tA: fc.boolean(),
      tB: fc.boolean(),
      accumulate: fc.boolean(),
      f64: fc.boolean(),
      seed: fc.nat(),
    });
    let shared = 0;
    fc.assert(
      fc.property(arb, ({ m, n, k, tA, tB, accumulate, f64, seed }) => {
        const rng = new Rng(seed);
        const a = random(f64, m * k, rng);
        const b = random(f64, k * n, rng);
        const c = random(f64, m * n, rng);
        const one = c.slice();
        const two = c.slice();
        const ts = c.slice();
        setNumThreads(1);
        gemmWasm(m, n, k, a, tA, b, tB, one, accumulate, 0, 0, 0);
        setNumThreads(2);
        gemmWasm(m, n, k, a, tA, b, tB, two, accumulate, 0, 0, 0);
        if (m * n * k >= 2 * THREAD_MIN_FLOPS) shared++;
        expect(two).toEqual(one);
        gemmTs(m, n, k, a, tA, b, tB, ts, accumulate);
        const tol = f64 ? 1e-12 : 1e-4;
        for (let i = 0; i < ts.length; i++) {
          if (!(Math.abs((two[i] as number) - (ts[i] as number)) <= tol * (k + 1))) {
            expect.fail(`C[${i}] = ${two[i]}, TypeScript ${ts[i]} (m=${m} n=${n} k=${k} tA=${tA} tB=${tB})`);
          }
        }
      }),
      { numRuns: 120, seed: 17 },
    );
    expect(shared).toBeGreaterThan(10); // the property did exercise the threads
  });

  it('setNumThreads(1) → (2) restarts the pool; a batched product with a repeated C sums on threads', async () => {
    setNumThreads(1);
    expect(threadPool()).toBeNull();
    setNumThreads(2);
    await kernelsReady();
    const rng = new Rng(4);
    const [m, n, k] = [256, 128, 128]; // 2 · THREAD_MIN_FLOPS: split between two threads
    expect(m * n * k).toBe(2 * THREAD_MIN_FLOPS);
    const a = random(false, 3 * m * k, rng);
    const b = random(false, k * n, rng);
    const c = new Float32Array(m * n);
    const offs = Int32Array.from([0, m * k, 2 * m * k]);
    const zero = new Int32Array(3);
    gemmBatchedWasm(m, n, k, offs, zero, zero, a, false, b, false, c, true);
    const want = new Float32Array(m * n);
    for (let t = 0; t < 3; t++) gemmTs(m, n, k, a, false, b, false, want, true, t * m * k);
    for (let i = 0; i < want.length; i++) expect(Math.abs((c[i] as number) - (want[i] as number))).toBeLessThan(1e-3);
  });

  it('setNumThreads rejects what is not a thread count, and changes nothing then', () => {
    for (const bad of [0, 1.5, -1, 65, Number.NaN, '2']) {
      expect(() => setNumThreads(bad as number)).toThrow(ChainruleError);
    }
    expect(() => setNumThreads(0)).toThrow('setNumThreads: expected an integer from 1 to 64, got 0');
    expect(() => setNumThreads(Number.NaN)).toThrow('setNumThreads: expected an integer from 1 to 64, got NaN');
    expect(() => setNumThreads('2' as unknown as number)).toThrow("got '2'");
    expect(getNumThreads()).toBe(2);
  });
});

describe('the default thread count', () => {
  it('reads a cgroup CPU quota (v2 cpu.max, or v1 quota and period), rounding down, at least 1', () => {
    expect(cgroupCpus('max 100000\n')).toBeNull();
    expect(cgroupCpus('-1 100000')).toBeNull();
    expect(cgroupCpus('200000 100000\n')).toBe(2);
    expect(cgroupCpus('150000 100000')).toBe(1);
    expect(cgroupCpus('50000 100000')).toBe(1);
    expect(cgroupCpus('400000\n100000\n')).toBe(4);
    expect(cgroupCpus('')).toBeNull();
  });

  it('kernelInfo reports the backend, the threads asked for and running, and the CPUs', () => {
    const info = kernelInfo();
    expect(Object.keys(info).sort()).toEqual(['backend', 'cpus', 'liveThreads', 'numThreads', 'threadsDisabled']);
    expect(info.numThreads).toBe(getNumThreads());
    expect(info.liveThreads).toBeGreaterThanOrEqual(1);
    expect(info.liveThreads).toBeLessThanOrEqual(info.numThreads);
    expect(info.cpus).toBeGreaterThanOrEqual(1);
  });
});
