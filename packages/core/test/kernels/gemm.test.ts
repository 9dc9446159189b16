import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/index';
import { type Buf, gemm } from '../../src/kernels/index';

/** The specification: C (+)= op(A)·op(B), the most obvious triple loop. */
function reference(
  m: number,
  n: number,
  k: number,
  a: Buf,
  tA: boolean,
  b: Buf,
  tB: boolean,
  c: Float64Array,
  acc: boolean,
  ao = 0,
  bo = 0,
  co = 0,
) {
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = acc ? (c[co + i * n + j] as number) : 0;
      for (let p = 0; p < k; p++)
        s += (a[ao + (tA ? p * m + i : i * k + p)] as number) * (b[bo + (tB ? j * k + p : p * n + j)] as number);
      c[co + i * n + j] = s;
    }
}

const rng = new Rng(31);
const fill = (buf: Buf) => {
  for (let i = 0; i < buf.length; i++) buf[i] = rng.uniform(-1, 1);
  return buf;
};

describe('gemm', () => {
  it('matches the triple loop for random sizes, every transpose pair, accumulate and offsets (float64)', () => {
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 11 }),
      n: fc.integer({ min: 1, max: 11 }),
      k: fc.integer({ min: 1, max: 11 }),
      tA: fc.boolean(),
      tB: fc.boolean(),
      acc: fc.boolean(),
      ao: fc.integer({ min: 0, max: 3 }),
      bo: fc.integer({ min: 0, max: 3 }),
      co: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(arb, ({ m, n, k, tA, tB, acc, ao, bo, co }) => {
        const a = fill(new Float64Array(ao + m * k));
        const b = fill(new Float64Array(bo + k * n));
        const c = fill(new Float64Array(co + m * n + 2));
        const want = Float64Array.from(c);
        gemm(m, n, k, a, tA, b, tB, c, acc, ao, bo, co);
        reference(m, n, k, a, tA, b, tB, want, acc, ao, bo, co);
        for (let i = 0; i < c.length; i++) {
          expect(Math.abs((c[i] as number) - (want[i] as number))).toBeLessThanOrEqual(
            1e-12 * Math.max(1, Math.abs(want[i] as number)),
          );
        }
      }),
      { numRuns: 400, seed: 17 },
    );
  });

  it('float32: matches the float64 reference to float32 precision at a size past the 4×4 tiles', () => {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const m = 37;
      const n = 29;
      const k = 45;
      const a = fill(new Float32Array(m * k));
      const b = fill(new Float32Array(k * n));
      const c = new Float32Array(m * n);
      const want = new Float64Array(m * n);
      gemm(m, n, k, a, tA, b, tB, c, false);
      reference(m, n, k, a, tA, b, tB, want, false);
      for (let i = 0; i < c.length; i++) expect(Math.abs((c[i] as number) - (want[i] as number))).toBeLessThan(1e-4);
    }
  });

  it('adjoint: ⟨A·B, G⟩ = ⟨A, G·Bᵀ⟩ = ⟨B, Aᵀ·G⟩ using only the transpose flags', () => {
    const [m, n, k] = [13, 9, 17];
    const a = fill(new Float64Array(m * k));
    const b = fill(new Float64Array(k * n));
    const g = fill(new Float64Array(m * n));
    const y = new Float64Array(m * n);
    const ga = new Float64Array(m * k);
    const gb = new Float64Array(k * n);
    gemm(m, n, k, a, false, b, false, y, false);
    gemm(m, k, n, g, false, b, true, ga, false);
    gemm(k, n, m, a, true, g, false, gb, false);
    const dot = (x: Buf, z: Buf) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += (x[i] as number) * (z[i] as number);
      return s;
    };
    const lhs = dot(y, g);
    expect(Math.abs(lhs - dot(a, ga)) / Math.abs(lhs)).toBeLessThan(1e-12);
    expect(Math.abs(lhs - dot(b, gb)) / Math.abs(lhs)).toBeLessThan(1e-12);
  });

  it('k = 0 gives zeros (or leaves C when accumulating); m or n = 0 touches nothing', () => {
    const c = new Float64Array([5, 5, 5, 5]);
    gemm(2, 2, 0, new Float64Array(0), false, new Float64Array(0), false, c, true);
    expect(Array.from(c)).toEqual([5, 5, 5, 5]);
    gemm(2, 2, 0, new Float64Array(0), false, new Float64Array(0), false, c, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
  });
});
