import { describe, expect, it } from 'vitest';
import { arange, ChainruleError, full, oneHot, ones, Rng, rand, randn, Tensor, tensor, zeros } from '../../src/index';

describe('tensor()', () => {
  it('builds from a number, nested arrays and typed arrays', () => {
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.shape).toEqual([2, 3]);
    expect(m.dtype).toBe('float32');
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.size).toBe(6);
    const d = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(d.dtype).toBe('float64');
    expect(d.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
    expect(tensor([]).shape).toEqual([0]);
  });

  it('copies its input and honours dtype and requiresGrad', () => {
    const src = new Float32Array([1, 2]);
    const t = tensor(src, { dtype: 'float64', requiresGrad: true });
    src[0] = 9;
    expect(t.data[0]).toBe(1);
    expect(t.dtype).toBe('float64');
    expect(t.requiresGrad).toBe(true);
  });

  it('rejects ragged arrays, non-numbers and a shape of the wrong size, naming the problem', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ChainruleError);
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array: expected length 2 at [1], got length 1');
    expect(() => tensor([[1, 2], 3] as unknown as number[][])).toThrow(
      'tensor: ragged nested array: expected an array of length 2 at [1], got number 3',
    );
    expect(() => tensor([1, 'a'] as unknown as number[])).toThrow(
      "tensor: element at [1] is 'a', expected a number or a boolean",
    );
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(
      'tensor: 3 elements do not fit shape [2,2] (4 elements)',
    );
    expect(() => tensor([1], { shape: [-1] })).toThrow(
      'tensor: a shape must be an array of non-negative integers (at most 2³¹ − 1 elements), got [-1]',
    );
    expect(() => tensor([1], { dtype: 'int64' as 'float32' })).toThrow(
      "tensor: dtype must be 'float32', 'float64', 'int32' or 'bool', got 'int64'",
    );
  });
});

describe('factories', () => {
  it('zeros, ones, full and arange', () => {
    expect(Array.from(zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(ones([3], { dtype: 'float64' }).data).toEqual(new Float64Array([1, 1, 1]));
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25, { dtype: 'float64' }).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 1, -2).toArray()).toEqual([5, 3]);
    expect(() => arange(0, 1, 0)).toThrow(
      'arange: start, end and step must be finite numbers and step non-zero, got 0, 1, 0',
    );
    expect(zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('randn and rand are seeded by an Rng and have the right moments', () => {
    const a = randn([1000], { rng: new Rng(1), dtype: 'float64' });
    const b = randn([1000], { rng: new Rng(1), dtype: 'float64' });
    expect(a.data).toEqual(b.data);
    const x = randn([100_000], { rng: new Rng(3) });
    const mean = x.mean().item();
    const variance = x.pow(2).mean().item() - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    const u = rand([100_000], { rng: new Rng(4) });
    expect(Math.abs(u.mean().item() - 0.5)).toBeLessThan(0.01);
    expect(u.max().item()).toBeLessThan(1);
  });

  it('oneHot puts a 1 at each label and checks the labels', () => {
    expect(oneHot([2, 0, 1], 3).toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(oneHot(tensor([1]), 2).toArray()).toEqual([[0, 1]]);
    expect(() => oneHot([0, 3], 3)).toThrow('oneHot: label 3 at index 1 is not an integer class index in [0, 3)');
    expect(() => oneHot([0.5], 3)).toThrow('oneHot: label 0.5 at index 0 is not an integer class index in [0, 3)');
    expect(() => oneHot([0], 0)).toThrow('oneHot: numClasses must be an integer ≥ 1, got 0');
  });
});

describe('Tensor basics', () => {
  it('item() and toArray()', () => {
    expect(tensor([[5]]).item()).toBe(5);
    expect(() => tensor([1, 2]).item()).toThrow('item: expects a tensor of one element, got shape [2] (2 elements)');
    expect(tensor(2).toArray()).toBe(2);
    expect(zeros([2, 0]).toArray()).toEqual([[], []]);
  });

  it('detach() shares data and drops history; clone() copies', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.children).toHaveLength(0);
    expect(d.data).toBe(y.data);
    const c = y.clone();
    expect(c.data).not.toBe(y.data);
    expect(Array.from(c.data)).toEqual([2, 4]);
    expect(c).toBeInstanceOf(Tensor);
  });

  it('shape is frozen', () => {
    const t = zeros([2, 3]);
    expect(() => (t.shape as number[]).push(1)).toThrow(TypeError);
  });
});
