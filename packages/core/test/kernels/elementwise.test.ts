// The WebAssembly ReLU against the TypeScript loops, bit for bit (both are exact), over lengths
// around the SIMD width, with ±0, ±∞ and NaN among the values.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { relu, reluBackward, setKernels } from '../../src/kernels/index';
import { reluBackwardWasm, reluWasm } from '../../src/kernels/wasm/elementwise';

const special = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1e-45, -1e-45];
const value = fc.oneof(fc.constantFrom(...special), fc.double({ min: -10, max: 10, noNaN: true }));
const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

/** `f` with the TypeScript kernels (the reference), then back to WebAssembly. */
function viaTs(f: () => void): void {
  setKernels('ts');
  try {
    f();
  } finally {
    setKernels('wasm');
  }
}

describe.skipIf(!wasmOn)('WebAssembly ReLU', () => {
  beforeAll(() => setKernels('wasm'));

  it('hand values: NaN passes forward, a masked gradient is 0 even where gy is NaN', () => {
    const x = Float32Array.from([-1, 0, 2, Number.NaN, -0, 3]);
    const y = new Float32Array(6);
    reluWasm(x, y);
    expect([...y]).toEqual([0, 0, 2, Number.NaN, 0, 3]);
    const gy = Float32Array.from([Number.NaN, 5, 3, 1, 7, 0.5]);
    const gx = new Float32Array(6).fill(1);
    reluBackwardWasm(x, gy, gx, true);
    expect([...gx]).toEqual([1, 1, 4, 1, 1, 1.5]);
    reluBackwardWasm(x, gy, gx, false);
    expect([...gx]).toEqual([0, 0, 3, 0, 0, 0.5]);
  });

  it('forward and backward (accumulating or not) equal the TypeScript loops bit for bit', () => {
    const arb = fc.record({
      xs: fc.array(value, { minLength: 1, maxLength: 40 }),
      gs: fc.array(value, { minLength: 40, maxLength: 40 }),
      f64: fc.boolean(),
      accumulate: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ xs, gs, f64, accumulate }) => {
        const T = f64 ? Float64Array : Float32Array;
        const n = xs.length;
        const x = T.from(xs);
        const gy = T.from(gs.slice(0, n));
        const gx0 = T.from(gs.slice(0, n).reverse());
        const want = new T(n);
        viaTs(() => relu(x, want));
        const got = new T(n);
        reluWasm(x, got);
        expect(got).toEqual(want);
        const wantGx = gx0.slice();
        viaTs(() => reluBackward(x, gy, wantGx, accumulate));
        const gx = gx0.slice();
        reluBackwardWasm(x, gy, gx, accumulate);
        expect(gx).toEqual(wantGx);
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
