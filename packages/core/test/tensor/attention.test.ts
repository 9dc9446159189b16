// embedding and scaledDotProductAttention: hand values, PyTorch's values and gradients (fixture
// from scripts/torch_attention_fixture.py), gradcheck; and grad() / retainGraph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arange, embedding, grad, ones, Rng, scaledDotProductAttention, type Tensor, tensor } from '../../src/index';
import { expectClose, expectGradcheck, rand64 } from './helpers';

type Case = { y: number[]; gq: number[]; gk: number[]; gv: number[] };
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'attention.json'), 'utf8'),
) as Record<'plain' | 'causal' | 'bool' | 'float', Case> & { boolMask: boolean[][] };

/** x_i = sin(c·i), as the fixture script makes its inputs. */
const mk = (shape: number[], c: number): Tensor =>
  arange(
    shape.reduce((a, b) => a * b, 1),
    { dtype: 'float64' },
  )
    .mul(c)
    .sin()
    .reshape(shape)
    .detach();

describe('embedding', () => {
  it('picks rows; a row used twice gets both gradients (F17)', () => {
    const w = tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { requiresGrad: true },
    );
    const y = embedding(tensor(Int32Array.of(2, 0, 2, 2), { shape: [2, 2] }), w);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.toArray()).toEqual([
      [
        [5, 6],
        [1, 2],
      ],
      [
        [5, 6],
        [5, 6],
      ],
    ]);
    y.sum().backward();
    expect(w.grad?.toArray()).toEqual([
      [1, 1],
      [0, 0],
      [3, 3],
    ]);
    expectGradcheck((t) => embedding([1, 1, 0], t).tanh(), [rand64([2, 3])]);
    expect(() => embedding([3], w)).toThrow(
      'embedding: index 3 is out of range for a dim of size 3 (expected an integer in 0..2)',
    );
  });
});

describe('scaledDotProductAttention against PyTorch', () => {
  const cases: [keyof typeof fixture & string, (q: Tensor, k: Tensor, v: Tensor) => Tensor][] = [
    ['plain', (q, k, v) => scaledDotProductAttention(q, k, v)],
    ['causal', (q, k, v) => scaledDotProductAttention(q, k, v, { isCausal: true })],
    ['bool', (q, k, v) => scaledDotProductAttention(q, k, v, { attnMask: tensor(fixture.boolMask) })],
    ['float', (q, k, v) => scaledDotProductAttention(q, k, v, { attnMask: mk([3, 5], 0.11), scale: 0.3 })],
  ];
  for (const [name, f] of cases) {
    it(`${name}: output and ∂q, ∂k, ∂v equal PyTorch's (1e-12)`, () => {
      const expected = fixture[name] as Case;
      const [q, k, v] = [mk([2, 3, 4], 0.37), mk([2, 5, 4], 0.53), mk([2, 5, 2], 0.71)].map((t) => {
        t.requiresGrad = true;
        return t;
      }) as [Tensor, Tensor, Tensor];
      const y = f(q, k, v);
      expectClose(y.data, expected.y, 1e-12);
      y.mul(mk([2, 3, 2], 0.29))
        .sum()
        .backward();
      expectClose(q.grad?.data ?? [], expected.gq, 1e-12);
      expectClose(k.grad?.data ?? [], expected.gk, 1e-12);
      expectClose(v.grad?.data ?? [], expected.gv, 1e-12);
    });
  }

  it('gradcheck with respect to q, k and v', () => {
    expectGradcheck(
      (q, k, v) => scaledDotProductAttention(q, k, v, { isCausal: true }),
      [rand64([2, 3, 4]), rand64([2, 3, 4]), rand64([2, 3, 2])],
    );
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: the fused scale, causal mask and softmax equal the composite with an explicit bool mask`, () => {
      const r = new Rng(9);
      const make = (shape: number[]) => {
        const t = rand64(shape, -2, 2, r).detach().to(dtype);
        t.requiresGrad = true;
        return t;
      };
      const [q, k, v] = [make([2, 3, 16, 8]), make([2, 3, 20, 8]), make([2, 3, 20, 4])];
      const probe = rand64([2, 3, 16, 4], -1, 1, r).detach().to(dtype);
      const allowed = ones([16, 20], { dtype: 'bool' }).tril();
      const run = (opts: { isCausal?: boolean; attnMask?: Tensor; scale?: number }) => {
        for (const t of [q, k, v]) t.grad = null;
        const y = scaledDotProductAttention(q, k, v, opts);
        y.mul(probe).sum().backward();
        return [y, q.grad as Tensor, k.grad as Tensor, v.grad as Tensor];
      };
      const tol = dtype === 'float64' ? 1e-13 : 1e-5;
      for (const [fused, composite] of [
        [{ isCausal: true }, { attnMask: allowed }],
        [
          { isCausal: true, scale: 0.7 },
          { attnMask: allowed, scale: 0.7 },
        ],
        [{}, { attnMask: ones([16, 20], { dtype: 'bool' }) }],
      ] as const) {
        const want = run(composite);
        const got = run(fused);
        for (const [i, w] of want.entries()) expectClose((got[i] as Tensor).data, w.data, tol);
      }
    });
  }

  it('rejects a mask together with isCausal', () => {
    const q = rand64([2, 2]);
    expect(() => scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: tensor([[true]]) })).toThrow(
      'scaledDotProductAttention: give attnMask or isCausal, not both',
    );
  });
});

describe('grad() and retainGraph', () => {
  it('grad returns ∂y/∂x without touching any .grad', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const w = tensor([2, 2, 2], { requiresGrad: true });
    w.grad = tensor([9, 9, 9]);
    const h = x.mul(w);
    const [gx, gh] = grad(h.square().sum(), [x, h]);
    expect(gx?.toArray()).toEqual([8, 16, 24]); // 2h·w
    expect(gh?.toArray()).toEqual([4, 8, 12]); // 2h
    expect(x.grad).toBe(null);
    expect(w.grad?.toArray()).toEqual([9, 9, 9]);
  });

  it('gradOutput weights a non-scalar output; unused inputs and non-grad inputs are errors', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = grad(x.mul(3), [x], { gradOutput: tensor([1, 10]) });
    expect(g?.toArray()).toEqual([3, 30]);
    const other = tensor([1], { requiresGrad: true });
    expect(() => grad(x.sum(), [other])).toThrow('grad: input 0 was not used to compute the output');
    expect(() => grad(x.sum(), [tensor([1])])).toThrow(
      'grad: input 0 is a Tensor of shape [1], which does not require grad',
    );
  });

  it('retainGraph lets backward run twice through one graph, accumulating', () => {
    const x = tensor([3], { requiresGrad: true });
    const y = x.square();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad?.toArray()).toEqual([12]);
    expect(() => y.backward()).toThrow('backward: the graph has already been freed');
    const z = x.mul(x);
    const [g1] = grad(z, [x], { retainGraph: true });
    const [g2] = grad(z, [x]);
    expect([g1?.item(), g2?.item()]).toEqual([6, 6]);
  });
});
