// The WebAssembly kernels of the convolution layers (the forward convolution on one or two threads,
// per-channel bias and its gradient, max pooling forward and backward) against their TypeScript
// references in kernels/conv.ts, over random plans, both float dtypes, with NaN and ties among the
// pooled values.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addChannelBias,
  type Buf,
  convBackwardInput,
  convBackwardWeight,
  convForward,
  kernelsReady,
  maxPool,
  maxPoolBackward,
  setKernels,
  setNumThreads,
  sumChannels,
} from '../../src/kernels/index';
import {
  addChannelBiasWasm,
  convBackwardWasm,
  convForwardWasm,
  maxPoolBackwardWasm,
  maxPoolWasm,
  sumChannelsWasm,
} from '../../src/kernels/wasm/conv';
import { convPlan, poolPlan } from '../../src/plans/conv';
import { Rng } from '../../src/rng';
import { viaTs } from './via-ts';

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

function random(f64: boolean, n: number, rng: Rng, levels = 0): Buf {
  const x = f64 ? new Float64Array(n) : new Float32Array(n);
  // with `levels`, values repeat (ties in a window) and one in 50 is NaN
  for (let i = 0; i < n; i++) {
    x[i] =
      levels > 0 ? (rng.uniform(0, 1) < 0.02 ? Number.NaN : Math.floor(rng.uniform(0, levels))) : rng.uniform(-1, 1);
  }
  return x;
}

describe.skipIf(!wasmOn)('WebAssembly convolution-layer kernels', () => {
  beforeAll(() => setKernels('wasm'));

  it('channel bias and its gradient equal the TypeScript loops bit for bit', () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 4 }),
      channels: fc.integer({ min: 1, max: 6 }),
      inner: fc.integer({ min: 1, max: 50 }),
      f64: fc.boolean(),
      accumulate: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ batch, channels, inner, f64, accumulate, seed }) => {
        const rng = new Rng(seed);
        const y = random(f64, batch * channels * inner, rng);
        const bias = random(f64, channels, rng);
        const want = y.slice();
        viaTs(() => addChannelBias(batch, channels, inner, bias, want));
        const got = y.slice();
        addChannelBiasWasm(batch, channels, inner, bias, got);
        expect(got).toEqual(want);
        const gb0 = random(f64, channels, rng);
        const wantGb = gb0.slice();
        viaTs(() => sumChannels(batch, channels, inner, y, wantGb, accumulate));
        const gotGb = gb0.slice();
        sumChannelsWasm(batch, channels, inner, y, gotGb, accumulate);
        expect(gotGb).toEqual(wantGb);
      }),
      { numRuns: 200, seed: 21 },
    );
  });

  it('max pooling forward (values and argmax, NaN and ties) and backward equal the TypeScript loops', () => {
    const arb = fc.record({
      planes: fc.integer({ min: 1, max: 4 }),
      h: fc.integer({ min: 2, max: 9 }),
      w: fc.integer({ min: 2, max: 9 }),
      k: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.integer({ min: 0, max: 1 }),
      f64: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ planes, h, w, k, stride, padding, f64, seed }) => {
        fc.pre(2 * padding <= k && k <= h + 2 * padding && k <= w + 2 * padding);
        const p = poolPlan('maxPool2d', [1, planes, h, w], k, { stride, padding });
        const rng = new Rng(seed);
        const x = random(f64, planes * h * w, rng, 4);
        const n = planes * p.outSize;
        const [wantY, gotY] = [random(f64, n, rng), random(f64, n, rng)];
        const [wantArg, gotArg] = [new Int32Array(n), new Int32Array(n)];
        viaTs(() => maxPool(p, x, wantY, wantArg));
        maxPoolWasm(p, x, gotY, gotArg);
        expect(gotY).toEqual(wantY);
        expect(gotArg).toEqual(wantArg);
        // without the argmax (inference): the same maxima from both kernels
        const [tsOnly, wasmOnly] = [random(f64, n, rng), random(f64, n, rng)];
        viaTs(() => maxPool(p, x, tsOnly, null));
        maxPoolWasm(p, x, wasmOnly, null);
        expect(tsOnly).toEqual(wantY);
        expect(wasmOnly).toEqual(wantY);
        const gy = random(f64, n, rng);
        const gx0 = random(f64, x.length, rng);
        const wantGx = gx0.slice();
        viaTs(() => maxPoolBackward(wantArg, gy, wantGx));
        const gotGx = gx0.slice();
        maxPoolBackwardWasm(gotArg, gy, gotGx);
        expect(gotGx).toEqual(wantGx);
        // writing (a fresh gradient): what gx held is not read, the result is the sum into zeros
        const intoZeros = gx0.map(() => 0);
        viaTs(() => maxPoolBackward(wantArg, gy, intoZeros));
        const [tsWrite, wasmWrite] = [gx0.slice(), gx0.slice()];
        viaTs(() => maxPoolBackward(wantArg, gy, tsWrite, false));
        maxPoolBackwardWasm(gotArg, gy, wasmWrite, false);
        expect(tsWrite).toEqual(intoZeros);
        expect(wasmWrite).toEqual(intoZeros);
      }),
      { numRuns: 200, seed: 22 },
    );
  });

  it('the 2×2 stride-2 pool (float32, no index map, four windows a vector) equals the TypeScript loop', () => {
    const arb = fc.record({
      planes: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 2, max: 9 }),
      w: fc.integer({ min: 8, max: 23 }),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ planes, h, w, seed }) => {
        const p = poolPlan('maxPool2d', [1, planes, h, w], 2, {});
        expect(p.twoByTwo).toBe(true);
        const rng = new Rng(seed);
        const x = random(false, planes * h * w, rng, 4);
        const n = planes * p.outSize;
        const [wantY, gotY] = [new Float32Array(n), new Float32Array(n)];
        const [wantArg, gotArg] = [new Int32Array(n), new Int32Array(n)];
        viaTs(() => maxPool(p, x, wantY, wantArg));
        maxPoolWasm(p, x, gotY, gotArg);
        expect(gotY).toEqual(wantY);
        expect(gotArg).toEqual(wantArg);
      }),
      { numRuns: 200, seed: 23 },
    );
    // every window of four taps from {NaN, 0, 1, 2} (4⁴ = 256: ties, NaN anywhere), side by side
    const values = [Number.NaN, 0, 1, 2];
    const windows = [...Array(256).keys()].map((i) => [0, 1, 2, 3].map((t) => values[(i >> (2 * t)) & 3] as number));
    const p = poolPlan('maxPool2d', [1, 1, 2, 2 * windows.length], 2, {});
    const x = new Float32Array(4 * windows.length);
    windows.forEach((w, o) => {
      x.set(w.slice(0, 2), 2 * o);
      x.set(w.slice(2), 2 * windows.length + 2 * o);
    });
    const [wantY, gotY] = [new Float32Array(windows.length), new Float32Array(windows.length)];
    const [wantArg, gotArg] = [new Int32Array(windows.length), new Int32Array(windows.length)];
    viaTs(() => maxPool(p, x, wantY, wantArg));
    maxPoolWasm(p, x, gotY, gotArg);
    expect(gotY).toEqual(wantY);
    expect(gotArg).toEqual(wantArg);
    // hand-checked: [1, 2, 2, 0] takes the first 2 (tap 1); [0, NaN, 2, NaN] the first NaN (tap 1)
    const at = (w: number[]) => windows.findIndex((v) => String(v) === String(w));
    expect([gotY[at([1, 2, 2, 0])], gotArg[at([1, 2, 2, 0])]]).toEqual([2, 2 * at([1, 2, 2, 0]) + 1]);
    expect(gotArg[at([0, Number.NaN, 2, Number.NaN])]).toBe(2 * at([0, Number.NaN, 2, Number.NaN]) + 1);
  });

  it('the forward convolution (im2col and gemm in WebAssembly, one or two threads) matches TypeScript', async () => {
    await kernelsReady();
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 5 }),
      groups: fc.constantFrom(1, 2),
      inPerGroup: fc.integer({ min: 1, max: 3 }),
      outPerGroup: fc.integer({ min: 1, max: 5 }),
      h: fc.integer({ min: 3, max: 12 }),
      w: fc.integer({ min: 3, max: 12 }),
      k: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 2 }),
      padding: fc.integer({ min: 0, max: 1 }),
      dilation: fc.integer({ min: 1, max: 2 }),
      f64: fc.boolean(),
      withBias: fc.boolean(),
      threads: fc.constantFrom(1, 2),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(
        arb,
        ({
          batch,
          groups,
          inPerGroup,
          outPerGroup,
          h,
          w,
          k,
          stride,
          padding,
          dilation,
          f64,
          withBias,
          threads,
          seed,
        }) => {
          fc.pre(dilation * (k - 1) + 1 <= Math.min(h, w) + 2 * padding);
          const [inC, outC] = [groups * inPerGroup, groups * outPerGroup];
          const p = convPlan('conv2d', 2, [batch, inC, h, w], [outC, inPerGroup, k, k], null, {
            stride,
            padding,
            dilation,
            groups,
          });
          const rng = new Rng(seed);
          const x = random(f64, batch * inC * h * w, rng);
          const wt = random(f64, outC * inPerGroup * k * k, rng);
          const size = batch * outC * p.outSize;
          const bias = withBias ? random(f64, outC, rng) : null;
          const want = random(f64, size, rng);
          viaTs(() => convForward(p, x, wt, want, bias));
          setNumThreads(threads);
          const got = random(f64, size, rng);
          convForwardWasm(p, x, wt, got, bias);
          setNumThreads(2);
          const tol = f64 ? 1e-12 : 1e-5;
          for (let i = 0; i < size; i++) {
            if (!(Math.abs((got[i] as number) - (want[i] as number)) <= tol * (p.colRows + 1))) {
              expect.fail(`y[${i}] = ${got[i]}, TypeScript ${want[i]}`);
            }
          }
        },
      ),
      { numRuns: 150, seed: 23 },
    );
    // large enough for threads: a batch of 8 images, 16 → 32 channels, 3×3 on 16×16
    const p = convPlan('conv2d', 2, [8, 16, 16, 16], [32, 16, 3, 3], null, { padding: 1 });
    const rng = new Rng(3);
    const x = random(false, 8 * 16 * 256, rng);
    const wt = random(false, 32 * 16 * 9, rng);
    const [one, two] = [new Float32Array(8 * 32 * 256), new Float32Array(8 * 32 * 256)];
    setNumThreads(1);
    convForwardWasm(p, x, wt, one);
    setNumThreads(2);
    await kernelsReady();
    convForwardWasm(p, x, wt, two);
    expect(two).toEqual(one); // each image on one thread: the same bits
    const want = new Float32Array(8 * 32 * 256);
    viaTs(() => convForward(p, x, wt, want));
    for (let i = 0; i < want.length; i++) expect(Math.abs((two[i] as number) - (want[i] as number))).toBeLessThan(1e-4);
  });

  it('the backward convolution (weight and input gradients, one or two threads) matches TypeScript', async () => {
    await kernelsReady();
    const check = (got: Buf, want: Buf, tol: number, what: string) => {
      for (let i = 0; i < want.length; i++) {
        if (!(Math.abs((got[i] as number) - (want[i] as number)) <= tol))
          expect.fail(`${what}[${i}] = ${got[i]}, TypeScript ${want[i]}`);
      }
    };
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 4 }),
      groups: fc.constantFrom(1, 2),
      inPerGroup: fc.integer({ min: 1, max: 3 }),
      outPerGroup: fc.integer({ min: 1, max: 4 }),
      h: fc.integer({ min: 3, max: 10 }),
      k: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 2 }),
      padding: fc.integer({ min: 0, max: 1 }),
      f64: fc.boolean(),
      threads: fc.constantFrom(1, 2),
      seed: fc.nat(),
    });
    const cases = [...fc.sample(arb, { numRuns: 100, seed: 24 })];
    // and one large enough for threads: 6 images, 8 → 16 channels, 3×3 on 16×16
    cases.push({
      batch: 6,
      groups: 1,
      inPerGroup: 8,
      outPerGroup: 16,
      h: 16,
      k: 3,
      stride: 1,
      padding: 1,
      f64: false,
      threads: 2,
      seed: 1,
    });
    for (const { batch, groups, inPerGroup, outPerGroup, h, k, stride, padding, f64, threads, seed } of cases) {
      const [inC, outC] = [groups * inPerGroup, groups * outPerGroup];
      const p = convPlan('conv2d', 2, [batch, inC, h, h], [outC, inPerGroup, k, k], null, { stride, padding, groups });
      const rng = new Rng(seed);
      const x = random(f64, batch * inC * h * h, rng);
      const wt = random(f64, outC * inPerGroup * k * k, rng);
      const gy = random(f64, batch * outC * p.outSize, rng);
      const gw0 = random(f64, wt.length, rng);
      const gx0 = random(f64, x.length, rng);
      const [wantW, wantX] = [gw0.slice(), gx0.slice()];
      viaTs(() => {
        convBackwardWeight(p, x, gy, wantW);
        convBackwardInput(p, wt, gy, wantX);
      });
      setNumThreads(threads);
      const [gotW, gotX] = [gw0.slice(), gx0.slice()];
      convBackwardWasm(p, gy, { x, gw: gotW }, null);
      convBackwardWasm(p, gy, null, { w: wt, gx: gotX });
      setNumThreads(2);
      const tol = (f64 ? 1e-12 : 2e-5) * (batch * p.outSize + outC + 1);
      check(gotW, wantW, tol, 'gw');
      check(gotX, wantX, tol, 'gx');
    }
  });
});
