import { ChainruleError, gradcheck, linear, Rng, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d,
  Dropout,
  GELU,
  LayerNorm,
  LeakyReLU,
  Linear,
  MLP,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from '../src/index';

const rng = new Rng(77);
function rand64(shape: number[], lo = -2, hi = 2): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float64Array.from({ length: n }, () => rng.uniform(lo, hi)),
    { shape, requiresGrad: true },
  );
}
/** gradcheck of a module's output with respect to its input and every parameter. */
function checkModule(m: { forward(x: Tensor): Tensor; parameters(): Tensor[] }, x: Tensor): void {
  const params = m.parameters();
  const report = gradcheck(
    // gradcheck perturbs float64 copies of the parameters: swap them in as the module's own
    (input, ...ps) => withParams(m, ps, () => m.forward(input)),
    [x, ...params],
    { atol: 1e-6, rtol: 1e-5 },
  );
  expect(report.ok, report.message).toBe(true);
}
/** Temporarily replaces a module's parameter fields by `ps` (same order as parameters()). */
function withParams<T>(m: object, ps: Tensor[], fn: () => T): T {
  const slots: [object, string, Tensor][] = [];
  const visit = (o: object) => {
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === 'object' && 'requiresGrad' in v && (v as Tensor).requiresGrad)
        slots.push([o, k, v as Tensor]);
      else if (Array.isArray(v)) {
        for (const e of v) if (typeof e === 'object') visit(e);
      } else if (v && typeof v === 'object' && 'training' in v) visit(v);
    }
  };
  visit(m);
  slots.forEach(([o, k], i) => {
    Object.defineProperty(o, k, { value: ps[i], configurable: true, writable: true });
  });
  try {
    return fn();
  } finally {
    for (const [o, k, v] of slots) Object.defineProperty(o, k, { value: v, configurable: true, writable: true });
  }
}

describe('Linear', () => {
  it('weight [out, in] and bias [out], initialised in ±1/√in, forward = x Wᵀ + b', () => {
    const l = new Linear(4, 3, { rng: new Rng(5), dtype: 'float64' });
    expect(l.weight.shape).toEqual([3, 4]);
    expect(l.bias?.shape).toEqual([3]);
    for (const v of [...l.weight.data, ...(l.bias?.data ?? [])]) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    const x = rand64([2, 4]);
    expect(Array.from(l.forward(x).data)).toEqual(Array.from(linear(x, l.weight, l.bias).data));
    expect(new Linear(2, 2, { bias: false }).bias).toBeNull();
    expect(() => new Linear(0, 2)).toThrow('Linear: inFeatures must be a positive integer, got 0');
  });

  it('init bounds across a large layer fill ±1/√in uniformly', () => {
    const l = new Linear(100, 200, { rng: new Rng(1), dtype: 'float64' });
    let max = 0;
    let sumSq = 0;
    for (const v of l.weight.data) {
      max = Math.max(max, Math.abs(v));
      sumSq += v * v;
    }
    expect(max).toBeLessThanOrEqual(0.1);
    expect(max).toBeGreaterThan(0.099);
    expect(Math.abs(sumSq / l.weight.size - 0.01 / 3)).toBeLessThan(0.0002); // Var U(−b, b) = b²/3
  });

  it('gradcheck through input, weight and bias', () => {
    checkModule(new Linear(3, 2, { rng: new Rng(2), dtype: 'float64' }), rand64([4, 3]));
  });
});

describe('activation modules and MLP', () => {
  it('each activation module applies its op, and passes gradcheck', () => {
    const x = rand64([2, 3]);
    expect(new ReLU().forward(x).data).toEqual(x.relu().data);
    expect(new Sigmoid().forward(x).data).toEqual(x.sigmoid().data);
    expect(new Tanh().forward(x).data).toEqual(x.tanh().data);
    expect(new LeakyReLU(0.2).forward(x).data).toEqual(x.leakyRelu(0.2).data);
    expect(new Softmax(0).forward(x).data).toEqual(x.softmax(0).data);
    for (const m of [new ReLU(), new Sigmoid(), new Tanh(), new LeakyReLU(0.2), new GELU(), new Softmax()])
      checkModule(m, rand64([2, 3]));
  });

  it('GELU(x) = x·Φ(x) at tabulated points of the normal CDF', () => {
    // Φ(−1) = 0.15865525393145707, Φ(0.5) = 0.6914624612740131, Φ(2) = 0.9772498680518208
    const y = new GELU().forward(tensor([-1, 0.5, 2], { dtype: 'float64' }));
    const want = [-0.15865525393145707, 0.34573123063700656, 1.9544997361036416];
    want.forEach((w, i) => {
      expect(Math.abs((y.data[i] as number) - w)).toBeLessThan(1e-15);
    });
  });

  it('MLP wires Linear layers with activations; gradcheck through every parameter', () => {
    const mlp = new MLP(3, [4, 2], {
      activation: 'tanh',
      outputActivation: 'softmax',
      rng: new Rng(3),
      dtype: 'float64',
    });
    const x = rand64([5, 3]);
    const l0 = mlp.layers[0] as Linear;
    const l1 = mlp.layers[1] as Linear;
    const manual = l1.forward(l0.forward(x).tanh()).softmax(-1);
    expect(Array.from(mlp.forward(x).data)).toEqual(Array.from(manual.data));
    checkModule(mlp, x);
    checkModule(
      new MLP(2, [3, 3, 1], { activation: 'gelu', outputActivation: 'sigmoid', rng: new Rng(4), dtype: 'float64' }),
      rand64([3, 2]),
    );
    expect(() => new MLP(2, [3], { activation: 'swish' as 'relu' })).toThrow("MLP: unknown activation 'swish'");
  });

  it('Sequential applies modules in order', () => {
    const a = new Linear(2, 3, { rng: new Rng(1), dtype: 'float64' });
    const b = new Linear(3, 1, { rng: new Rng(2), dtype: 'float64' });
    const x = rand64([4, 2]);
    expect(Array.from(new Sequential(a, new ReLU(), b).forward(x).data)).toEqual(
      Array.from(b.forward(a.forward(x).relu()).data),
    );
  });
});

describe('Dropout', () => {
  it('training: zeroes about p of the elements and scales the rest by 1/(1 − p); eval: identity', () => {
    const d = new Dropout(0.25, { rng: new Rng(9) });
    const x = tensor(new Float64Array(40_000).fill(1), { requiresGrad: true });
    const y = d.forward(x);
    const zeros = y.data.filter((v) => v === 0).length;
    expect(Math.abs(zeros / 40_000 - 0.25)).toBeLessThan(0.01);
    expect(y.data.every((v) => v === 0 || v === 1 / 0.75)).toBe(true);
    y.sum().backward();
    expect(Array.from(x.grad?.data ?? [])).toEqual(Array.from(y.data));
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(() => new Dropout(1.5)).toThrow('Dropout: p must be a number in [0, 1], got 1.5');
  });

  it('is reproducible from its seed', () => {
    const x = tensor(new Float32Array(100).fill(1));
    expect(new Dropout(0.5, { rng: new Rng(3) }).forward(x).data).toEqual(
      new Dropout(0.5, { rng: new Rng(3) }).forward(x).data,
    );
  });
});

describe('BatchNorm1d', () => {
  it('training normalises with batch statistics and updates running stats (momentum 0.1, unbiased var)', () => {
    const bn = new BatchNorm1d(2, { dtype: 'float64' });
    const x = tensor(
      [
        [1, 10],
        [3, 20],
        [5, 60],
      ],
      { dtype: 'float64' },
    );
    const y = bn.forward(x);
    // column 0: mean 3, biased var 8/3 → (x − 3)/√(8/3 + 1e−5)
    const s = Math.sqrt(8 / 3 + 1e-5);
    expect(Math.abs((y.data[0] as number) - -2 / s)).toBeLessThan(1e-12);
    expect(Math.abs((y.data[4] as number) - 2 / s)).toBeLessThan(1e-12);
    expect(Array.from(bn.running_mean.data)).toEqual([0.9 * 0 + 0.1 * 3, 0.1 * 30]);
    expect(Math.abs((bn.running_var.data[0] as number) - (0.9 + 0.1 * 4))).toBeLessThan(1e-12); // unbiased var 8/2
  });

  it('eval uses the running statistics', () => {
    const bn = new BatchNorm1d(1, { dtype: 'float64' });
    bn.running_mean.data[0] = 2;
    bn.running_var.data[0] = 4;
    bn.eval();
    const y = bn.forward(tensor([[6]], { dtype: 'float64' }));
    expect(Math.abs(y.item() - 4 / Math.sqrt(4 + 1e-5))).toBeLessThan(1e-12);
  });

  it('gradcheck in training mode, [N, C] and [N, C, L]', () => {
    const bn = new BatchNorm1d(3, { dtype: 'float64' });
    bn.weight?.data.set([1.5, -0.5, 2]);
    bn.bias?.data.set([0.1, 0.2, 0.3]);
    checkModule(bn, rand64([4, 3]));
    checkModule(bn, rand64([2, 3, 2]));
    expect(() => bn.forward(rand64([4, 2]))).toThrow(ChainruleError);
  });
});

describe('LayerNorm', () => {
  it('normalises over the last dims; gradcheck', () => {
    const ln = new LayerNorm(4, { dtype: 'float64' });
    const y = ln.forward(tensor([[1, 2, 3, 4]], { dtype: 'float64' }));
    const s = Math.sqrt(1.25 + 1e-5);
    [-1.5, -0.5, 0.5, 1.5].forEach((v, i) => {
      expect(Math.abs((y.data[i] as number) - v / s)).toBeLessThan(1e-12);
    });
    ln.weight?.data.set([1, 2, 3, 4]);
    checkModule(ln, rand64([3, 4]));
    checkModule(new LayerNorm([2, 3], { dtype: 'float64' }), rand64([2, 2, 3]));
    expect(() => ln.forward(rand64([2, 3]))).toThrow('LayerNorm: input [2,3] does not end with normalizedShape [4]');
  });
});
