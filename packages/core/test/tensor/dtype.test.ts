// Dtypes: inference in tensor(), PyTorch's promotion (bool < int32 < float32 < float64, Python
// scalars), conversion with to(), and the rule that only float tensors carry gradients.
import { describe, expect, it } from 'vitest';
import { ChainruleError, crossEntropy, oneHot, promote, Tensor, tensor, zeros } from '../../src/index';

describe('dtypes', () => {
  it('tensor() infers bool, int32, float64 and float32 as the contract says', () => {
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor(true).dtype).toBe('bool');
    expect(tensor(Int32Array.of(1, 2)).dtype).toBe('int32');
    expect(tensor(Float64Array.of(1, 2)).dtype).toBe('float64');
    expect(tensor(Uint8Array.of(0, 255)).dtype).toBe('float32'); // pixels become floats
    expect(tensor([1, 2]).dtype).toBe('float32');
    expect(tensor([1.9, -1.9], { dtype: 'int32' }).toArray()).toEqual([1, -1]);
    expect(tensor([0, 2, Number.NaN], { dtype: 'bool' }).toArray()).toEqual([false, true, true]);
  });

  it('bool tensors read back as booleans, int32 as integers', () => {
    expect(tensor([[true], [false]]).toArray()).toEqual([[true], [false]]);
    expect(tensor(Int32Array.of(-3, 7)).toArray()).toEqual([-3, 7]);
    expect(zeros([2], { dtype: 'bool' }).data).toBeInstanceOf(Uint8Array);
  });

  it('promotion follows PyTorch, including Python-scalar rules', () => {
    expect(promote('bool', 'int32')).toBe('int32');
    expect(promote('int32', 'float32')).toBe('float32');
    expect(promote('float64', 'float32')).toBe('float64');
    const i = tensor(Int32Array.of(1, 2, 3));
    expect(i.add(i).dtype).toBe('int32');
    expect(i.add(2).dtype).toBe('int32');
    expect(i.add(2).toArray()).toEqual([3, 4, 5]);
    expect(i.add(0.5).dtype).toBe('float32');
    expect(i.add(0.5).toArray()).toEqual([1.5, 2.5, 3.5]);
    expect(i.add(tensor([1, 1, 1], { dtype: 'float64' })).dtype).toBe('float64');
    expect(i.div(2).toArray()).toEqual([0.5, 1, 1.5]); // true division, as torch.div
    expect(i.div(2).dtype).toBe('float32');
    expect(i.exp().dtype).toBe('float32');
    expect(i.pow(2).dtype).toBe('int32');
    expect(i.pow(0.5).dtype).toBe('float32');
    expect(
      tensor([true, true])
        .add(tensor([true, false]))
        .toArray(),
    ).toEqual([2, 1]); // counted as int32
    expect(i.sum().dtype).toBe('int32');
    expect(i.sum().item()).toBe(6);
    expect(tensor([1.5], { dtype: 'float64' }).add(1).dtype).toBe('float64');
  });

  it('to() converts: truncation toward zero, x ≠ 0 for bool, and itself for the same dtype', () => {
    const x = tensor([1.7, -1.7, 0, 3]);
    expect(x.to('int32').toArray()).toEqual([1, -1, 0, 3]);
    expect(x.to('bool').toArray()).toEqual([true, true, false, true]);
    expect(x.to('float32')).toBe(x);
    expect(x.to('float64').data).toBeInstanceOf(Float64Array);
    expect(tensor([true, false]).to('float32').toArray()).toEqual([1, 0]);
    expect(() => x.to('int8' as 'int32')).toThrow(
      "to: dtype must be 'float32', 'float64', 'int32' or 'bool', got 'int8'",
    );
  });

  it('to() is differentiable between float dtypes: ∂L/∂x = gy converted back', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x
      .to('float64')
      .mul(tensor([1, 10, 100], { dtype: 'float64' }))
      .sum();
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(x.grad?.dtype).toBe('float32');
    expect(x.grad?.toArray()).toEqual([1, 10, 100]);
    // converting to an integer dtype cuts the graph: the result never requires a gradient
    expect(x.to('int32').requiresGrad).toBe(false);
  });

  it('only float tensors can require gradients', () => {
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(
      'tensor: only float tensors can require gradients, got dtype int32 with requiresGrad: true',
    );
    const b = tensor([true]);
    expect(() => {
      b.requiresGrad = true;
    }).toThrow('requiresGrad: only float tensors can require gradients, this one is bool');
    expect(b.requiresGrad).toBe(false);
    expect(() => tensor([1], { requiresGrad: 'yes' as unknown as boolean })).toThrow(
      "tensor: requiresGrad must be true or false, got 'yes'",
    );
  });

  it('a float tensor mixed with an int32 or bool operand gets its gradient; the other none', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const mask = tensor([true, false, true]);
    x.mul(mask).sum().backward();
    expect(x.grad?.toArray()).toEqual([1, 0, 1]);
    expect(mask.grad).toBe(null);
  });

  it('grad accepts only null or a tensor of the same shape and dtype', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => {
      w.grad = tensor([1, 2], { dtype: 'float64' });
    }).toThrow('grad: expected null or a float32 tensor of shape [2], got a float64 tensor of shape [2]');
    expect(w.grad).toBe(null);
    w.grad = tensor([0.5, 0.5]);
    expect(w.grad?.toArray()).toEqual([0.5, 0.5]);
  });

  it('new Tensor checks its data and shape', () => {
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow(
      'Tensor: shape [2,2] holds 4 elements, but data has 3',
    );
    expect(() => new Tensor([1, 2] as unknown as Float32Array, [2])).toThrow(ChainruleError);
  });

  it('labels may be int32 tensors (crossEntropy, oneHot)', () => {
    const labels = tensor(Int32Array.of(2, 0));
    expect(oneHot(labels, 3).toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const logits = tensor([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(crossEntropy(logits, labels).item()).toBeCloseTo(Math.log(3), 6);
  });
});
