// Faults injected into the kernel threads (Node): a product interrupted by a vm timeout or a stack
// overflow, a worker that dies or hangs, a part that throws on a worker. After each, the next
// products give the bits of one thread, nothing hangs, and a lost pool warns once.
import vm from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Buf, gemmWasm, getNumThreads, kernelsReady, setKernels, setNumThreads } from '../../src/kernels/index';
import { convBackwardWasm, convForwardWasm } from '../../src/kernels/wasm/conv';
import { kernelInfo, threadPool } from '../../src/kernels/wasm/pool';
import { KernelThreads } from '../../src/kernels/wasm/threads';
import { convPlan } from '../../src/plans/conv';
import { Rng } from '../../src/rng';

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

function random(size: number, rng: Rng): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

const rng = new Rng(20);
const [m, n, k] = [192, 160, 144]; // 4.4M multiply-adds: split into parts on two threads
const a = random(m * k, rng);
const b = random(k * n, rng);
/** Sets the thread count if it differs (setNumThreads would also re-enable a disabled pool). */
const use = (threads: number) => {
  if (getNumThreads() !== threads) setNumThreads(threads);
};
const product = (threads: number): Float32Array => {
  use(threads);
  const c = new Float32Array(m * n);
  gemmWasm(m, n, k, a, false, b, true, c, false, 0, 0, 0);
  return c;
};
// a convolution split across threads, whose weight gradient sums 8 images: 3→32 channels, 3×3
// kernel, 24×24 images (4M multiply-adds)
const plan = convPlan('conv2d', 2, [8, 3, 24, 24], [32, 3, 3, 3], null, { padding: 1 });
const x = random(8 * 3 * 24 * 24, rng);
const w = random(32 * 27, rng);
const gy = random(8 * 32 * 24 * 24, rng);
const conv = (threads: number): Buf[] => {
  use(threads);
  const y = new Float32Array(gy.length);
  convForwardWasm(plan, x, w, y);
  const gw = new Float32Array(w.length);
  const gx = new Float32Array(x.length);
  convBackwardWasm(plan, gy, { x, gw }, null);
  convBackwardWasm(plan, gy, null, { w, gx });
  return [y, gw, gx];
};

describe.skipIf(!wasmOn)('kernel threads under injected faults', () => {
  let one: Float32Array;
  let oneConv: Buf[];
  beforeAll(async () => {
    KernelThreads.adaptive = false; // every product splits, however busy the machine
    setKernels('wasm');
    one = product(1);
    oneConv = conv(1);
    setNumThreads(2);
    await kernelsReady();
  });
  afterEach(() => {
    KernelThreads.minDeadlineMs = 2000;
    vi.restoreAllMocks();
  });
  afterAll(() => {
    KernelThreads.adaptive = true;
    setNumThreads(2);
  });

  it('two threads give the bits of one thread: gemm, and the convolution with its weight gradient', async () => {
    setNumThreads(2);
    await kernelsReady();
    expect(kernelInfo().liveThreads).toBe(2);
    expect(product(2)).toEqual(one);
    expect(conv(2)).toEqual(oneConv);
    expect(conv(3)).toEqual(oneConv);
  });

  it('a vm timeout mid-product: every next product equals one thread bit for bit', async () => {
    setNumThreads(2);
    await kernelsReady();
    const context = vm.createContext({ step: () => product(2) });
    let interrupted = 0;
    for (let trial = 0; trial < 20; trial++) {
      try {
        // the timeout lands somewhere in a stream of products: setup, the caller's part, the wait
        vm.runInContext('for (;;) step();', context, { timeout: 5 + (trial % 7) });
      } catch (e) {
        expect(String(e)).toMatch(/timed out/);
        interrupted++;
      }
      expect(product(2)).toEqual(one);
      if (trial % 10 === 0) expect(conv(2)).toEqual(oneConv);
    }
    expect(interrupted).toBe(20);
    expect(kernelInfo().threadsDisabled).toBeNull();
  });

  it('a stack overflow mid-product: every next product equals one thread bit for bit', async () => {
    setNumThreads(2);
    await kernelsReady();
    // how deep plain recursion goes; then products run only in the last levels before that depth,
    // so the overflow lands inside one of them (in its setup, its parts, or its wait)
    let limit = 0;
    const probe = (d: number): number => {
      limit = d;
      return probe(d + 1) + 1;
    };
    expect(() => probe(0)).toThrow(RangeError);
    let overflowed = 0;
    for (let trial = 0; trial < 60; trial++) {
      const from = limit - 40 - (trial % 50);
      const deep = (d: number): number => {
        if (d >= from) product(2);
        return deep(d + 1) + 1;
      };
      try {
        deep(0);
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
        overflowed++;
      }
      const c = product(2);
      if (!c.every((v, i) => Object.is(v, one[i])))
        expect.fail(`trial ${trial}: the product after an overflow differs`);
    }
    expect(overflowed).toBe(60);
    expect(conv(2)).toEqual(oneConv);
    expect(kernelInfo().threadsDisabled).toBeNull();
  });

  it('a worker that dies: no hang, the right result, one warning, then one thread until setNumThreads', async () => {
    setNumThreads(2);
    await kernelsReady();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    KernelThreads.minDeadlineMs = 300;
    for (let trial = 0; trial < 3; trial++) {
      setNumThreads(1);
      setNumThreads(2);
      await kernelsReady();
      const pool = threadPool();
      expect(pool?.ready()).toBe(1);
      await pool?.terminateWorker(1); // the worker is gone between two products
      expect(product(2)).toEqual(one);
      expect(kernelInfo().threadsDisabled).toBe('kernel thread 1 stopped');
      expect(kernelInfo().liveThreads).toBe(1);
      expect(conv(2)).toEqual(oneConv);
    }
    // one warning per lost pool, and the result was always right
    expect(warn).toHaveBeenCalledTimes(3);
    for (const [message] of warn.mock.calls) expect(String(message)).toMatch(/kernel threads disabled/);
  });

  it('a worker killed while it holds a part: the call is recomputed alone, bit for bit, with one warning', async () => {
    setNumThreads(2);
    await kernelsReady();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    KernelThreads.minDeadlineMs = 300;
    const pool = threadPool() as KernelThreads;
    // a part that never ends on the worker: gemm over k = 2³¹ − 1 with zero leading dimensions
    // reads the same row forever; the caller's own part is an ordinary one
    const hang = [4, 8, 2 ** 31 - 1, 0, 0, 1, 0, 0, 0, 4096, 8, 0, 8192];
    const start = performance.now();
    let failed: unknown = null;
    // both parts are that part, and the caller's (whichever it claims, it does not compute it)
    // lasts until the worker has claimed the other: whichever thread is first, the worker hangs
    try {
      const here = () => {
        const t = performance.now();
        while (pool.claimed() < 2 && performance.now() - t < 5000);
      };
      pool.runParts('gemmF32', 2, () => hang, here, { args: [12], stride: 65536 });
    } catch (e) {
      failed = e;
    }
    expect(String(failed)).toMatch(/took over \d+ ms on a worker/);
    expect(performance.now() - start).toBeLessThan(20_000);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(kernelInfo().threadsDisabled).toMatch(/took over/);
    expect(kernelInfo().liveThreads).toBe(1);
    expect(product(2) === null).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    // threads stay off (one thread's bits) until setNumThreads turns them on again
    setNumThreads(2);
    await kernelsReady();
    expect(kernelInfo().threadsDisabled).toBeNull();
    expect(kernelInfo().liveThreads).toBe(2);
    expect(product(2)).toEqual(one);
  });

  it('gemm through the public dispatch survives a dead worker mid-call (the lost job is recomputed)', async () => {
    setNumThreads(2);
    await kernelsReady();
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    KernelThreads.minDeadlineMs = 200;
    const pool = threadPool() as KernelThreads;
    // terminate() lands while the next products run: whether the worker dies before, during or
    // after its part, every product is whole and equal to one thread's
    const dying = pool.terminateWorker(1);
    for (let i = 0; i < 10; i++) expect(product(2)).toEqual(one);
    await dying;
    for (let i = 0; i < 3; i++) expect(product(2)).toEqual(one);
    setNumThreads(2);
  });
});
