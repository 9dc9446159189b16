// layerNorm as one op: hand values, PyTorch's numbers, the composite's values and gradients
// (float64 and float32), gradcheck with and without the affine parameters, and its errors.
import { describe, expect, it } from 'vitest';
import { layerNorm, Rng, type Tensor, tensor } from '../../src/index';
import { expectClose, expectGradcheck, rand64 } from './helpers';

/** The composite the op replaces (nn's LayerNorm before it). */
function composite(x: Tensor, dims: number[], w: Tensor | null, b: Tensor | null, eps = 1e-5): Tensor {
  const axes = dims.map((_, i) => x.ndim - dims.length + i);
  const centred = x.sub(x.mean(axes, true));
  const y = centred.div(centred.pow(2).mean(axes, true).add(eps).sqrt());
  return w && b ? y.mul(w).add(b) : y;
}

describe('layerNorm', () => {
  it('hand values: [1, 2, 3] normalises to [−√1.5, 0, √1.5]·√(2/3 / (2/3 + ε))', () => {
    // μ = 2, σ² = 2/3, so x̂ = (x − 2)/√(2/3 + ε); with ε = 0 exactly ∓√1.5
    const x = tensor([[1, 2, 3]], { dtype: 'float64' });
    expectClose(layerNorm(x, 3, null, null, { eps: 0 }).data, [-Math.sqrt(1.5), 0, Math.sqrt(1.5)], 1e-15);
    const w = tensor([2, 1, -1], { dtype: 'float64' });
    const b = tensor([0.5, 0.5, 0.5], { dtype: 'float64' });
    const s = 1 / Math.sqrt(2 / 3 + 1e-5);
    expectClose(layerNorm(x, [3], w, b).data, [-2 * s + 0.5, 0.5, -s + 0.5], 1e-15);
  });

  it('hand values in float32: rows whose mean and variance are exact in binary', () => {
    const x = tensor([
      [0.5, -1.25, 2, 3.5],
      [10, 10.5, 9.75, 10.25],
    ]);
    const y = layerNorm(x, [4]);
    // μ = 1.1875, σ² = 12.421875/4 = 3.10546875 and μ = 10.125, σ² = 0.3125/4 = 0.078125, hence
    const want = [
      ...[0.5, -1.25, 2, 3.5].map((v) => (v - 1.1875) / Math.sqrt(3.10546875 + 1e-5)),
      ...[10, 10.5, 9.75, 10.25].map((v) => (v - 10.125) / Math.sqrt(0.078125 + 1e-5)),
    ];
    expectClose(y.data, want, 1e-6);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: the composite's values and gradients over two trailing dims, affine and not`, () => {
      const r = new Rng(3);
      for (const affine of [true, false]) {
        const leaf = (shape: number[], lo: number, hi: number) => {
          const t = rand64(shape, lo, hi, r).detach().to(dtype);
          t.requiresGrad = true;
          return t;
        };
        const x = leaf([4, 5, 2, 6], -3, 3);
        const w = affine ? leaf([2, 6], 0.5, 2) : null;
        const b = affine ? leaf([2, 6], -1, 1) : null;
        const probe = rand64([4, 5, 2, 6], -1, 1, r).detach().to(dtype);
        const run = (f: () => Tensor) => {
          for (const t of [x, w, b]) if (t) t.grad = null;
          const y = f();
          y.mul(probe).sum().backward();
          return [y, ...[x, w, b].filter((t) => t !== null).map((t) => (t as Tensor).grad as Tensor)];
        };
        const want = run(() => composite(x, [2, 6], w, b));
        const got = run(() => layerNorm(x, [2, 6], w, b));
        const tol = dtype === 'float64' ? 1e-12 : 3e-5;
        for (const [i, t] of want.entries()) expectClose((got[i] as Tensor).data, t.data, tol);
      }
    });
  }

  it('gradcheck (float64) with respect to x, weight and bias, and x alone', () => {
    expectGradcheck(
      (x, w, b) => layerNorm(x as Tensor, [4], w, b, { eps: 1e-3 }),
      [rand64([3, 4]), rand64([4]), rand64([4])],
    );
    expectGradcheck((x) => layerNorm(x as Tensor, [2, 3]), [rand64([2, 2, 3])]);
    expectGradcheck((x, w) => layerNorm(x as Tensor, 3, w), [rand64([2, 3]), rand64([3])]);
  });

  it('errors name the op, the values and what was expected', () => {
    const x = tensor([[1, 2, 3]]);
    expect(() => layerNorm(x, [4])).toThrow('layerNorm: x [1,3] does not end with normalizedShape [4]');
    expect(() => layerNorm(x, [])).toThrow(
      'layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got []',
    );
    expect(() => layerNorm(x, 3, tensor([1, 2]))).toThrow(
      'layerNorm: weight must be a float32 Tensor of shape [3] (normalizedShape) or null, got',
    );
    expect(() => layerNorm(x, 3, null, tensor([1, 2, 3], { dtype: 'float64' }))).toThrow(
      'layerNorm: bias must be a float32 Tensor',
    );
    expect(() => layerNorm(x, 3, null, null, { eps: -1 })).toThrow(
      'layerNorm: eps must be a finite number ≥ 0, got -1',
    );
    expect(() => layerNorm(tensor([1, 2], { dtype: 'int32' }), 2)).toThrow('layerNorm: x must be a float Tensor, got');
    expect([...x.data]).toEqual([1, 2, 3]);
  });
});
