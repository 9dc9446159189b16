// The engine hands a gradient buffer over to a child instead of copying it (record.ts addGrad)
// only where nothing else can hold it: these tests hold it in each way a user can (retainGrad, a
// hook that keeps what it sees, an earlier backward's .grad) and check that it never changes after.
import { describe, expect, it } from 'vitest';
import { grad, lstmCell, Rng, randn, type Tensor, tensor } from '../../src/index';

const x4 = () => tensor([1, 2, 3, 4], { requiresGrad: true });
/** Every entry of `got` within 10^−digits of `want`'s. */
function expectClose(got: number[][], want: number[][], digits: number): void {
  expect(got.flat().length).toBe(want.flat().length);
  got.flat().forEach((v, i) => {
    expect(v).toBeCloseTo(want.flat()[i] as number, digits);
  });
}

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
    const loss = () =>
      x
        .reshape([2, 2])
        .mul(weights)
        .sum()
        .add(x.reshape([4, 1]).mul(3).sum());
    loss().backward();
    const first = x.grad as Tensor;
    expect(first.toArray()).toEqual([4, 5, 6, 7]);
    loss().backward();
    expect(x.grad).toBe(first); // accumulated in place, as in PyTorch
    expect(first.toArray()).toEqual([8, 10, 12, 14]);
  });

  it('add hands ∂L/∂y to one operand at most: the other keeps its own buffer when more flows into the first', () => {
    // the sweep runs nodes in reverse depth-first postorder from the loss: with the loss built as
    // (b·0 + a·5) + z, z's step runs first (a and b hold no gradient yet), then a·5 adds into a's
    // gradient, and only then does b's step read b's: had both taken z's ∂L/∂y, b would see a's 5
    for (const op of ['add', 'sub'] as const) {
      const x = x4();
      const a = x.mul(1);
      const b = x.mul(2);
      const z = op === 'add' ? a.add(b) : a.sub(b);
      b.sum().mul(0).add(a.mul(5).sum()).add(z.sum()).backward();
      // ∂/∂x = (1 + 5)·1 ± 2
      expect((x.grad as Tensor).toArray()).toEqual(Array(4).fill(op === 'add' ? 8 : 4));
    }
    const x = x4();
    x.add(x)
      .mul(tensor([1, 2, 3, 4]))
      .sum()
      .backward(); // one tensor on both sides
    expect((x.grad as Tensor).toArray()).toEqual([2, 4, 6, 8]);
  });

  it('lstmCell hands the gate gradient to gi or gh, never both (one tensor as both gets their sum)', () => {
    const a = tensor([0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.7, -0.6], { shape: [1, 8], requiresGrad: true });
    const c = tensor([0.25, -0.5], { shape: [1, 2] });
    const [h1, c1] = lstmCell(a, a, c);
    h1.add(c1.mul(2)).sum().backward();
    const copy = () => tensor(a.detach().clone().data as Float32Array, { shape: [1, 8], requiresGrad: true });
    const [gi, gh] = [copy(), copy()];
    const [h2, c2] = lstmCell(gi, gh, c);
    h2.add(c2.mul(2)).sum().backward();
    const ga = gi.grad as Tensor; // ∂L/∂gi = ∂L/∂gh
    const want = ga.add(gh.grad as Tensor).toArray() as number[][];
    const got = (a.grad as Tensor).toArray() as number[][];
    expectClose(got, want, 6);
    expect(want[0]?.some((v) => v !== 0)).toBe(true);
    // gi and gh made from x: the cell's step runs before gi·5 adds into gi's gradient, and gh's
    // step reads gh's after that (see the add test), so gh must not share gi's buffer
    const x = a.detach().clone();
    x.requiresGrad = true;
    const [xi, xh] = [x.mul(1), x.mul(1)];
    const [h3, c3] = lstmCell(xi, xh, c);
    xh.sum()
      .mul(0)
      .add(xi.mul(5).sum())
      .add(h3.add(c3.mul(2)).sum())
      .backward();
    const expected = ga.mul(2).add(5).toArray() as number[][];
    expectClose((x.grad as Tensor).toArray() as number[][], expected, 5);
  });

  it('the fast sweep, handing buffers over, gives the gradients of the graph-building sweep, which hands none', () => {
    // float64; a residual add, reshapes and lstmCell hand buffers over, transpose and narrow write
    // into fresh gradients
    const rng = new Rng(5);
    const x = randn([16, 32], { dtype: 'float64', rng, requiresGrad: true });
    const w = randn([32, 32], { dtype: 'float64', rng, requiresGrad: true });
    const gates = randn([32, 128], { dtype: 'float64', rng, requiresGrad: true });
    const c0 = randn([16, 32], { dtype: 'float64', rng });
    const loss = () => {
      const h = x.matmul(w).relu().add(x); // residual
      const r = h.reshape([32, 16]).transpose(0, 1).mul(h.tanh());
      const [hc, cc] = lstmCell(h.matmul(gates), x.matmul(gates), c0);
      return r
        .sum()
        .add(hc.mul(h).sum())
        .add(cc.sub(x).square().sum())
        .add(h.narrow(0, 2, 5).sigmoid().sum());
    };
    const params = [x, w, gates];
    const want = grad(loss(), params, { createGraph: true }).map((g) => g.detach());
    loss().backward();
    params.forEach((p, i) => {
      const got = (p.grad as Tensor).toArray() as number[][];
      const ref = (want[i] as Tensor).toArray() as number[][];
      // the two sweeps sum in different orders: equal to float64 rounding, relative to the size
      got.flat().forEach((v, j) => {
        const r = ref.flat()[j] as number;
        expect(Math.abs(v - r)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(r)));
      });
    });
  });
});
