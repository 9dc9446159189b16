// gemm against the most obvious triple loop, over random shapes, transposes, accumulate flags,
// offsets and both dtypes; then the adjoint identities that matmul's backward relies on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Buf, gemm, gemmBias, gemmReference } from '../../src/kernels/index';
import { Rng } from '../../src/rng';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** The specification: C[i,j] = Σ_p op(A)[i,p]·op(B)[p,j] in float64, with Σ|terms| alongside. */
function reference(m: number, n: number, k: number, a: Buf, tA: boolean, b: Buf, tB: boolean) {
  const c = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) {
        const v = (a[tA ? p * m + i : i * k + p] as number) * (b[tB ? j * k + p : p * n + j] as number);
        c[i * n + j] = (c[i * n + j] as number) + v;
        scale[i * n + j] = (scale[i * n + j] as number) + Math.abs(v);
      }
  return { c, scale };
}

function random(Type: Ctor, size: number, rng: Rng): Buf {
  const x = new Type(size);
  for (let i = 0; i < size; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

/** `x` placed at `offset` inside a buffer of guard values (7), with `pad` more after it. */
function embed(Type: Ctor, x: Buf, offset: number, pad: number): Buf {
  const buf = new Type(offset + x.length + pad).fill(7);
  buf.set(x, offset);
  return buf;
}

// 1..13 covers every remainder of the 4×4 tiles; 14..70 crosses several tiles
const dim = fc.oneof(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 14, max: 70 }));

describe('gemm', () => {
  it('gemmReference (the definition F13 cites): hand values for every transpose, and with accumulate', () => {
    // A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [2, −1]]: A·B = [[7, −1], [16, −1]]
    const A = [1, 2, 3, 4, 5, 6];
    const At = [1, 4, 2, 5, 3, 6]; // Aᵀ stored 3×2
    const B = [1, 0, 0, 1, 2, -1];
    const Bt = [1, 0, 2, 0, 1, -1]; // Bᵀ stored 2×3
    for (const [a, tA, b, tB] of [
      [A, false, B, false],
      [At, true, B, false],
      [A, false, Bt, true],
      [At, true, Bt, true],
    ] as const) {
      const c = new Float64Array([9, 9, 9, 9]);
      gemmReference(2, 2, 3, Float64Array.from(a), tA, Float64Array.from(b), tB, c, false);
      expect(Array.from(c)).toEqual([7, -1, 16, -1]);
      gemmReference(2, 2, 3, Float64Array.from(a), tA, Float64Array.from(b), tB, c, true);
      expect(Array.from(c)).toEqual([14, -2, 32, -2]);
    }
  });

  it('gemm equals gemmReference bit for bit on small float64 integer products', () => {
    const rng = new Rng(3);
    for (const [m, n, k] of [
      [1, 1, 1],
      [3, 5, 7],
      [13, 9, 4],
      [16, 16, 16],
    ] as const) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const a = Float64Array.from({ length: m * k }, () => rng.int(19) - 9);
          const b = Float64Array.from({ length: k * n }, () => rng.int(19) - 9);
          const want = new Float64Array(m * n);
          const got = new Float64Array(m * n);
          gemmReference(m, n, k, a, tA, b, tB, want, false);
          gemm(m, n, k, a, tA, b, tB, got, false);
          expect(Array.from(got)).toEqual(Array.from(want)); // integer sums are exact in any order
        }
      }
    }
  });

  it('matches the triple loop: all transposes, accumulate, offsets, float32 and float64', () => {
    const arb = fc.record({
      m: dim,
      n: dim,
      k: dim,
      tA: fc.boolean(),
      tB: fc.boolean(),
      accumulate: fc.boolean(),
      offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
      f64: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ m, n, k, tA, tB, accumulate, offsets: [ao, bo, co], f64, seed }) => {
        const Type = f64 ? Float64Array : Float32Array;
        const rng = new Rng(seed);
        const a = random(Type, m * k, rng);
        const b = random(Type, k * n, rng);
        const c0 = random(Type, m * n, rng);
        const A = embed(Type, a, ao, 3);
        const B = embed(Type, b, bo, 3);
        const C = embed(Type, c0, co, 3);
        gemm(m, n, k, A, tA, B, tB, C, accumulate, ao, bo, co);
        const { c, scale } = reference(m, n, k, a, tA, b, tB);
        // relative to Σ|terms|: float64 rounding only; float32 also stores partial sums in C
        const tol = f64 ? 1e-12 : 1e-5;
        for (let i = 0; i < m * n; i++) {
          const want = (accumulate ? (c0[i] as number) : 0) + (c[i] as number);
          const bound = tol * ((scale[i] as number) + Math.abs(c0[i] as number));
          if (!(Math.abs((C[co + i] as number) - want) <= bound)) {
            expect.fail(`C[${i}] = ${C[co + i]}, want ${want} (m=${m} n=${n} k=${k} tA=${tA} tB=${tB})`);
          }
        }
        // nothing outside the addressed slices is written
        for (const [buf, off, len] of [
          [A, ao, m * k],
          [B, bo, k * n],
          [C, co, m * n],
        ] as const) {
          for (let i = 0; i < buf.length; i++) if (i < off || i >= off + len) expect(buf[i]).toBe(7);
        }
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it('hand values for each transpose pair', () => {
    // op(A) = [[1, 2], [3, 4]], op(B) = [[5, 6], [7, 8]]  →  C = [[19, 22], [43, 50]]
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        const a = new Float32Array(tA ? [1, 3, 2, 4] : [1, 2, 3, 4]);
        const b = new Float32Array(tB ? [5, 7, 6, 8] : [5, 6, 7, 8]);
        const c = new Float32Array(4);
        gemm(2, 2, 2, a, tA, b, tB, c, false);
        expect(Array.from(c)).toEqual([19, 22, 43, 50]);
      }
  });

  it('accumulate = false overwrites C, NaN included; k = 0 gives zeros, or leaves C when accumulating', () => {
    const c = new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    gemm(2, 2, 1, new Float64Array([1, 2]), false, new Float64Array([3, 4]), false, c, false);
    expect(Array.from(c)).toEqual([3, 4, 6, 8]);
    gemm(2, 2, 0, new Float64Array(0), false, new Float64Array(0), false, c, true);
    expect(Array.from(c)).toEqual([3, 4, 6, 8]);
    gemm(2, 2, 0, new Float64Array(0), false, new Float64Array(0), true, c, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
  });

  // Y = op(A)·op(B) is linear in each operand. Its adjoint, written with gemm's flags in each
  // storage layout (as matmul's backward writes it), must satisfy ⟨Y, G⟩ = ⟨A, ∂A⟩ = ⟨B, ∂B⟩.
  it('adjoint: ⟨A·B, G⟩ = ⟨A, G·Bᵀ⟩ = ⟨B, Aᵀ·G⟩ in every layout (float64, rel err ≤ 1e-12)', () => {
    const dot = (x: Buf, y: Buf, abs = false) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) {
        const v = (x[i] as number) * (y[i] as number);
        s += abs ? Math.abs(v) : v;
      }
      return s;
    };
    fc.assert(
      fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.nat(), (m, n, k, tA, tB, seed) => {
        const rng = new Rng(seed);
        const a = random(Float64Array, m * k, rng);
        const b = random(Float64Array, k * n, rng);
        const g = random(Float64Array, m * n, rng);
        const y = new Float64Array(m * n);
        gemm(m, n, k, a, tA, b, tB, y, false);
        // ∂⟨Y,G⟩/∂op(A) = G·op(B)ᵀ, stored k×m when tA: op(B)·Gᵀ
        const ga = new Float64Array(m * k);
        if (tA) gemm(k, m, n, b, tB, g, true, ga, true);
        else gemm(m, k, n, g, false, b, !tB, ga, true);
        // ∂⟨Y,G⟩/∂op(B) = op(A)ᵀ·G, stored n×k when tB: Gᵀ·op(A)
        const gb = new Float64Array(k * n);
        if (tB) gemm(n, k, m, g, true, a, tA, gb, true);
        else gemm(k, n, m, a, !tA, g, false, gb, true);
        const lhs = dot(y, g);
        const scale = dot(y, g, true);
        expect(Math.abs(lhs - dot(a, ga)) / scale).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(lhs - dot(b, gb)) / scale).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 200, seed: 29 },
    );
  });

  it('gemmBias with k = 0 (no input features) writes the bias into every row, as torch.addmm', () => {
    for (const Arr of [Float32Array, Float64Array]) {
      const c = new Arr(6).fill(Number.NaN);
      gemmBias(2, 3, 0, new Arr(0), false, new Arr(0), true, Arr.of(1, -2, 3), c);
      expect(Array.from(c)).toEqual([1, -2, 3, 1, -2, 3]);
    }
  });
});
