// Comparisons, where, maskedFill, clamp, maximum/minimum: hand values (PyTorch's semantics for
// NaN and ties), gradients by hand and by gradcheck.
import { describe, expect, it } from 'vitest';
import { ChainruleError, gradcheck, maximum, minimum, tensor, where } from '../../src/index';
import { expectClose, expectGradcheck, rand64 } from './helpers';

describe('comparisons', () => {
  it('eq ne lt le gt ge broadcast and give bool, NaN compares false except ne', () => {
    const a = tensor([1, 2, Number.NaN]);
    expect(a.eq(2).toArray()).toEqual([false, true, false]);
    expect(a.ne(2).toArray()).toEqual([true, false, true]);
    expect(a.lt(2).toArray()).toEqual([true, false, false]);
    expect(a.le(2).toArray()).toEqual([true, true, false]);
    expect(a.gt(tensor([[0], [5]])).toArray()).toEqual([
      [true, true, false],
      [false, false, false],
    ]);
    expect(a.ge(1).dtype).toBe('bool');
    expect(a.ge(1).requiresGrad).toBe(false);
    expect(tensor(Int32Array.of(3)).eq(3).toArray()).toEqual([true]);
  });
});

describe('where and maskedFill', () => {
  it('picks a or b by a bool condition; ∂L/∂a = gy where cond, ∂L/∂b = gy elsewhere', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([[10], [20]], { requiresGrad: true });
    const y = where(tensor([true, false, true]), a, b);
    expect(y.toArray()).toEqual([
      [1, 10, 3],
      [1, 20, 3],
    ]);
    y.sum().backward();
    expect(a.grad?.toArray()).toEqual([2, 0, 2]);
    expect(b.grad?.toArray()).toEqual([[1], [1]]);
    expect(where(tensor([false, true]), 1, 0).toArray()).toEqual([0, 1]);
    const cond = rand64([2, 3]).gt(0);
    expectGradcheck((p, q) => where(cond, p, q).tanh(), [rand64([2, 3]), rand64([3])]);
  });

  it('where needs a bool condition', () => {
    expect(() => where(tensor([1, 0]) as never, 1, 0)).toThrow(
      'where: cond must be a bool tensor, got dtype float32 (make one with a comparison, e.g. x.gt(0))',
    );
  });

  it('maskedFill with −∞ before softmax gives probability 0 and no NaN', () => {
    const scores = tensor([[1, 2, 3]], { requiresGrad: true, dtype: 'float64' });
    const mask = tensor([[false, true, false]]);
    const p = scores.maskedFill(mask, Number.NEGATIVE_INFINITY).softmax(-1);
    const e1 = Math.exp(1);
    const e3 = Math.exp(3);
    expectClose(p.data, [e1 / (e1 + e3), 0, e3 / (e1 + e3)], 1e-15);
    p.mul(tensor([[1, 2, 3]], { dtype: 'float64' }))
      .sum()
      .backward();
    expect(scores.grad?.data.every((g) => Number.isFinite(g))).toBe(true);
    expect(scores.grad?.data[1]).toBe(0);
    expectGradcheck((s) => s.maskedFill(mask, -1e9).softmax(-1), [rand64([1, 3])]);
    expect(() => scores.maskedFill(tensor([[true], [false]]), 0)).toThrow(
      "maskedFill: mask [2,1] must broadcast to the tensor's shape [1,3]",
    );
  });
});

describe('clamp, maximum, minimum', () => {
  it('clamp limits values; the gradient passes where min ≤ x ≤ max (bounds included)', () => {
    const x = tensor([-2, -1, 0, 1, 2], { requiresGrad: true });
    const y = x.clamp(-1, 1);
    expect(y.toArray()).toEqual([-1, -1, 0, 1, 1]);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 1, 1, 1, 0]);
    expect(tensor([-3, 3]).clamp(null, 0).toArray()).toEqual([-3, 0]);
    expect(tensor([-3, 3]).clamp(2, 1).toArray()).toEqual([1, 1]); // min > max gives max, as PyTorch
    expect(tensor(Int32Array.of(1, 5)).clamp(0, 2.5).toArray()).toEqual([1, 2.5]);
    expectGradcheck((t) => t.clamp(-0.5, 0.7), [rand64([3, 4])]);
    expect(() => x.clamp()).toThrow('clamp: at least one of min and max must be given');
    expect(() => x.clamp('0' as unknown as number)).toThrow("clamp: min must be a number or null, got '0'");
  });

  it('maximum and minimum broadcast; a tie splits the gradient in halves, as PyTorch', () => {
    const a = tensor([1, 5, 3], { requiresGrad: true });
    const b = tensor([2, 5, 0], { requiresGrad: true });
    const y = maximum(a, b);
    expect(y.toArray()).toEqual([2, 5, 3]);
    y.sum().backward();
    expect(a.grad?.toArray()).toEqual([0, 0.5, 1]);
    expect(b.grad?.toArray()).toEqual([1, 0.5, 0]);
    expect(minimum(a, 2).toArray()).toEqual([1, 2, 2]);
    expect(maximum(tensor([Number.NaN, 1]), 0).toArray()).toEqual([Number.NaN, 1]);
    expect(a.minimum(tensor([[0], [9]])).shape).toEqual([2, 3]);
    const r = gradcheck((p, q) => p.maximum(q).mul(p.minimum(q)), [rand64([2, 3]), rand64([3])]);
    expect(r.ok, r.message).toBe(true);
    expect(() => maximum(a, 'x' as never)).toThrow(ChainruleError);
  });
});
