// The WebAssembly optimizer updates against their TypeScript references (kernels/optim.ts), over
// lengths around the SIMD width, every flag, random hyperparameters and both float dtypes. The
// WebAssembly loops compute in the parameters' own type (as PyTorch does), the references in
// float64 rounded at the store: they agree to a few units of the last place of each update.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  adamTs,
  type Buf,
  kernelBackend,
  setKernels,
  sgd,
  sgdMomentum,
  sgdMomentumTs,
  sgdTs,
  WASM_MIN_UPDATE,
} from '../../src/kernels/index';
import { adamWasm, sgdMomentumWasm, sgdWasm } from '../../src/kernels/wasm/optim';
import { Rng } from '../../src/rng';

function random(f64: boolean, n: number, rng: Rng, lo = -1, hi = 1): Buf {
  const x = f64 ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(lo, hi);
  return x;
}

/** Every element of `got` within `ulps` float32 (or 1e-14 float64) steps, relative to `scale`, of `want`. */
function close(got: Buf, want: Buf, scale: number, f64: boolean, what: string): void {
  const tol = (f64 ? 1e-14 : 4 * 2 ** -23) * scale;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs((got[i] as number) - (want[i] as number));
    if (!(d <= tol * Math.max(1, Math.abs(want[i] as number)))) {
      expect.fail(`${what}[${i}] = ${got[i]}, TypeScript ${want[i]}`);
    }
  }
}

// lengths around the 4 (float32) and 2 (float64) lanes, and longer ones
const length = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 3000 }));
const common = { n: length, f64: fc.boolean(), seed: fc.nat() };
const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

describe.skipIf(!wasmOn)('WebAssembly optimizer updates', () => {
  beforeAll(() => setKernels('wasm'));
  afterEach(() => setKernels('wasm'));

  it('sgd: θ − γ(g + λθ)', () => {
    const arb = fc.record({
      ...common,
      lr: fc.double({ min: 1e-4, max: 1, noNaN: true }),
      wd: fc.constantFrom(0, 1e-4, 0.1),
    });
    fc.assert(
      fc.property(arb, ({ n, f64, seed, lr, wd }) => {
        const rng = new Rng(seed);
        const theta = random(f64, n, rng);
        const g = random(f64, n, rng);
        const want = theta.slice();
        sgdTs(want, g, lr, wd);
        sgdWasm(theta, g, lr, wd);
        close(theta, want, 2, f64, 'θ');
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('sgd with momentum: first step, dampening, Nesterov', () => {
    const arb = fc.record({
      ...common,
      lr: fc.double({ min: 1e-4, max: 1, noNaN: true }),
      momentum: fc.double({ min: 0.1, max: 0.99, noNaN: true }),
      dampening: fc.constantFrom(0, 0.1),
      wd: fc.constantFrom(0, 0.01),
      nesterov: fc.boolean(),
      first: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ n, f64, seed, lr, momentum, dampening, wd, nesterov, first }) => {
        const rng = new Rng(seed);
        const theta = random(f64, n, rng);
        const g = random(f64, n, rng);
        const buf = random(f64, n, rng);
        const [wantT, wantB] = [theta.slice(), buf.slice()];
        sgdMomentumTs(wantT, g, wantB, lr, momentum, dampening, wd, nesterov, first);
        sgdMomentumWasm(theta, g, buf, lr, momentum, dampening, wd, nesterov, first);
        close(buf, wantB, 4, f64, 'b');
        close(theta, wantT, 8, f64, 'θ');
      }),
      { numRuns: 200, seed: 4 },
    );
  });

  it('adam: L2 or decoupled decay, AMSGrad, early and late steps', () => {
    const arb = fc.record({
      ...common,
      lr: fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
      wd: fc.constantFrom(0, 0.01),
      decoupled: fc.boolean(),
      amsgrad: fc.boolean(),
      t: fc.constantFrom(1, 2, 10, 1000),
    });
    fc.assert(
      fc.property(arb, ({ n, f64, seed, lr, wd, decoupled, amsgrad, t }) => {
        const rng = new Rng(seed);
        const theta = random(f64, n, rng);
        const g = random(f64, n, rng);
        const m = random(f64, n, rng, -0.1, 0.1);
        const v = random(f64, n, rng, 0, 0.01);
        const vMax = amsgrad ? random(f64, n, rng, 0, 0.01) : null;
        const want = [theta.slice(), m.slice(), v.slice(), vMax?.slice() ?? null] as const;
        adamTs(want[0], g, want[1], want[2], want[3], lr, 0.9, 0.999, 1e-8, wd, decoupled, t);
        adamWasm(theta, g, m, v, vMax, lr, 0.9, 0.999, 1e-8, wd, decoupled, t);
        close(m, want[1], 4, f64, 'm');
        close(v, want[2], 4, f64, 'v');
        if (vMax && want[3]) close(vMax, want[3], 4, f64, 'vMax');
        // θ moves by about lr per step: its error is that of the update, in units of θ's scale
        close(theta, want[0], 16, f64, 'θ');
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('the dispatchers take WebAssembly from WASM_MIN_UPDATE float elements, TypeScript otherwise', () => {
    expect(kernelBackend()).not.toBe('ts');
    const rng = new Rng(8);
    const n = WASM_MIN_UPDATE;
    // θ = 0.5, g = 3, lr = 0.1: float32 arithmetic gives fround(0.5 − fround(fround(0.1)·3)) =
    // 0.19999998807907104 in WebAssembly; float64 arithmetic rounded once gives 0.20000000298023224
    const viaWasm = new Float32Array(n).fill(0.5);
    sgd(viaWasm, new Float32Array(n).fill(3), 0.1, 0);
    expect(viaWasm[0]).toBe(0.19999998807907104);
    const small = new Float32Array(n - 1).fill(0.5);
    sgd(small, new Float32Array(n - 1).fill(3), 0.1, 0);
    expect(small[0]).toBe(0.20000000298023224);
    // mixed types and the TypeScript kernels stay in TypeScript
    const mixed = new Float32Array(n).fill(0.5);
    sgd(mixed, new Float64Array(n).fill(3), 0.1, 0);
    expect(mixed[0]).toBe(0.20000000298023224);
    setKernels('ts');
    const ts = new Float32Array(n).fill(0.5);
    sgdMomentum(ts, new Float32Array(n).fill(3), new Float32Array(n), 0.1, 0.9, 0, 0, false, true);
    expect(ts[0]).toBe(0.20000000298023224);
    const [theta, g, m, v] = [random(false, n, rng), random(false, n, rng), new Float32Array(n), new Float32Array(n)];
    const want = theta.slice();
    adamTs(want, g, m.slice(), v.slice(), null, 0.01, 0.9, 0.999, 1e-8, 0, false, 1);
    adam(theta, g, m, v, null, 0.01, 0.9, 0.999, 1e-8, 0, false, 1);
    expect(theta).toEqual(want);
  });
});
