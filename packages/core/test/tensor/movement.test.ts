import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainruleError, type Tensor, tensor } from '../../src/index';
import { expectClose, expectGradcheck, rand64 } from './helpers';

const dot = (a: Tensor, b: Tensor): number => a.mul(b).sum().item();

describe('reshape and flatten', () => {
  it('hand values, −1 inference, shared storage', () => {
    const x = tensor([1, 2, 3, 4, 5, 6]);
    const y = x.reshape([2, -1]);
    expect(y.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(y.data).toBe(x.data);
    expect(y.reshape([3, 2]).flatten().toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor(5).flatten().shape).toEqual([1]);
    expect(rand64([2, 3, 4]).flatten(1).shape).toEqual([2, 12]);
  });

  it('property: round trips through random shapes keep the data; gradients flow back unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.nat(), (shape, seed) => {
        const x = rand64(shape);
        const n = x.size;
        const target = [n % 2 === 0 ? 2 : 1, -1];
        const y = x.reshape(target).reshape(shape);
        expect(Array.from(y.data)).toEqual(Array.from(x.data));
        const gy = rand64(shape, -1, 1);
        y.backward(gy);
        expect(Array.from(x.grad?.data ?? [])).toEqual(Array.from(gy.data));
        return seed >= 0;
      }),
      { numRuns: 50, seed: 3 },
    );
    expectGradcheck((t) => t.reshape([3, 2]).mul(t.reshape([3, 2])), [rand64([2, 3])]);
  });

  it('adjoint: ⟨reshape(u), v⟩ = ⟨u, reshape⁻¹(v)⟩', () => {
    const u = rand64([2, 6]);
    const v = rand64([3, 4]);
    expect(Math.abs(dot(u.reshape([3, 4]), v) - dot(u, v.reshape([2, 6])))).toBeLessThan(1e-12);
  });

  it('a size mismatch or two −1s throw and change nothing', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], { requiresGrad: true });
    expect(() => x.reshape([4, 2])).toThrow(ChainruleError);
    expect(() => x.reshape([4, 2])).toThrow(
      'reshape: cannot reshape a tensor of shape [6] (6 elements) to [4,2] (8 elements)',
    );
    expect(() => x.reshape([-1, -1])).toThrow('reshape: only one dim can be −1, got [-1,-1]');
    expect(() => x.reshape([4, -1])).toThrow(
      'reshape: cannot infer the −1 in [4,-1] for a tensor of 6 elements (shape [6])',
    );
    expect(() => x.flatten(1)).toThrow(
      'flatten: dim 1 is out of range for a tensor of 1 dims (expected an integer in -1..0)',
    );
    expect(x.shape).toEqual([6]);
  });
});

describe('transpose and T', () => {
  it('hand values', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.T.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const z = tensor([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    expect(z.transpose(0, 2).toArray()).toEqual([
      [
        [1, 5],
        [3, 7],
      ],
      [
        [2, 6],
        [4, 8],
      ],
    ]);
    expect(z.transpose().toArray()).toEqual([
      [
        [1, 3],
        [2, 4],
      ],
      [
        [5, 7],
        [6, 8],
      ],
    ]);
    expect(tensor([1, 2]).T.toArray()).toEqual([1, 2]);
  });

  it('adjoint: ⟨transpose(u), v⟩ = ⟨u, transpose(v)⟩, and gradcheck', () => {
    const u = rand64([2, 3, 4]);
    const v = rand64([4, 3, 2]);
    expect(Math.abs(dot(u.transpose(0, 2), v) - dot(u, v.transpose(0, 2)))).toBeLessThan(1e-12);
    expectGradcheck((t) => t.transpose(0, -1), [rand64([2, 3, 4])]);
    expectGradcheck((t) => t.T.matmul(t), [rand64([3, 2])]);
    const x = rand64([3, 4]);
    expectClose(x.T.T.data, x.data, 0);
  });

  it('errors', () => {
    expect(() => rand64([2, 2, 2]).T).toThrow('T: expects a tensor of at most 2 dims, got shape [2,2,2]');
    expect(() => rand64([2, 2]).transpose(0, 2)).toThrow('transpose: dim 2 is out of range for a tensor of 2 dims');
  });
});

describe('unsqueeze, squeeze, permute, expand, tril, triu', () => {
  it('unsqueeze and squeeze add and drop dims of size 1', () => {
    const x = rand64([2, 3]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(1).unsqueeze(0).squeeze().shape).toEqual([2, 3]);
    expect(rand64([1, 2, 1]).squeeze(0).shape).toEqual([2, 1]);
    expect(rand64([1, 2, 1]).squeeze(1).shape).toEqual([1, 2, 1]); // not of size 1: kept, as PyTorch
    expect(() => x.unsqueeze(3)).toThrow('unsqueeze: dim 3 is out of range for a tensor of 3 dims');
    expectGradcheck((t) => t.unsqueeze(1).squeeze(1).tanh(), [rand64([2, 3])]);
  });

  it('permute reorders dims; its adjoint is the inverse permutation', () => {
    const x = tensor([
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]); // [1, 3, 2]
    expect(x.permute([2, 0, 1]).toArray()).toEqual([[[1, 3, 5]], [[2, 4, 6]]]);
    const u = rand64([2, 3, 4]);
    const v = rand64([4, 2, 3]);
    // ⟨P u, v⟩ = ⟨u, Pᵀ v⟩
    expectClose([dot(u.permute([2, 0, 1]), v)], [dot(u, v.permute([1, 2, 0]))]);
    expectGradcheck((t) => t.permute([1, 2, 0]).exp(), [rand64([2, 3, 4])]);
    expect(() => x.permute([0, 0, 1])).toThrow('permute: dim list [0, 0, 1] repeats a dim');
    expect(() => x.permute([0, 1])).toThrow("permute: dims [0, 1] must list each of the tensor's 3 dims once");
  });

  it('expand broadcasts; F15: its gradient is summed back', () => {
    const x = tensor([[1], [2]], { requiresGrad: true });
    const y = x.expand([3, -1, 4]);
    expect(y.shape).toEqual([3, 2, 4]);
    expect(y.slice(2).toArray()).toEqual([
      [1, 1, 1, 1],
      [2, 2, 2, 2],
    ]);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([[12], [12]]);
    expectGradcheck((t) => t.expand([2, 3, 3]).sin(), [rand64([3, 1])]);
    expect(() => x.expand([3, 3])).toThrow('expand: cannot expand shape [2,1] to [3,3] (only dims of size 1 can grow)');
  });

  it('tril and triu keep a triangle (with a diagonal offset) and mask the gradient alike', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(x.tril().toArray()).toEqual([
      [1, 0, 0],
      [4, 5, 0],
    ]);
    expect(x.triu(1).toArray()).toEqual([
      [0, 2, 3],
      [0, 0, 6],
    ]);
    expect(x.tril(-1).toArray()).toEqual([
      [0, 0, 0],
      [4, 0, 0],
    ]);
    expectGradcheck((t) => t.triu(-1).square(), [rand64([2, 3, 3])]);
    expect(() => tensor([1, 2]).tril()).toThrow('tril: expects a tensor of at least 2 dims, got shape [2]');
  });
});
