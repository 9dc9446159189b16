// The engine hands a gradient buffer over to a child instead of copying it (record.ts addGrad)
// only where nothing else can hold it: these tests hold it in each way a user can (retainGrad, a
// hook that keeps what it sees, an earlier backward's .grad) and check that it never changes after.
import { describe, expect, it } from 'vitest';
import { lstmCell, Tensor, tensor } from '../../src/index';

const x4 = () => tensor([1, 2, 3, 4], { requiresGrad: true });
const weights = tensor([
  [1, 2],
  [3, 4],
]);

describe('gradient buffers handed over between nodes', () => {
  it('a retained gradient is not handed over: later contributions to the child leave it as it was', () => {
    // both orders of the two paths into x, so that either one reaches x first
    for (const reshapeFirst of [true, false]) {
      const x = x4();
      const y = x.reshape([2, 2]);
      y.retainGrad();
      const viaY = y.mul(weights).sum();
      const direct = x.mul(10).sum();
      (reshapeFirst ? viaY.add(direct) : direct.add(viaY)).backward();
      expect((y.grad as Tensor).toArray()).toEqual([
        [1, 2],
        [3, 4],
      ]);
      expect((x.grad as Tensor).toArray()).toEqual([11, 12, 13, 14]);
    }
  });

  it('a gradient a hook has seen is not handed over', () => {
    for (const reshapeFirst of [true, false]) {
      const x = x4();
      const y = x.reshape([2, 2]);
      let seen: Tensor | null = null;
      y.registerHook((g) => {
        seen = g;
      });
      const viaY = y.mul(weights).sum();
      const direct = x.mul(10).sum();
      (reshapeFirst ? viaY.add(direct) : direct.add(viaY)).backward();
      expect((seen as Tensor | null)?.toArray()).toEqual([
        [1, 2],
        [3, 4],
      ]);
      expect((x.grad as Tensor).toArray()).toEqual([11, 12, 13, 14]);
    }
  });

  it('a gradient handed over keeps accumulating correctly, and a .grad read earlier is the one that accumulates', () => {
    const x = x4();
    const loss = () => x.reshape([2, 2]).mul(weights).sum().add(x.reshape([4, 1]).mul(3).sum());
    loss().backward();
    const first = x.grad as Tensor;
    expect(first.toArray()).toEqual([4, 5, 6, 7]);
    loss().backward();
    expect(x.grad).toBe(first); // accumulated in place, as in PyTorch
    expect(first.toArray()).toEqual([8, 10, 12, 14]);
  });

  it('lstmCell with one tensor as both gi and gh gets the sum of both gradients', () => {
    const a = tensor([0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.7, -0.6], { shape: [1, 8], requiresGrad: true });
    const c = tensor([0.25, -0.5], { shape: [1, 2] });
    const [h1, c1] = lstmCell(a, a, c);
    h1.add(c1.mul(2)).sum().backward();
    const copy = () => tensor(a.detach().clone().data as Float32Array, { shape: [1, 8], requiresGrad: true });
    const [gi, gh] = [copy(), copy()];
    const [h2, c2] = lstmCell(gi, gh, c);
    h2.add(c2.mul(2)).sum().backward();
    const want = (gi.grad as Tensor).add(gh.grad as Tensor).toArray() as number[][];
    const got = (a.grad as Tensor).toArray() as number[][];
    got[0]?.forEach((v, i) => expect(v).toBeCloseTo(want[0]?.[i] as number, 6));
    expect(want[0]?.some((v) => v !== 0)).toBe(true);
  });
});
