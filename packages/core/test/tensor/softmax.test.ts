import { describe, expect, it } from 'vitest';
import { crossEntropy, oneHot, tensor } from '../../src/index';
import { expectClose, expectGradcheck, rand64 } from './helpers';

describe('softmax and logSoftmax', () => {
  it('hand values: softmax([0, ln 2, ln 3]) = [1/6, 2/6, 3/6]', () => {
    const y = tensor([0, Math.log(2), Math.log(3)], { dtype: 'float64' }).softmax();
    expectClose(y.data, [1 / 6, 2 / 6, 3 / 6], 1e-15);
    const l = tensor([0, Math.log(2), Math.log(3)], { dtype: 'float64' }).logSoftmax();
    expectClose(l.data, [Math.log(1 / 6), Math.log(2 / 6), Math.log(3 / 6)], 1e-15);
  });

  it('F29: the softmax Jacobian is diag(y) − y yᵀ, so ∂L/∂z = y ∘ (g − gᵀy), not F2’s elementwise g ∘ y(1 − y)', () => {
    // z = [0, ln 2, ln 3]: y = [1, 2, 3]/6; with g = ∂L/∂y = [1, 0, 0], gᵀy = 1/6 and
    // ∂L/∂z = y ∘ (g − 1/6) = [5/36, −2/36, −3/36]
    const z = tensor([0, Math.log(2), Math.log(3)], { dtype: 'float64', requiresGrad: true });
    z.softmax().backward(tensor([1, 0, 0], { dtype: 'float64' }));
    expectClose(z.grad?.data ?? [], [5 / 36, -2 / 36, -3 / 36], 1e-15);
    // the whole Jacobian, row i = ∂y_i/∂z from a one-hot g, against diag(y) − y yᵀ on random logits
    const logits = rand64([4]);
    const y = Array.from(logits.softmax().data);
    for (let i = 0; i < 4; i++) {
      const zi = tensor(logits.data, { shape: [4], requiresGrad: true });
      zi.softmax().backward(oneHot([i], 4, { dtype: 'float64' }).reshape([4]));
      const yi = y[i] as number;
      expectClose(
        zi.grad?.data ?? [],
        y.map((yj, j) => (i === j ? yi : 0) - yi * yj),
        1e-15,
      );
    }
    // every y_i depends on every z_j: the elementwise rule of F2 (g ∘ y(1 − y)) would give
    // [5/36, 0, 0], missing the off-diagonal terms −y_i y_j
    expect(z.grad?.data[1]).not.toBe(0);
  });

  it('along a non-last dim, rows sum to 1', () => {
    const x = rand64([3, 4, 2]);
    const y = x.softmax(1);
    const s = y.sum(1);
    expectClose(s.data, new Float64Array(6).fill(1), 1e-15);
    expectClose(x.logSoftmax(0).exp().sum(0).data, new Float64Array(8).fill(1), 1e-14);
  });

  it('logits of ±1000 give finite values and correct gradients', () => {
    const x = tensor(
      [
        [1000, -1000, 999],
        [-1000, -1000, -1000],
      ],
      { requiresGrad: true, dtype: 'float64' },
    );
    const y = x.softmax();
    expect(y.data.every(Number.isFinite)).toBe(true);
    const e = Math.exp(-1);
    expectClose(y.data, [1 / (1 + e), 0, e / (1 + e), 1 / 3, 1 / 3, 1 / 3], 1e-13);
    const l = x.logSoftmax();
    expect(l.data.every(Number.isFinite)).toBe(true);
    expectClose(l.data.slice(0, 3), [-Math.log1p(e), -2000 - Math.log1p(e), -1 - Math.log1p(e)], 1e-12);
    // ∂/∂x of Σ logSoftmax(x)[0] picking class 0: onehot − softmax
    l.backward(
      tensor(
        [
          [1, 0, 0],
          [0, 0, 0],
        ],
        { dtype: 'float64' },
      ),
    );
    expectClose(x.grad?.data ?? [], [1 - 1 / (1 + e), 0, -e / (1 + e), 0, 0, 0], 1e-13);
    expectGradcheck(
      (t) => t.softmax(),
      [
        tensor(
          [
            [1000, 999.5, 998],
            [-1000, -999, -1001],
          ],
          { dtype: 'float64' },
        ),
      ],
    );
    expectGradcheck(
      (t) => t.logSoftmax(),
      [
        tensor(
          [
            [1000, 999.5, 998],
            [-1000, -999, -1001],
          ],
          { dtype: 'float64' },
        ),
      ],
    );
  });

  it('gradcheck along each dim', () => {
    for (const dim of [0, 1, -1]) {
      expectGradcheck((t) => t.softmax(dim), [rand64([3, 4, 2])]);
      expectGradcheck((t) => t.logSoftmax(dim), [rand64([3, 4, 2])]);
    }
  });

  it('a dim out of range throws', () => {
    expect(() => rand64([2, 3]).softmax(2)).toThrow(
      'softmax: dim 2 is out of range for a tensor of 2 dims (expected an integer in -2..1)',
    );
  });
});

describe('crossEntropy (fused log-softmax + NLL)', () => {
  it('hand value: logits [0, ln 2, ln 3] with label 2 give −ln(3/6) = ln 2', () => {
    const z = tensor([[0, Math.log(2), Math.log(3)]], { dtype: 'float64' });
    expect(Math.abs(crossEntropy(z, [2]).item() - Math.LN2)).toBeLessThan(1e-15);
  });

  it('F12: ∂L/∂z = (softmax(z) − onehot(t)) / N, and equals autodiff of the unfused composition', () => {
    const z = rand64([4, 5], -3, 3);
    const labels = [0, 4, 2, 2];
    crossEntropy(z, labels).backward();
    const p = z.detach().softmax().data;
    const hand = Array.from(p, (v, i) => (v - (i % 5 === labels[Math.floor(i / 5)] ? 1 : 0)) / 4);
    expectClose(z.grad?.data ?? [], hand, 1e-14);
    const z2 = z.detach().clone();
    z2.requiresGrad = true;
    const unfused = z2
      .logSoftmax()
      .mul(oneHot(labels, 5, { dtype: 'float64' }))
      .sum()
      .neg()
      .div(4);
    expect(Math.abs(unfused.item() - crossEntropy(z, labels).item())).toBeLessThan(1e-14);
    unfused.backward();
    expectClose(z2.grad?.data ?? [], z.grad?.data ?? [], 1e-14);
  });

  it("reductions 'sum' and 'none', a single [C] example, gradcheck, logits of ±1000", () => {
    const z = rand64([3, 4]);
    const none = crossEntropy(z, [1, 0, 3], 'none');
    expect(none.shape).toEqual([3]);
    expect(Math.abs(none.sum().item() - crossEntropy(z, [1, 0, 3], 'sum').item())).toBeLessThan(1e-14);
    expect(crossEntropy(rand64([4]), [1]).shape).toEqual([]);
    expectGradcheck((t) => crossEntropy(t, [1, 0, 3], 'none'), [rand64([3, 4])]);
    expectGradcheck((t) => crossEntropy(t, [1, 0, 3], 'sum'), [rand64([3, 4])]);
    const big = tensor([[1000, -1000, 0]], { dtype: 'float64', requiresGrad: true });
    const l = crossEntropy(big, [1]);
    expect(l.item()).toBe(2000);
    l.backward();
    expectClose(big.grad?.data ?? [], [1, -1, 0], 1e-15);
  });

  it('bad labels throw and change nothing', () => {
    const z = rand64([2, 3]);
    expect(() => crossEntropy(z, [0, 3])).toThrow(
      'crossEntropy: label 3 at index 1 is not an integer class index in [0, 3)',
    );
    expect(() => crossEntropy(z, [0, 1.5])).toThrow('crossEntropy: label 1.5 at index 1');
    expect(() => crossEntropy(z, [0])).toThrow('crossEntropy: got 1 labels for 2 rows');
    expect(() => crossEntropy(rand64([2, 2, 2]), [0, 1])).toThrow(
      'crossEntropy: logits must be [N, C] or [C], got shape [2,2,2]',
    );
    expect(z.grad).toBeNull();
  });
});
