// The WebAssembly ReLU against the TypeScript loops, bit for bit (both are exact), over lengths
// around the SIMD width, with ±0, ±∞ and NaN among the values.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addRowVector,
  gelu,
  geluBackward,
  gemmBias,
  gemmTs,
  relu,
  reluBackward,
  setKernels,
  sigmoid,
  sumRows,
  tanh,
} from '../../src/kernels/index';
import {
  geluBackwardWasm,
  geluWasm,
  reluBackwardWasm,
  reluWasm,
  sumRowsWasm,
  unaryWasm,
} from '../../src/kernels/wasm/elementwise';
import { Rng } from '../../src/rng';
import { viaTs } from './via-ts';

const special = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1e-45, -1e-45];
const value = fc.oneof(fc.constantFrom(...special), fc.double({ min: -10, max: 10, noNaN: true }));
const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

/** a[i] of a typed array, typed as a number (the loop bounds guarantee the index). */
const at = (a: ArrayLike<number>, i: number): number => a[i] as number;

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

  it('bias column sums (sumRows) and the bias-first gemm (gemmBias) match the TypeScript kernels', () => {
    const arb = fc.record({
      rows: fc.integer({ min: 1, max: 70 }),
      n: fc.integer({ min: 1, max: 70 }),
      k: fc.integer({ min: 1, max: 300 }),
      f64: fc.boolean(),
      accumulate: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ rows, n, k, f64, accumulate, seed }) => {
        const T = f64 ? Float64Array : Float32Array;
        const rng = new Rng(seed);
        const rand = (size: number) => {
          const r = new T(size);
          for (let i = 0; i < size; i++) r[i] = rng.uniform(-1, 1);
          return r;
        };
        const x = rand(rows * n);
        const out0 = rand(n);
        const want = out0.slice();
        viaTs(() => sumRows(rows, n, x, want, accumulate));
        const got = out0.slice();
        sumRowsWasm(rows, n, x, got, accumulate);
        const tol = f64 ? 1e-13 : 1e-5;
        for (let j = 0; j < n; j++)
          expect(Math.abs((got[j] as number) - (want[j] as number))).toBeLessThan(tol * (rows + 1));
        // C = x·Wᵀ + b, the forward of linear, against the product then the bias in TypeScript
        const a = rand(rows * k);
        const w = rand(n * k);
        const bias = rand(n);
        const c = new T(rows * n);
        gemmBias(rows, n, k, a, false, w, true, bias, c);
        const ref = new T(rows * n);
        gemmTs(rows, n, k, a, false, w, true, ref, false);
        addRowVector(rows, n, bias, ref);
        for (let i = 0; i < ref.length; i++)
          expect(Math.abs((c[i] as number) - (ref[i] as number))).toBeLessThan(tol * (k + 1));
      }),
      { numRuns: 150, seed: 13 },
    );
  });
});

describe.skipIf(!wasmOn)('WebAssembly float32 GELU', () => {
  beforeAll(() => setKernels('wasm'));

  it('forward and backward equal the TypeScript float32 kernels within one float32 rounding, odd lengths too', () => {
    const arb = fc.record({
      xs: fc.array(fc.oneof(fc.constantFrom(...special), fc.double({ min: -40, max: 40, noNaN: true })), {
        minLength: 1,
        maxLength: 41,
      }),
      gs: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 41, maxLength: 41 }),
    });
    fc.assert(
      fc.property(arb, ({ xs, gs }) => {
        const n = xs.length;
        const x = Float32Array.from(xs);
        const gy = Float32Array.from(gs.slice(0, n));
        const gx0 = Float32Array.from(gs.slice(0, n).reverse());
        const want = new Float32Array(n);
        viaTs(() => gelu(x, want));
        const got = new Float32Array(n);
        geluWasm(x, got);
        const wantGx = gx0.slice();
        viaTs(() => geluBackward(x, gy, wantGx));
        const gx = gx0.slice();
        geluBackwardWasm(x, gy, gx);
        // one float32 ulp of the larger magnitude (both round the same float64 formula once; the
        // exps differ by < 1e-9 relative); NaN where the TypeScript loop gives NaN (x = −∞)
        const close = (a: number, b: number, scale: number) =>
          Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= 1.2e-7 * scale;
        for (let i = 0; i < n; i++) {
          expect(close(at(got, i), at(want, i), Math.abs(at(want, i)))).toBe(true);
          const terms = Math.abs(at(gx0, i)) + Math.abs(at(gy, i)) * (1 + Math.abs(at(x, i)));
          expect(close(at(gx, i), at(wantGx, i), terms)).toBe(true);
        }
      }),
      { numRuns: 300, seed: 21 },
    );
  });

  it('hand values: GELU(1) = Φ(1) = 0.8413447460685429 and GELU(−3) = −3·Φ(−3) (Python math.erfc), ±∞ as PyTorch', () => {
    const x = Float32Array.from([1, -3, 0, Number.POSITIVE_INFINITY]);
    const y = new Float32Array(4);
    geluWasm(x, y);
    expect(Math.abs(at(y, 0) - 0.8413447460685429)).toBeLessThan(1.2e-7);
    expect(Math.abs(at(y, 1) - -3 * 0.0013498980316300957)).toBeLessThan(1.2e-7 * 3 * 0.00135);
    expect(y[2]).toBe(0);
    expect(y[3]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe.skipIf(!wasmOn)('WebAssembly float32 sigmoid and tanh', () => {
  beforeAll(() => setKernels('wasm'));

  it('equal the TypeScript loops (Math.exp, Math.tanh) within one float32 rounding, tiny and huge values too', () => {
    const tiny = [1e-30, -1e-20, 1e-5, -9e-5, 1.1e-4, 3e-38];
    const arb = fc.array(
      fc.oneof(
        fc.constantFrom(...special, ...tiny),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
      ),
      { minLength: 1, maxLength: 41 },
    );
    fc.assert(
      fc.property(arb, (xs) => {
        const x = Float32Array.from(xs);
        for (const op of ['sigmoid', 'tanh'] as const) {
          const want = new Float32Array(x.length);
          viaTs(() => (op === 'sigmoid' ? sigmoid : tanh)(x, want));
          const got = new Float32Array(x.length);
          unaryWasm(op, x, got);
          for (let i = 0; i < x.length; i++) {
            const w = at(want, i);
            const ok = Number.isNaN(w) ? Number.isNaN(at(got, i)) : Math.abs(at(got, i) - w) <= 1.2e-7 * Math.abs(w);
            if (!ok) throw new Error(`${op}(${x[i]}): wasm ${got[i]}, TypeScript ${w}`);
          }
        }
      }),
      { numRuns: 300, seed: 22 },
    );
  });
});
