import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainruleError, linear, tensor } from '../../src/index';
import { expectClose, expectGradcheck, rand64, ravelBroadcast, unravel } from './helpers';

/** The most obvious batched matmul: out[..., i, j] = Σ_k a[..., i, k] b[..., k, j]. */
function naiveMatmul(
  a: Float64Array,
  as: number[],
  b: Float64Array,
  bs: number[],
): { data: Float64Array; shape: number[] } {
  const [m, k] = as.slice(-2) as [number, number];
  const n = bs[bs.length - 1] as number;
  const batchA = as.slice(0, -2);
  const batchB = bs.slice(0, -2);
  const nb = Math.max(batchA.length, batchB.length);
  const batch = Array.from({ length: nb }, (_, i) =>
    Math.max(batchA[batchA.length - nb + i] ?? 1, batchB[batchB.length - nb + i] ?? 1),
  );
  const count = batch.reduce((x, y) => x * y, 1);
  const out = new Float64Array(count * m * n);
  for (let t = 0; t < count; t++) {
    const idx = unravel(t, batch);
    const ia = ravelBroadcast(idx, batchA) * m * k;
    const ib = ravelBroadcast(idx, batchB) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += (a[ia + i * k + p] as number) * (b[ib + p * n + j] as number);
        out[t * m * n + i * n + j] = s;
      }
  }
  return { data: out, shape: [...batch, m, n] };
}

describe('matmul', () => {
  it('2-D hand values', () => {
    const y = tensor([
      [1, 2],
      [3, 4],
    ]).matmul(
      tensor([
        [5, 6, 7],
        [8, 9, 10],
      ]),
    );
    expect(y.toArray()).toEqual([
      [21, 24, 27],
      [47, 54, 61],
    ]);
  });

  it('1-D cases as torch.matmul: dot, vector·matrix, matrix·vector, batched·vector', () => {
    expect(
      tensor([1, 2, 3])
        .matmul(tensor([4, 5, 6]))
        .toArray(),
    ).toBe(32);
    expect(
      tensor([1, 2])
        .matmul(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        )
        .toArray(),
    ).toEqual([9, 12, 15]);
    expect(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ])
        .matmul(tensor([1, 0, -1]))
        .toArray(),
    ).toEqual([-2, -2]);
    const y = tensor([[[1, 2]], [[3, 4]]]).matmul(tensor([1, 1]));
    expect(y.shape).toEqual([2, 1]);
    expect(y.toArray()).toEqual([[3], [7]]);
  });

  it('F13: ∂L/∂A = ∂L/∂Y·Bᵀ and ∂L/∂B = Aᵀ·∂L/∂Y, by hand', () => {
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true, dtype: 'float64' },
    );
    const b = tensor(
      [
        [5, 6],
        [7, 8],
      ],
      { requiresGrad: true, dtype: 'float64' },
    );
    const gy = tensor(
      [
        [1, 0],
        [2, -1],
      ],
      { dtype: 'float64' },
    );
    a.matmul(b).backward(gy);
    // gy·Bᵀ = [[1,0],[2,-1]]·[[5,7],[6,8]] = [[5,7],[4,6]] ; Aᵀ·gy = [[1,3],[2,4]]·gy = [[7,-3],[10,-4]]
    expect(a.grad?.toArray()).toEqual([
      [5, 7],
      [4, 6],
    ]);
    expect(b.grad?.toArray()).toEqual([
      [7, -3],
      [10, -4],
    ]);
  });

  it('gradcheck: 2-D, 1-D, batched with broadcast batch dims, folded batch', () => {
    const mm = (p: import('../../src/index').Tensor, q: import('../../src/index').Tensor) => p.matmul(q);
    expectGradcheck(mm, [rand64([3, 4]), rand64([4, 2])]);
    expectGradcheck(mm, [rand64([4]), rand64([4])]);
    expectGradcheck(mm, [rand64([4]), rand64([2, 4, 3])]);
    expectGradcheck(mm, [rand64([2, 3, 4]), rand64([4])]);
    expectGradcheck(mm, [rand64([2, 1, 3, 4]), rand64([3, 4, 2])]);
    expectGradcheck(mm, [rand64([2, 3, 4]), rand64([4, 5])]);
    expectGradcheck(mm, [rand64([3, 4]), rand64([2, 4, 5])]);
  });

  it('property: matches a naive triple loop over random batched shapes', () => {
    const dim = fc.integer({ min: 1, max: 5 });
    const arb = fc.tuple(
      dim,
      dim,
      dim,
      fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    );
    fc.assert(
      fc.property(arb, ([m, k, n, batch, ones]) => {
        const bA = batch.map((d, i) => (ones[i] ? 1 : d));
        const bB = batch.slice(ones[1] ? 1 : 0);
        const a = rand64([...bA, m, k]);
        const b = rand64([...bB, k, n]);
        const y = a.matmul(b);
        const ref = naiveMatmul(a.data as Float64Array, [...a.shape], b.data as Float64Array, [...b.shape]);
        expect(y.shape).toEqual(ref.shape);
        expectClose(y.data, ref.data, 1e-12);
      }),
      { numRuns: 100, seed: 5 },
    );
  });

  it('float32 results match float64 to float32 precision', () => {
    const a = rand64([17, 33]);
    const b = rand64([33, 9]);
    const y64 = a.matmul(b);
    const y32 = a.clone('float32').matmul(b.clone('float32'));
    expect(y32.dtype).toBe('float32');
    expectClose(y32.data, y64.data, 1e-5);
  });

  it('misaligned shapes throw, naming the shapes, and change nothing', () => {
    const a = tensor(new Float32Array(6), { shape: [2, 3], requiresGrad: true });
    const b = tensor(new Float32Array(20), { shape: [4, 5] });
    expect(() => a.matmul(b)).toThrow(ChainruleError);
    expect(() => a.matmul(b)).toThrow('matmul: shapes [2,3] and [4,5] do not align (3 != 4)');
    expect(() => rand64([2, 2, 3]).matmul(rand64([3, 3, 1]))).toThrow(
      'matmul: the batch dims of shapes [2,2,3] and [3,3,1] cannot broadcast',
    );
    expect(() => tensor(1).matmul(a)).toThrow('matmul: both operands need at least 1 dim, got shapes [] and [2,3]');
    expect(a.grad).toBeNull();
  });
});

describe('linear: y = x Wᵀ + b', () => {
  it('F1: z = W x + b for one example (1-D x), by hand', () => {
    // W = [[1, 2], [0, −1], [3, 1]], x = [2, −1], b = [0.5, 0, −1]: W x = [0, 1, 5]
    const w = tensor(
      [
        [1, 2],
        [0, -1],
        [3, 1],
      ],
      { dtype: 'float64' },
    );
    const z = linear(tensor([2, -1], { dtype: 'float64' }), w, tensor([0.5, 0, -1], { dtype: 'float64' }));
    expect(z.shape).toEqual([3]);
    expect(z.toArray()).toEqual([0.5, 1, 4]);
  });

  it('F14: hand values and gradients ∂L/∂W = Δᵀx, ∂L/∂b = Σ Δ, ∂L/∂x = ΔW', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { requiresGrad: true, dtype: 'float64' },
    );
    const w = tensor(
      [
        [1, 0],
        [0, 1],
        [1, -1],
      ],
      { requiresGrad: true, dtype: 'float64' },
    );
    const b = tensor([0.5, -0.5, 1], { requiresGrad: true, dtype: 'float64' });
    const y = linear(x, w, b);
    expect(y.toArray()).toEqual([
      [1.5, 1.5, 0],
      [3.5, 3.5, 0],
      [5.5, 5.5, 0],
    ]);
    const delta = tensor(
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      { dtype: 'float64' },
    );
    y.backward(delta);
    expect(w.grad?.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(b.grad?.toArray()).toEqual([1, 1, 1]);
    expect(x.grad?.toArray()).toEqual([
      [1, 0],
      [0, 1],
      [1, -1],
    ]);
  });

  it('F14: with a non-square, non-symmetric Δ a dropped or extra transpose cannot pass', () => {
    // X [2, 3], W [4, 3], Δ [2, 4]: Δ = I above is its own transpose, so Δ X and Δᵀ X agree there
    const f64 = { requiresGrad: true, dtype: 'float64' } as const;
    const x = tensor(
      [
        [1, 2, -1],
        [0, 3, 2],
      ],
      f64,
    );
    const w = tensor(
      [
        [1, 0, 2],
        [-1, 1, 0],
        [0, 2, 1],
        [3, -1, 1],
      ],
      f64,
    );
    const b = tensor([1, 0, -1, 2], f64);
    const y = linear(x, w, b);
    expect(y.toArray()).toEqual([
      [0, 1, 2, 2],
      [5, 3, 7, 1],
    ]);
    const delta = tensor(
      [
        [1, 2, 0, -1],
        [3, 0, 1, 2],
      ],
      { dtype: 'float64' },
    );
    y.backward(delta);
    // ∂L/∂W = Δᵀ X: row j is Σ_n Δ[n, j] x_n, e.g. row 0 = 1·(1, 2, −1) + 3·(0, 3, 2) = (1, 11, 5)
    expect(w.grad?.toArray()).toEqual([
      [1, 11, 5],
      [2, 4, -2],
      [0, 3, 2],
      [-1, 4, 5],
    ]);
    expect(b.grad?.toArray()).toEqual([4, 2, 1, 1]); // Σ_rows Δ
    // ∂L/∂X = Δ W: row 0 = 1·(1, 0, 2) + 2·(−1, 1, 0) + 0 − 1·(3, −1, 1) = (−4, 3, 1)
    expect(x.grad?.toArray()).toEqual([
      [-4, 3, 1],
      [9, 0, 9],
    ]);
  });

  it('equals x.matmul(w.T).add(b), and passes gradcheck with and without bias, 1-D and 3-D x', () => {
    const x = rand64([4, 3]);
    const w = rand64([2, 3]);
    const b = rand64([2]);
    expectClose(linear(x, w, b).data, x.matmul(w.T).add(b).data, 1e-14);
    expectGradcheck((p, q, r) => linear(p, q, r), [x, w, b]);
    expectGradcheck((p, q) => linear(p, q), [rand64([3]), w]);
    expectGradcheck((p, q, r) => linear(p, q, r), [rand64([2, 2, 3]), w, b]);
  });

  it('rejects shapes that do not fit', () => {
    expect(() => linear(rand64([2, 4]), rand64([2, 3]))).toThrow(
      'linear: x [2,4] has 4 features but weight [2,3] expects 3',
    );
    expect(() => linear(rand64([2, 3]), rand64([2, 3]), rand64([3]))).toThrow(
      'linear: bias [3] should have shape [2] for weight [2,3]',
    );
  });
});
