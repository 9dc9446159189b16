// Shared helpers for the tensor tests: seeded float64 inputs, gradcheck as an assertion, and
// naive reference implementations written as plainly as possible.
import fc from 'fast-check';
import { expect } from 'vitest';
import { gradcheck, Rng, type Tensor, tensor } from '../../src/index';

export const rng = new Rng(2024);

/** A float64 tensor with entries uniform in [lo, hi), requiring grad. */
export function rand64(shape: number[], lo = -2, hi = 2, r: Rng = rng): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = r.uniform(lo, hi);
  return tensor(data, { shape, requiresGrad: true });
}

export function expectGradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], atol = 1e-6, rtol = 1e-5): void {
  const report = gradcheck(fn, inputs, { atol, rtol });
  expect(report.ok, report.message).toBe(true);
}

/** Element-wise closeness of two flat arrays. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e)) expect(a).toBeNaN();
    else expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}

/** Row-major multi-index of flat index `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    idx[d] = i % n;
    i = Math.floor(i / n);
  }
  return idx;
}

/** Flat index of a multi-index, reading broadcast dims (size 1 or missing) at 0. */
export function ravelBroadcast(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  const off = idx.length - shape.length;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d] as number;
    flat = flat * n + (n === 1 ? 0 : (idx[d + off] as number));
  }
  return flat;
}

/** A random shape of 0–4 dims with sizes 1–4, and a second shape broadcastable with it. */
export const broadcastPair = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc
        .tuple(
          fc.integer({ min: 0, max: shape.length }),
          fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
        )
        .map(([drop, ones]) => shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))),
      fc.boolean(),
    ),
  )
  .map(([a, b, swap]) => (swap ? [b, a] : [a, b]) as [number[], number[]]);

/** Clears a gradient (a function, so TypeScript does not narrow `t.grad` to null afterwards). */
export function clearGrad(t: Tensor): void {
  t.grad = null;
}
