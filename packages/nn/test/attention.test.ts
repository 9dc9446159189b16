import { ChainruleError, gradcheck, ones, Rng, randn, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { MultiheadAttention } from '../src/index';

const f64 = { dtype: 'float64' as const };
const close = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  a.data.forEach((v, i) => {
    expect(v).toBeCloseTo(b.data[i] as number, 12);
  });
};

describe('MultiheadAttention', () => {
  it("has PyTorch's parameters: in_proj_weight [3E, E] xavier uniform, in_proj_bias and out_proj.bias zero", () => {
    const mha = new MultiheadAttention(16, 4, { rng: new Rng(0) });
    expect(mha.namedParameters().map(([n, t]) => [n, [...t.shape]])).toEqual([
      ['in_proj_weight', [48, 16]],
      ['in_proj_bias', [48]],
      ['out_proj.weight', [16, 16]],
      ['out_proj.bias', [16]],
    ]);
    const xavier = Math.sqrt(6 / (16 + 48));
    const w = Array.from(mha.in_proj_weight.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(xavier);
    expect(Math.max(...w)).toBeGreaterThan(0.95 * xavier);
    const o = Array.from(mha.out_proj.weight.data);
    expect(Math.max(...o.map(Math.abs))).toBeLessThanOrEqual(1 / 4);
    expect(Math.max(...o)).toBeGreaterThan(0.9 / 4);
    expect(Array.from(mha.in_proj_bias?.data ?? [1]).every((v) => v === 0)).toBe(true);
    expect(Array.from(mha.out_proj.bias?.data ?? [1]).every((v) => v === 0)).toBe(true);
    expect(new MultiheadAttention(4, 2, { bias: false }).namedParameters().map(([n]) => n)).toEqual([
      'in_proj_weight',
      'out_proj.weight',
    ]);
    expect(new MultiheadAttention(4, 2, { batchFirst: true }).toString()).toBe(
      'MultiheadAttention(4, numHeads=2, batchFirst=true\n  (out_proj): Linear(inFeatures=4, outFeatures=4, bias=true)\n)',
    );
  });

  it('with identity projections and one head is softmax(q kᵀ / √E) v (hand-derived)', () => {
    const mha = new MultiheadAttention(2, 1, f64);
    const eye = [
      [1, 0],
      [0, 1],
    ];
    mha.loadStateDict({
      in_proj_weight: tensor([...eye, ...eye, ...eye], f64),
      in_proj_bias: tensor([0, 0, 0, 0, 0, 0], f64),
      'out_proj.weight': tensor(eye, f64),
      'out_proj.bias': tensor([0, 0], f64),
    });
    const q = tensor([[1, 0]], f64); // unbatched: L = 1
    const kv = tensor(
      [
        [1, 0],
        [0, 2],
      ],
      f64,
    ); // S = 2
    const [y, w] = mha.forward(q, kv, kv);
    // scores = (1, 0) / √2; weights = softmax
    const a = Math.exp(1 / Math.SQRT2) / (Math.exp(1 / Math.SQRT2) + 1);
    close(w as Tensor, tensor([[a, 1 - a]], f64));
    close(y, tensor([[a, 2 * (1 - a)]], f64));
    // a bool keyPaddingMask hides key 0: all weight on key 1
    const [y2, w2] = mha.forward(q, kv, kv, { keyPaddingMask: tensor([true, false]) });
    close(w2 as Tensor, tensor([[0, 1]], f64));
    close(y2, tensor([[0, 2]], f64));
  });

  it('masks: bool (true = not allowed) is a −∞ float mask, isCausal is the triu mask, [N·h, L, S] is per head', () => {
    const rng = new Rng(2);
    const mha = new MultiheadAttention(8, 2, { rng, ...f64 });
    const x = randn([4, 3, 8], { rng, ...f64 }); // [L, N, E]
    const causal = ones([4, 4], { dtype: 'bool' }).triu(1);
    const [yBool, wBool] = mha.forward(x, x, x, { attnMask: causal });
    const [yFloat, wFloat] = mha.forward(x, x, x, {
      attnMask: tensor(
        Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => (j > i ? -Infinity : 0))),
        f64,
      ),
    });
    const [yCausal] = mha.forward(x, x, x, { isCausal: true });
    close(yFloat, yBool);
    close(wFloat as Tensor, wBool as Tensor);
    close(yCausal, yBool);
    expect((wBool as Tensor).select(0, 1).toArray()).toEqual([
      [1, 0, 0, 0],
      expect.any(Array),
      expect.any(Array),
      expect.any(Array),
    ]);
    // the same [L, S] mask given for each of N·h (batch, head) pairs
    const perHead = causal.unsqueeze(0).expand([6, 4, 4]);
    close(mha.forward(x, x, x, { attnMask: perHead })[0], yBool);
  });

  it('needWeights = false (through scaledDotProductAttention) gives the same output and gradients, and null', () => {
    const rng = new Rng(3);
    const mha = new MultiheadAttention(8, 4, { batchFirst: true, rng, ...f64 });
    const q = randn([2, 3, 8], { rng, requiresGrad: true, ...f64 });
    const kv = randn([2, 5, 8], { rng, requiresGrad: true, ...f64 });
    const masks = {
      attnMask: randn([3, 5], { rng, ...f64 }),
      keyPaddingMask: tensor([
        [false, false, true, false, true],
        [false, false, false, false, false],
      ]),
      isCausal: true,
    };
    const [y1, w1] = mha.forward(q, kv, kv, masks);
    y1.square().sum().backward();
    const grads1 = [q, kv, ...mha.parameters()].map((t) => t.grad?.clone() as Tensor);
    for (const t of [q, kv, ...mha.parameters()]) t.grad = null;
    const [y2, w2] = mha.forward(q, kv, kv, { ...masks, needWeights: false });
    y2.square().sum().backward();
    expect(w1?.shape).toEqual([2, 3, 5]);
    expect(w2).toBeNull();
    close(y2, y1);
    [q, kv, ...mha.parameters()].forEach((t, i) => {
      close(t.grad as Tensor, grads1[i] as Tensor);
    });
  });

  it('unbatched input is the batch of one without its batch dim', () => {
    const rng = new Rng(4);
    const mha = new MultiheadAttention(6, 3, { rng, ...f64 });
    const q = randn([2, 6], { rng, ...f64 });
    const kv = randn([4, 6], { rng, ...f64 });
    const kpm = tensor([false, true, false, false]);
    const [y, w] = mha.forward(q, kv, kv, { keyPaddingMask: kpm });
    const [yb, wb] = mha.forward(q.unsqueeze(1), kv.unsqueeze(1), kv.unsqueeze(1), {
      keyPaddingMask: kpm.unsqueeze(0),
    });
    close(y, yb.squeeze(1));
    close(w as Tensor, (wb as Tensor).squeeze(0));
  });

  it('dropout drops attention weights in training mode only', () => {
    const rng = new Rng(5);
    const mha = new MultiheadAttention(4, 1, { dropout: 0.5, rng, ...f64 });
    const x = randn([6, 2, 4], { rng, ...f64 });
    const [, w] = mha.forward(x, x, x);
    const values = Array.from((w as Tensor).data);
    expect(values.filter((v) => v === 0).length).toBeGreaterThan(10);
    expect(Math.max(...values)).toBeLessThanOrEqual(2); // kept weights scaled by 1/(1 − p)
    mha.eval();
    const [, wEval] = mha.forward(x, x, x);
    const rows = (wEval as Tensor).sum(-1);
    close(rows, ones([2, 6], f64));
  });

  it('gradcheck (float64) w.r.t. query, key, value and the input projection, with masks', () => {
    const rng = new Rng(6);
    const mha = new MultiheadAttention(4, 2, { rng, ...f64 });
    const inputs = [
      randn([3, 2, 4], { rng, requiresGrad: true, ...f64 }),
      randn([2, 2, 4], { rng, requiresGrad: true, ...f64 }),
      randn([2, 2, 4], { rng, requiresGrad: true, ...f64 }),
      mha.in_proj_weight,
      mha.in_proj_bias as Tensor,
    ];
    const attnMask = randn([3, 2], { rng, ...f64 });
    const report = gradcheck(
      (q, k, v, w, b) => {
        const own = [mha.in_proj_weight, mha.in_proj_bias];
        [mha.in_proj_weight, mha.in_proj_bias] = [w as Tensor, b as Tensor];
        try {
          const [y, weights] = mha.forward(q as Tensor, k as Tensor, v as Tensor, { attnMask });
          return y.sum().add((weights as Tensor).square().sum());
        } finally {
          [mha.in_proj_weight, mha.in_proj_bias] = own as [Tensor, Tensor];
        }
      },
      inputs,
      { atol: 1e-6, rtol: 1e-5 },
    );
    expect(report.ok, report.message).toBe(true);
  });

  it('rejects bad sizes, options, inputs and masks, naming the layer; a failed forward changes nothing', () => {
    expect(() => new MultiheadAttention(6, 4)).toThrow(
      'MultiheadAttention: embedDim 6 must be divisible by numHeads 4',
    );
    expect(() => new MultiheadAttention(0, 1)).toThrow(
      'MultiheadAttention: embedDim must be a positive integer, got 0',
    );
    expect(() => new MultiheadAttention(4, 2, { dropout: 1 })).toThrow(
      'MultiheadAttention: dropout must be a number in [0, 1), got 1',
    );
    const mha = new MultiheadAttention(4, 2);
    const before = mha.parameters().map((p) => Array.from(p.data));
    const x = randn([3, 2, 4]);
    expect(() => mha.forward(randn([3, 2, 5]), x, x)).toThrow('MultiheadAttention: query must be a Tensor [L, N, 4]');
    expect(() => mha.forward(x, randn([5, 2, 4]), randn([4, 2, 4]))).toThrow(
      'MultiheadAttention: key [5,2,4] and value [4,2,4] must both be [S, N, 4]',
    );
    expect(() => mha.forward(x, x, x, { attnMask: ones([3, 4]) })).toThrow(
      'MultiheadAttention: attnMask has shape [3,4], expected [3,3] or [4,3,3]',
    );
    expect(() => mha.forward(x, x, x, { keyPaddingMask: ones([2, 3], { dtype: 'int32' }) })).toThrow(
      'MultiheadAttention: keyPaddingMask must be bool or float, got int32',
    );
    expect(() => mha.forward(x, x, x, { needWeights: 1 as unknown as boolean })).toThrow(
      'MultiheadAttention: needWeights must be a boolean, got 1',
    );
    expect(() => mha.forward(x, x, x, null as unknown as object)).toThrow(ChainruleError);
    expect(mha.parameters().map((p) => Array.from(p.data))).toEqual(before);
    expect(mha.parameters().every((p) => p.grad === null)).toBe(true);
  });
});
