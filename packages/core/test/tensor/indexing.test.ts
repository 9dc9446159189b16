// Indexing and joining: slice in every form of the contract (values from PyTorch 1.13 where the
// rules are subtle: advanced indices), narrow select indexSelect gather repeat flip, cat stack
// split chunk; F17 (the gradient of an index is a scatter-add) by hand and by gradcheck.
import { describe, expect, it } from 'vitest';
import { arange, cat, chunk, split, stack, type Tensor, tensor } from '../../src/index';
import { expectGradcheck, rand64 } from './helpers';

const idx = (...v: number[]) => tensor(Int32Array.from(v));
const x3 = () => arange(24).reshape([2, 3, 4]);

describe('slice: Python indexing', () => {
  it('numbers select (dropping the dim), negatives count from the end', () => {
    const x = arange(12).reshape([3, 4]);
    expect(x.slice(0).toArray()).toEqual([0, 1, 2, 3]);
    expect(x.slice(-1, -2).toArray()).toBe(10);
    expect(x.slice(1, 2).shape).toEqual([]);
  });

  it('ranges [], [i], [i, j], [i, j, step] clamp like Python slices', () => {
    const x = arange(12).reshape([3, 4]);
    expect(x.slice([], [1, 3]).toArray()).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(x.slice([2]).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(x.slice(-1, [0, 4, 2]).toArray()).toEqual([8, 10]);
    expect(x.slice([-2, 100]).shape).toEqual([2, 4]); // clamped, as x[-2:100]
    expect(x.slice([3, 1]).shape).toEqual([0, 4]); // empty, as x[3:1]
  });

  it("null adds a dim, '...' stands for the dims not named (PyTorch: x[None, 1, ::2, -1])", () => {
    const x = x3();
    expect(x.slice(null, 1, [0, 3, 2], -1).toArray()).toEqual([[15, 23]]);
    expect(x.slice('...', 0).shape).toEqual([2, 3]);
    expect(x.slice(null, '...', null).shape).toEqual([1, 2, 3, 4, 1]);
  });

  it('an int32 tensor indexes its dim; adjacent advanced dims stay in place (PyTorch values)', () => {
    const x = x3();
    const y = x.slice([], tensor(Int32Array.of(0, 2, 1, 1), { shape: [2, 2] })); // x[:, i]
    expect(y.shape).toEqual([2, 2, 2, 4]);
    expect(Array.from(y.data)).toEqual([
      0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 16, 17, 18, 19, 16, 17, 18, 19,
    ]);
    expect(x.slice(0, idx(2, 0), [1, 3]).toArray()).toEqual([
      [9, 10],
      [1, 2],
    ]);
    expect(x.slice('...', idx(1, 0)).slice(0).toArray()).toEqual([
      [1, 0],
      [5, 4],
      [9, 8],
    ]);
  });

  it('advanced indices separated by a slice go first (PyTorch: x[[1,0], :, [3,0]])', () => {
    expect(x3().slice(idx(1, 0), [], idx(3, 0)).toArray()).toEqual([
      [15, 19, 23],
      [0, 4, 8],
    ]);
  });

  it('F17: duplicates in an index accumulate their gradients (PyTorch: [7, 0, 3])', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    w.slice(idx(0, 0, 2, 0))
      .mul(tensor([1, 2, 3, 4]))
      .sum()
      .backward();
    expect(w.grad?.toArray()).toEqual([7, 0, 3]);
  });

  it('F17: gradcheck through basic and advanced slices', () => {
    expectGradcheck((x) => x.slice([], [1, 3]).tanh(), [rand64([3, 4])]);
    expectGradcheck((x) => x.slice(idx(0, 2, 0), null, [0, 4, 3]).exp(), [rand64([3, 4])]);
    expectGradcheck((x) => x.slice(-1, '...', idx(1, 1)), [rand64([2, 3, 4])]);
  });

  it('bad indices throw, naming slice and the value', () => {
    const x = arange(6).reshape([2, 3]);
    expect(() => x.slice(2)).toThrow(
      'slice: index 2 is out of range for a dim of size 2 (expected an integer in -2..1)',
    );
    expect(() => x.slice(0.5)).toThrow('slice: index 0.5 is out of range');
    expect(() => x.slice(0, 0, 0)).toThrow('slice: too many indices (3) for a tensor of 2 dims, shape [2,3]');
    expect(() => x.slice([0, 2, 0])).toThrow("slice: a range's step must be positive, got 0");
    expect(() => x.slice('...', '...')).toThrow("slice: an index can have only one '...', got 2");
    expect(() => x.slice(tensor([0, 1]))).toThrow('slice: an index tensor must be int32, got float32');
    expect(() => x.slice(idx(5))).toThrow('slice: index 5 is out of range for a dim of size 2');
    expect(() => x.slice('a' as '...')).toThrow("slice: cannot index with 'a'");
    expect((x as unknown as Record<number, unknown>)[0]).toBeUndefined(); // x[0] is no index: use slice
  });
});

describe('narrow, select, indexSelect, gather, repeat, flip', () => {
  it('narrow and select cut a window and an entry', () => {
    const x = arange(12).reshape([3, 4]);
    expect(x.narrow(1, 1, 2).toArray()).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(x.narrow(0, -1, 1).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(x.select(1, -1).toArray()).toEqual([3, 7, 11]);
    expect(() => x.narrow(1, 2, 3)).toThrow('narrow: length 3 from start 2 runs past dim 1 of size 4');
    expect(() => x.select(0, 3)).toThrow('select: index 3 is out of range for dim 0 of size 3');
    expectGradcheck((t) => t.narrow(1, 1, 2).mul(t.narrow(1, 0, 2)), [rand64([3, 4])]);
    expectGradcheck((t) => t.select(0, 1).sigmoid(), [rand64([3, 4])]);
  });

  it('indexSelect takes an int32 tensor or an array; its gradient sums duplicates (F17)', () => {
    const x = arange(6).reshape([3, 2]);
    expect(x.indexSelect(0, [2, 0, 2]).toArray()).toEqual([
      [4, 5],
      [0, 1],
      [4, 5],
    ]);
    expect(x.indexSelect(1, idx(1)).toArray()).toEqual([[1], [3], [5]]);
    const w = rand64([3, 2]);
    w.indexSelect(0, [2, 0, 2]).sum().backward();
    expect(w.grad?.toArray()).toEqual([
      [1, 1],
      [0, 0],
      [2, 2],
    ]);
    expectGradcheck((t) => t.indexSelect(1, [1, 1, 0]).square(), [rand64([2, 3])]);
    expect(() => x.indexSelect(0, [3])).toThrow('indexSelect: index 3 is out of range for a dim of size 3');
  });

  it('gather reads index[i][j] along dim (torch.gather)', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const index = tensor(Int32Array.of(0, 0, 1, 0), { shape: [2, 2] });
    expect(x.gather(1, index).toArray()).toEqual([
      [1, 1],
      [4, 3],
    ]);
    expect(x.gather(0, index).toArray()).toEqual([
      [1, 2],
      [3, 2],
    ]);
    expectGradcheck((t) => t.gather(1, tensor(Int32Array.of(2, 0, 1, 1), { shape: [2, 2] })), [rand64([2, 3])]);
    expect(() => x.gather(1, tensor(Int32Array.of(0), { shape: [1] }))).toThrow(
      'gather: index of shape [1] does not fit input [2,2] along dim 1',
    );
  });

  it('repeat tiles (PyTorch: y.repeat(2, 1, 2)) and sums the copies in backward', () => {
    const y = arange(6).reshape([2, 3]).repeat([2, 1, 2]);
    expect(y.shape).toEqual([2, 2, 6]);
    expect(Array.from(y.data).slice(0, 12)).toEqual([0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]);
    const w = rand64([2]);
    w.repeat([3]).sum().backward();
    expect(w.grad?.toArray()).toEqual([3, 3]);
    expectGradcheck((t) => t.repeat([2, 2]).tanh(), [rand64([2, 3])]);
  });

  it('flip reverses along dims', () => {
    const x = arange(6).reshape([2, 3]);
    expect(x.flip([1]).toArray()).toEqual([
      [2, 1, 0],
      [5, 4, 3],
    ]);
    expect(x.flip([0, -1]).toArray()).toEqual([
      [5, 4, 3],
      [2, 1, 0],
    ]);
    expectGradcheck((t) => t.flip([0]).mul(t), [rand64([3, 2])]);
  });
});

describe('cat, stack, split, chunk', () => {
  it('cat joins along a dim and sends each window of the gradient back (F17)', () => {
    const a = tensor([[1, 2]]);
    const b = tensor([
      [3, 4],
      [5, 6],
    ]);
    expect(cat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(cat([b, b], 1).shape).toEqual([2, 4]);
    expect(cat([a, tensor([[7, 8]], { dtype: 'float64' })]).dtype).toBe('float64');
    expectGradcheck((p, q) => cat([p, q, p], 1).tanh(), [rand64([2, 1]), rand64([2, 3])]);
    expect(() => cat([a, tensor([1, 2])])).toThrow(
      'cat: tensor 1 has shape [2], which does not match [1,2] outside dim 0',
    );
    expect(() => cat([])).toThrow('cat: expected a non-empty array of Tensors, got []');
  });

  it('stack adds a dim', () => {
    const s = stack([tensor([1, 2]), tensor([3, 4])], 1);
    expect(s.toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expectGradcheck((p, q) => stack([p, q], -1).square(), [rand64([2, 3]), rand64([2, 3])]);
    expect(() => stack([tensor([1]), tensor([1, 2])])).toThrow(
      'stack: tensor 1 has shape [2], expected [1] like tensor 0',
    );
  });

  it('split and chunk cut pieces as PyTorch does', () => {
    const x = arange(5);
    expect(split(x, 2).map((t: Tensor) => t.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(x.split([1, 4]).map((t) => t.shape)).toEqual([[1], [4]]);
    expect(chunk(arange(6), 4).map((t: Tensor) => t.toArray())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(() => x.split([1, 1])).toThrow('split: sizes [1, 1] add up to 2, but dim 0 has size 5');
    expectGradcheck(
      (t) => {
        const [p, q] = t.chunk(2, 1) as [Tensor, Tensor];
        return p.mul(q);
      },
      [rand64([2, 4])],
    );
  });
});
