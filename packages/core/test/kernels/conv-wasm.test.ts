// The WebAssembly kernels of the convolution layers (per-channel bias and its gradient, max pooling
// forward and backward) against their TypeScript references in kernels/conv.ts, over random plans,
// both float dtypes, with NaN and ties among the pooled values.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { addChannelBias, type Buf, maxPool, maxPoolBackward, setKernels, sumChannels } from '../../src/kernels/index';
import { addChannelBiasWasm, maxPoolBackwardWasm, maxPoolWasm, sumChannelsWasm } from '../../src/kernels/wasm/conv';
import { poolPlan } from '../../src/plans/conv';
import { Rng } from '../../src/rng';

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

function viaTs(f: () => void): void {
  setKernels('ts');
  try {
    f();
  } finally {
    setKernels('wasm');
  }
}

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
        const gy = random(f64, n, rng);
        const gx0 = random(f64, x.length, rng);
        const wantGx = gx0.slice();
        viaTs(() => maxPoolBackward(wantArg, gy, wantGx));
        const gotGx = gx0.slice();
        maxPoolBackwardWasm(gotArg, gy, gotGx);
        expect(gotGx).toEqual(wantGx);
      }),
      { numRuns: 200, seed: 22 },
    );
  });
});
