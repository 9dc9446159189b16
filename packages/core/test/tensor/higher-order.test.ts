// The registry of differentiable ops: every op that records a graph node has a case here, and for
// every case (in float64) the Tensor-op VJP (the createGraph sweep) agrees with the fast kernel
// backward, gradcheck passes, and gradgradcheck checks the second derivatives.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  add,
  avgPool2d,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  cat,
  conv1d,
  conv2d,
  crossEntropy,
  embedding,
  exp,
  ge,
  grad,
  gradcheck,
  gradgradcheck,
  huber,
  layerNorm,
  linear,
  lstmCell,
  maximum,
  maxPool2d,
  minimum,
  Rng,
  reshape,
  scaledDotProductAttention,
  softmax,
  type Tensor,
  tensor,
  topoSort,
  tril,
  where,
  zeros,
} from '../../src/index';
import { scatterAdd } from '../../src/tensor/ops/indexing';
import { sumTo } from '../../src/tensor/ops/reduce';
import { expectClose, rand64 } from './helpers';

interface OpCase {
  /** The case's name; the ops it records are collected from its graphs. */
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
  /** A larger step and looser tolerances for cases that round through float32. */
  atol?: number;
  eps?: number;
}

const r = new Rng(7);
const x64 = (shape: number[], lo = -2, hi = 2) => rand64(shape, lo, hi, r);
const idx = (values: number[], shape = [values.length]) => tensor(values, { dtype: 'int32', shape });
const convX = x64([1, 2, 4, 4]);
const poolX = x64([1, 1, 4, 4]);
const cond = tensor([true, false, true, false, false, true]).reshape([2, 3]);

/** `f` as a function of its first derivative: g ↦ vᵀ∂f/∂x with createGraph, for second-order ops. */
function firstDerivative(f: (x: Tensor) => Tensor, x: Tensor): (v: Tensor) => Tensor {
  return (v) => grad(f(x), [x], { gradOutput: v, createGraph: true })[0] as Tensor;
}

export const opCases: OpCase[] = [
  // unary
  ...['exp', 'tanh', 'sigmoid', 'relu', 'abs', 'sin', 'cos', 'square', 'silu', 'softplus', 'gelu', 'erf', 'neg'].map(
    (name): OpCase => ({
      name,
      fn: (x) => ((x as unknown as Record<string, () => Tensor>)[name] as () => Tensor).call(x),
      inputs: () => [x64([2, 3])],
    }),
  ),
  { name: 'log', fn: (x) => x.log(), inputs: () => [x64([2, 3], 0.5, 2)] },
  { name: 'sqrt', fn: (x) => x.sqrt(), inputs: () => [x64([2, 3], 0.5, 2)] },
  { name: 'leakyRelu', fn: (x) => x.leakyRelu(0.2), inputs: () => [x64([2, 3])] },
  { name: 'pow 3', fn: (x) => x.pow(3), inputs: () => [x64([2, 3])] },
  { name: 'pow 2.5', fn: (x) => x.pow(2.5), inputs: () => [x64([2, 3], 0.5, 2)] },
  { name: 'to', fn: (x) => x.to('float32').mul(3).to('float64'), inputs: () => [x64([3])], atol: 1e-3, eps: 1e-3 },
  // binary, broadcasting
  { name: 'add', fn: (a, b) => a.add(b), inputs: () => [x64([2, 3]), x64([3])] },
  { name: 'sub', fn: (a, b) => a.sub(b), inputs: () => [x64([2, 1]), x64([2, 3])] },
  { name: 'mul', fn: (a, b) => a.mul(b), inputs: () => [x64([2, 3]), x64([1, 3])] },
  { name: 'div', fn: (a, b) => a.div(b), inputs: () => [x64([2, 3]), x64([3], 0.5, 2)] },
  { name: 'maximum', fn: (a, b) => maximum(a, b), inputs: () => [x64([2, 3]), x64([3])] },
  { name: 'minimum', fn: (a, b) => minimum(a, b), inputs: () => [x64([2, 3]), x64([2, 1])] },
  { name: 'where', fn: (a, b) => where(cond, a, b), inputs: () => [x64([2, 3]), x64([3])] },
  { name: 'clamp', fn: (x) => x.clamp(-1, 0.5), inputs: () => [x64([2, 3])] },
  // products
  { name: 'matmul batched', fn: (a, b) => a.matmul(b), inputs: () => [x64([2, 3, 4]), x64([4, 2])] },
  { name: 'matmul broadcast', fn: (a, b) => a.matmul(b), inputs: () => [x64([2, 1, 2, 3]), x64([3, 3, 2])] },
  { name: 'matmul vector', fn: (a, b) => a.matmul(b), inputs: () => [x64([3]), x64([2, 3, 2])] },
  { name: 'matmul dot', fn: (a, b) => a.matmul(b), inputs: () => [x64([4]), x64([4])] },
  { name: 'matmul matrix-vector', fn: (a, b) => a.matmul(b), inputs: () => [x64([2, 4]), x64([4])] },
  { name: 'linear', fn: (x, w, b) => linear(x, w, b), inputs: () => [x64([2, 2, 3]), x64([4, 3]), x64([4])] },
  { name: 'layerNorm', fn: (x, w, b) => layerNorm(x, [3], w, b), inputs: () => [x64([2, 3]), x64([3]), x64([3])] },
  // attention's fused scale, causal mask and softmax (scaledSoftmax), and without the mask
  {
    name: 'scaledDotProductAttention causal',
    fn: (q, k, v) => scaledDotProductAttention(q, k, v, { isCausal: true }),
    inputs: () => [x64([2, 3, 2]), x64([2, 4, 2]), x64([2, 4, 2])],
  },
  {
    name: 'scaledDotProductAttention',
    fn: (q, k, v) => scaledDotProductAttention(q, k, v, { scale: 0.6 }),
    inputs: () => [x64([3, 2]), x64([3, 2]), x64([3, 2])],
  },
  // the fused LSTM step's two nodes, c′ (lstmCell) and h (lstmCellOutput), through one result
  {
    name: 'lstmCell',
    fn: (gi, gh, c) => {
      const [h, c1] = lstmCell(gi as Tensor, gh as Tensor, c as Tensor);
      return h.add(c1.mul(0.5));
    },
    inputs: () => [x64([2, 8]), x64([2, 8]), x64([2, 2])],
  },
  { name: 'linear no bias', fn: (x, w) => linear(x, w), inputs: () => [x64([3]), x64([2, 3])] },
  // reductions
  { name: 'sum', fn: (x) => x.sum([0, 2]), inputs: () => [x64([2, 3, 2])] },
  { name: 'sum all', fn: (x) => x.sum(), inputs: () => [x64([2, 3])] },
  { name: 'mean', fn: (x) => x.mean(1, true), inputs: () => [x64([2, 3])] },
  { name: 'max', fn: (x) => x.max(1), inputs: () => [x64([3, 4])] },
  { name: 'min', fn: (x) => x.min(), inputs: () => [x64([3, 4])] },
  { name: 'var', fn: (x) => x.var(1), inputs: () => [x64([2, 4])] },
  { name: 'std', fn: (x) => x.std(), inputs: () => [x64([2, 4])] },
  { name: 'logsumexp', fn: (x) => x.logsumexp(1), inputs: () => [x64([2, 4])] },
  { name: 'cumsum', fn: (x) => x.cumsum(1), inputs: () => [x64([2, 4])] },
  { name: 'softmax', fn: (x) => x.softmax(0), inputs: () => [x64([3, 2])] },
  { name: 'logSoftmax', fn: (x) => x.logSoftmax(-1), inputs: () => [x64([2, 4])] },
  // shape and indexing
  { name: 'reshape', fn: (x) => x.reshape([3, 2]).mul(x.reshape([3, 2])), inputs: () => [x64([2, 3])] },
  { name: 'transpose', fn: (x) => x.transpose(0, 2).square(), inputs: () => [x64([2, 3, 2])] },
  { name: 'permute', fn: (x) => x.permute([2, 0, 1]).square(), inputs: () => [x64([2, 3, 2])] },
  { name: 'expand', fn: (x) => x.expand([2, 3, 2]).square(), inputs: () => [x64([3, 1])] },
  { name: 'tril', fn: (x) => x.tril().square(), inputs: () => [x64([3, 3])] },
  { name: 'triu', fn: (x) => x.triu(1).square(), inputs: () => [x64([2, 3, 3])] },
  { name: 'narrow', fn: (x) => x.narrow(1, -3, 2).square(), inputs: () => [x64([2, 4])] },
  { name: 'select', fn: (x) => x.select(0, 1).square(), inputs: () => [x64([2, 3])] },
  { name: 'split', fn: (x) => (x.split([1, 2], 1)[1] as Tensor).square(), inputs: () => [x64([2, 3])] },
  { name: 'slice', fn: (x) => x.slice([0, 2], idx([2, 0, 2])).square(), inputs: () => [x64([3, 3])] },
  { name: 'indexSelect', fn: (x) => x.indexSelect(1, [2, 0, 2]).square(), inputs: () => [x64([2, 3])] },
  { name: 'gather', fn: (x) => x.gather(1, idx([0, 2, 1, 1], [2, 2])).square(), inputs: () => [x64([2, 3])] },
  { name: 'repeat', fn: (x) => x.repeat([2, 1]).square(), inputs: () => [x64([2, 3])] },
  { name: 'flip', fn: (x) => x.flip([0, 1]).mul(x), inputs: () => [x64([2, 3])] },
  { name: 'embedding', fn: (w) => embedding([1, 0, 1], w).square(), inputs: () => [x64([3, 2])] },
  { name: 'cat', fn: (a, b) => cat([a, b], 1).square(), inputs: () => [x64([2, 1]), x64([2, 3])] },
  { name: 'stack', fn: (a, b) => a.unsqueeze(0).mul(b.unsqueeze(1)), inputs: () => [x64([2]), x64([3])] },
  // losses (fused)
  {
    name: 'crossEntropy',
    fn: (z) => crossEntropy(z, [0, 2, 1]),
    inputs: () => [x64([3, 4])],
  },
  { name: 'crossEntropy none', fn: (z) => crossEntropy(z, [3, 1], 'none'), inputs: () => [x64([2, 4])] },
  { name: 'crossEntropy sum', fn: (z) => crossEntropy(z, [2], 'sum'), inputs: () => [x64([4])] },
  {
    name: 'bceLoss',
    fn: (p) => binaryCrossEntropy(p, tensor([0.2, 1, 0, 0.7], { dtype: 'float64' })),
    inputs: () => [x64([4], 0.1, 0.9)],
  },
  {
    name: 'bceWithLogitsLoss',
    fn: (z) =>
      binaryCrossEntropyWithLogits(
        z,
        tensor(
          [
            [0.2, 1],
            [0, 0.7],
          ],
          { dtype: 'float64' },
        ),
        'none',
      ),
    inputs: () => [x64([2, 2])],
  },
  {
    name: 'huberLoss',
    fn: (p) => huber(p, tensor([0.5, -1, 3, 0], { dtype: 'float64' }), 1, 'sum'),
    inputs: () => [x64([4])],
  },
  // convolution and pooling
  {
    name: 'conv2d',
    fn: (x, w, b) => conv2d(x, w, b, { padding: 1, stride: 2 }),
    inputs: () => [x64([2, 2, 4, 4]), x64([3, 2, 3, 3]), x64([3])],
  },
  {
    name: 'conv1d groups',
    fn: (x, w) => conv1d(x, w, null, { groups: 2, dilation: 2 }),
    inputs: () => [x64([1, 4, 6]), x64([2, 2, 2])],
  },
  { name: 'maxPool2d', fn: (x) => maxPool2d(x, 2), inputs: () => [x64([1, 2, 4, 4])] },
  { name: 'avgPool2d', fn: (x) => avgPool2d(x, 2, { stride: 1, padding: 1 }), inputs: () => [x64([1, 1, 3, 3])] },
  // the adjoint ops that second derivatives run through, each as a function of its own operands
  {
    name: 'conv2d input gradient',
    fn: (g, w) =>
      grad(conv2d(convX, w, null, { padding: 1 }), [convX], { gradOutput: g, createGraph: true })[0] as Tensor,
    inputs: () => [x64([1, 2, 4, 4]), x64([2, 2, 3, 3])],
  },
  {
    name: 'conv2d weight and input gradients',
    fn: (x, w, g) => {
      const [gx, gw] = grad(conv2d(x, w, null, { stride: 2 }), [x, w], { gradOutput: g, createGraph: true });
      return (gx as Tensor).sum().add((gw as Tensor).square().sum());
    },
    inputs: () => [x64([1, 1, 5, 5]), x64([2, 1, 3, 3]), x64([1, 2, 2, 2])],
  },
  {
    name: 'max gradient (scatterAdd)',
    fn: (g) =>
      firstDerivative(
        (x) => x.max(0),
        tensor(
          [
            [1, 5],
            [3, 2],
          ],
          { dtype: 'float64', requiresGrad: true },
        ),
      )(g),
    inputs: () => [x64([2])],
  },
  {
    name: 'slice gradient (take)',
    fn: (g) =>
      firstDerivative(
        (x) => x.slice(idx([1, 1])),
        tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true }),
      )(g).square(),
    inputs: () => [x64([2])],
  },
  {
    name: 'narrow gradient (unnarrow)',
    fn: (g) =>
      firstDerivative(
        (x) => x.narrow(0, 1, 2),
        tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true }),
      )(g).square(),
    inputs: () => [x64([2])],
  },
  {
    name: 'avgPool2d gradient',
    fn: (g) => firstDerivative((x) => avgPool2d(x, 2), poolX)(g).square(),
    inputs: () => [x64([1, 1, 2, 2])],
  },
];

describe('every differentiable op: VJP in Tensor ops = fast backward, gradcheck, gradgradcheck (float64)', () => {
  for (const c of opCases) {
    it(`${c.name}`, () => {
      const xs = c.inputs();
      const y = c.fn(...xs);
      const v = x64([...y.shape]).detach();
      const fast = grad(y, xs, { gradOutput: v, retainGraph: true, allowUnused: true });
      const viaVjp = grad(y, xs, { gradOutput: v, createGraph: true, allowUnused: true });
      fast.forEach((g, i) => {
        expectClose((viaVjp[i] as Tensor).data, g.data, 1e-12);
      });
      const tol = { eps: c.eps ?? 1e-6, atol: c.atol ?? 1e-6, rtol: c.atol ? 1e-3 : 1e-4 };
      const first = gradcheck(c.fn, xs, tol);
      expect(first.ok, first.message).toBe(true);
      const second = gradgradcheck(c.fn, xs, tol);
      expect(second.ok, second.message).toBe(true);
    });
  }
});

describe('the registry covers every op that records a node', () => {
  const opsDir = join(import.meta.dirname, '..', '..', 'src', 'tensor', 'ops');
  /** Op names passed to record() as literals, plus those the shared helpers record under the caller's name. */
  const recorded = new Set(
    readdirSync(opsDir).flatMap((f) =>
      [...readFileSync(join(opsDir, f), 'utf8').matchAll(/record\(\s*\w+,\s*'(\w+)'/g)].map((m) => m[1] as string),
    ),
  );
  for (const dynamic of [
    'slice',
    'indexSelect',
    'gather',
    'repeat',
    'flip',
    'embedding',
    'tril',
    'triu',
    'maximum',
    'minimum',
    'bceLoss',
    'bceWithLogitsLoss',
    'huberLoss',
    'conv1d',
    'conv2d',
    'conv2dInputGrad',
    'conv2dWeightGrad',
  ]) {
    recorded.add(dynamic);
  }

  it('each recorded op appears in a registry case, in its forward graph or its first derivative', () => {
    const seen = new Set<string>();
    for (const c of opCases) {
      const xs = c.inputs();
      const y = c.fn(...xs);
      for (const t of topoSort(y) as Tensor[]) seen.add(t.op);
      const gs = grad(y, xs, { gradOutput: x64([...y.shape]).detach(), createGraph: true, allowUnused: true });
      for (const g of gs) for (const t of topoSort(g) as Tensor[]) seen.add(t.op);
    }
    const missing = [...recorded].filter((op) => !seen.has(op));
    expect(missing, `ops with no registry case: ${missing.join(', ')}`).toEqual([]);
    expect(recorded.size).toBeGreaterThan(45);
  });
});

describe('the ops the VJPs added', () => {
  it('erf matches tabulated values and its derivative 2/√π e^(−x²)', () => {
    const x = tensor([0, 0.5, 1, -2], { dtype: 'float64', requiresGrad: true });
    const y = x.erf();
    // Abramowitz & Stegun table 7.1: erf 0.5 = 0.5204998778, erf 1 = 0.8427007929, erf 2 = 0.9953222650
    expectClose(y.data, [0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527], 1e-14);
    y.sum().backward();
    expectClose(
      (x.grad as Tensor).data,
      [0, 0.5, 1, -2].map((v) => (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v)),
      1e-14,
    );
  });

  it('sumTo sums a broadcast gradient back to its operand (F15) and is the identity on equal shapes', () => {
    const g = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(sumTo(g, [3]).toArray()).toEqual([5, 7, 9]);
    expect(sumTo(g, [2, 1]).toArray()).toEqual([[6], [15]]);
    expect(sumTo(g, [1, 1]).toArray()).toEqual([[21]]);
    expect(sumTo(g, [2, 3])).toBe(g);
  });

  it('scatterAdd adds every element at its flat index, duplicates summed (F17)', () => {
    const g = tensor([1, 2, 3], { requiresGrad: true });
    const y = scatterAdd(g, Int32Array.from([2, 0, 2]), [2, 2]);
    expect(y.toArray()).toEqual([
      [2, 0],
      [4, 0],
    ]);
    y.mul(
      tensor([
        [10, 20],
        [30, 40],
      ]),
    )
      .sum()
      .backward();
    expect(g.grad?.toArray()).toEqual([30, 10, 30]);
  });
});

describe('edge cases that must not give NaN or a TypeError', () => {
  it('std of a constant has gradient 0 (PyTorch), std of NaN stays NaN', () => {
    const x = tensor(
      [
        [2, 2, 2],
        [1, 2, 4],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const s = x.std(1);
    expect(s.data[0]).toBe(0);
    s.sum().backward();
    expect((x.grad as Tensor).toArray()).toEqual([[0, 0, 0], expect.any(Array)]);
    expect((x.grad as Tensor).data.every(Number.isFinite)).toBe(true);
    expect(tensor([1, Number.NaN]).std().item()).toBeNaN();
  });

  it('linear with 0 input features gives the bias (PyTorch), and the bias its gradient', () => {
    const b = tensor([1, 2, 3], { requiresGrad: true });
    const y = linear(zeros([2, 0]), zeros([3, 0]), b);
    expect(y.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    y.sum().backward();
    expect((b.grad as Tensor).toArray()).toEqual([2, 2, 2]);
  });

  it('functional forms name the op for a null or non-tensor operand', () => {
    expect(() => add(null as unknown as Tensor, 1)).toThrow('add: expected a Tensor, got null');
    expect(() => exp(null as unknown as Tensor)).toThrow('exp: expected a Tensor, got null');
    expect(() => reshape(3 as unknown as Tensor, [1])).toThrow('reshape: expected a Tensor, got 3');
    expect(() => softmax(undefined as unknown as Tensor)).toThrow('softmax: expected a Tensor, got undefined');
    expect(() => ge(null as unknown as Tensor, 1)).toThrow('ge: expected a Tensor, got null');
    expect(() => maximum(null as unknown as Tensor, 1)).toThrow('maximum: expected a Tensor, got null');
    expect(() => tril(null as unknown as Tensor)).toThrow('tril: expected a Tensor, got null');
  });
});
