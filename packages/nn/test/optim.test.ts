// Optimizers against their update rules: each reference below is the torch.optim pseudo-code
// written out scalar by scalar, independently of src/optim/kernels.ts.
import { ChainruleError, type DType, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  type AdamOptions,
  AdamW,
  type Optimizer,
  RMSprop,
  type RMSpropOptions,
  SGD,
  type SGDOptions,
} from '../src/index';

const THETA0 = [0.5, -1.25, 2];
const GRADS = [
  [0.1, -0.2, 0.3],
  [-0.4, 0.05, 0.6],
  [0.25, 0.5, -0.75],
];

/** θ after each of three steps with GRADS, run through `make`'s optimizer. */
function run(make: (params: Tensor[]) => Optimizer, dtype: DType = 'float64'): number[][] {
  const p = tensor(THETA0, { dtype, requiresGrad: true });
  const opt = make([p]);
  return GRADS.map((g) => {
    p.grad = tensor(g, { dtype });
    opt.step();
    return Array.from(p.data);
  });
}

function expectClose(actual: number[][], expected: number[][], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, t) => {
    row.forEach((x, i) => {
      const want = expected[t]?.[i] as number;
      expect(Math.abs(x - want), `step ${t + 1}, element ${i}: ${x} vs ${want}`).toBeLessThanOrEqual(
        tol * Math.max(1, Math.abs(want)),
      );
    });
  });
}

/** Asserts that `fn` throws a ChainruleError with exactly `message`. */
function expectError(fn: () => unknown, message: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ChainruleError);
  expect((error as Error).message).toBe(message);
}

function sgdReference(o: SGDOptions): number[][] {
  const { lr, momentum: mu = 0, dampening: tau = 0, nesterov = false, weightDecay: wd = 0 } = o;
  let theta = [...THETA0];
  let b: number[] = [];
  return GRADS.map((grad, t) => {
    let g = grad.map((gi, i) => (wd !== 0 ? gi + wd * (theta[i] as number) : gi));
    if (mu !== 0) {
      b = t === 0 ? [...g] : b.map((bi, i) => mu * bi + (1 - tau) * (g[i] as number));
      g = nesterov ? g.map((gi, i) => gi + mu * (b[i] as number)) : [...b];
    }
    theta = theta.map((th, i) => th - lr * (g[i] as number));
    return theta;
  });
}

function adamReference(o: AdamOptions & { decoupled?: boolean }): number[][] {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay: wd = 0, amsgrad = false, decoupled = false } = o;
  const [b1, b2] = betas;
  let theta = [...THETA0];
  let m = [0, 0, 0];
  let v = [0, 0, 0];
  let vMax = [0, 0, 0];
  return GRADS.map((grad, k) => {
    const t = k + 1;
    if (decoupled) theta = theta.map((th) => th * (1 - lr * wd));
    const g = grad.map((gi, i) => (!decoupled && wd !== 0 ? gi + wd * (theta[i] as number) : gi));
    m = m.map((mi, i) => b1 * mi + (1 - b1) * (g[i] as number));
    v = v.map((vi, i) => b2 * vi + (1 - b2) * (g[i] as number) ** 2);
    vMax = vMax.map((x, i) => Math.max(x, v[i] as number));
    const mHat = m.map((mi) => mi / (1 - b1 ** t));
    const vHat = (amsgrad ? vMax : v).map((vi) => vi / (1 - b2 ** t));
    theta = theta.map((th, i) => th - (lr * (mHat[i] as number)) / (Math.sqrt(vHat[i] as number) + eps));
    return theta;
  });
}

function rmspropReference(o: RMSpropOptions): number[][] {
  const { lr = 1e-2, alpha = 0.99, eps = 1e-8, momentum: mu = 0, centered = false, weightDecay: wd = 0 } = o;
  let theta = [...THETA0];
  let v = [0, 0, 0];
  let gAve = [0, 0, 0];
  let b = [0, 0, 0];
  return GRADS.map((grad) => {
    const g = grad.map((gi, i) => (wd !== 0 ? gi + wd * (theta[i] as number) : gi));
    v = v.map((vi, i) => alpha * vi + (1 - alpha) * (g[i] as number) ** 2);
    let vTilde = [...v];
    if (centered) {
      gAve = gAve.map((ga, i) => ga * alpha + (1 - alpha) * (g[i] as number));
      vTilde = vTilde.map((vt, i) => vt - (gAve[i] as number) ** 2);
    }
    if (mu > 0) {
      b = b.map((bi, i) => mu * bi + (g[i] as number) / (Math.sqrt(vTilde[i] as number) + eps));
      theta = theta.map((th, i) => th - lr * (b[i] as number));
    } else {
      theta = theta.map((th, i) => th - (lr * (g[i] as number)) / (Math.sqrt(vTilde[i] as number) + eps));
    }
    return theta;
  });
}

describe('SGD', () => {
  it('plain step by hand: θ₁ = θ₀ − γg', () => {
    expectClose(run((ps) => new SGD(ps, { lr: 0.1 })).slice(0, 1), [[0.49, -1.23, 1.97]]);
  });

  it('momentum: b₁ = g₁ on the first step, then μb + g (hand values)', () => {
    // θ₀ = 0.5; b₁ = 0.1 → θ₁ = 0.49; b₂ = 0.9·0.1 − 0.4 = −0.31 → θ₂ = 0.521
    const traj = run((ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }));
    expect(traj[0]?.[0]).toBeCloseTo(0.49, 14);
    expect(traj[1]?.[0]).toBeCloseTo(0.521, 14);
  });

  const cases: [string, SGDOptions][] = [
    ['plain', { lr: 0.1 }],
    ['momentum', { lr: 0.1, momentum: 0.9 }],
    ['momentum with dampening', { lr: 0.1, momentum: 0.9, dampening: 0.3 }],
    ['nesterov', { lr: 0.1, momentum: 0.9, nesterov: true }],
    ['weight decay', { lr: 0.1, weightDecay: 0.05 }],
    ['nesterov + weight decay', { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 }],
  ];
  for (const [name, opts] of cases) {
    it(`${name}: three steps match the update equations`, () => {
      expectClose(
        run((ps) => new SGD(ps, opts)),
        sgdReference(opts),
      );
    });
  }
});

describe('Adam', () => {
  it('first step moves each element by γ·g/(|g| + ε) (bias correction cancels)', () => {
    const first = run((ps) => new Adam(ps, { lr: 0.01 }))[0] as number[];
    first.forEach((x, i) => {
      const g = GRADS[0]?.[i] as number;
      expect(x).toBeCloseTo((THETA0[i] as number) - (0.01 * g) / (Math.abs(g) + 1e-8), 14);
    });
  });

  const cases: [string, AdamOptions][] = [
    ['defaults', {}],
    ['lr, betas and eps', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6 }],
    ['L2 weight decay (g ← g + λθ)', { lr: 0.01, weightDecay: 0.1 }],
    ['amsgrad', { lr: 0.01, betas: [0.9, 0.5], amsgrad: true }],
    ['amsgrad + weight decay', { lr: 0.01, betas: [0.9, 0.5], amsgrad: true, weightDecay: 0.2 }],
  ];
  for (const [name, opts] of cases) {
    it(`${name}: three steps match the update equations`, () => {
      expectClose(
        run((ps) => new Adam(ps, opts)),
        adamReference(opts),
      );
    });
  }

  it('amsgrad changes the trajectory when v decreases', () => {
    const plain = run((ps) => new Adam(ps, { lr: 0.01, betas: [0.9, 0.5] }));
    const ams = run((ps) => new Adam(ps, { lr: 0.01, betas: [0.9, 0.5], amsgrad: true }));
    expect(ams[2]?.[1]).not.toBeCloseTo(plain[2]?.[1] as number, 6);
  });

  it('float32 params keep float32 state and follow the equations to float32 precision', () => {
    const opts = { lr: 0.01, weightDecay: 0.1 };
    let opt: Adam | undefined;
    const traj = run((ps) => {
      opt = new Adam(ps, opts);
      return opt;
    }, 'float32');
    expectClose(traj, adamReference(opts), 1e-6);
    const s = opt?.state.values().next().value;
    expect(s?.expAvg).toBeInstanceOf(Float32Array);
    expect(s?.expAvgSq).toBeInstanceOf(Float32Array);
    expect(s?.step).toBe(3);
  });
});

describe('AdamW', () => {
  const cases: [string, AdamOptions, AdamOptions][] = [
    ['defaults (γ = 1e-3, λ = 1e-2)', {}, { weightDecay: 1e-2 }],
    ['decoupled decay θ ← θ(1 − γλ)', { lr: 0.01, weightDecay: 0.1 }, { lr: 0.01, weightDecay: 0.1 }],
    [
      'betas and eps',
      { lr: 0.02, betas: [0.85, 0.95], eps: 1e-7 },
      { lr: 0.02, betas: [0.85, 0.95], eps: 1e-7, weightDecay: 1e-2 },
    ],
    [
      'amsgrad',
      { lr: 0.01, betas: [0.9, 0.5], amsgrad: true },
      { lr: 0.01, betas: [0.9, 0.5], amsgrad: true, weightDecay: 1e-2 },
    ],
  ];
  for (const [name, opts, reference] of cases) {
    it(`${name}: three steps match the update equations`, () => {
      expectClose(
        run((ps) => new AdamW(ps, opts)),
        adamReference({ ...reference, decoupled: true }),
      );
    });
  }

  it('decoupled decay differs from Adam’s L2 decay', () => {
    const w = run((ps) => new AdamW(ps, { lr: 0.01, weightDecay: 0.1 }));
    const l2 = run((ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.1 }));
    expect(Math.abs((w[2]?.[2] as number) - (l2[2]?.[2] as number))).toBeGreaterThan(1e-5);
  });

  it('is an Adam with decoupledWeightDecay', () => {
    const opt = new AdamW([tensor([1], { requiresGrad: true })]);
    expect(opt).toBeInstanceOf(Adam);
    expect(opt.paramGroups[0]?.decoupledWeightDecay).toBe(true);
    expect(opt.paramGroups[0]?.weightDecay).toBe(1e-2);
    expect(opt.lr).toBe(1e-3);
    expect(opt.name).toBe('AdamW');
  });
});

describe('RMSprop', () => {
  const cases: [string, RMSpropOptions][] = [
    ['defaults', {}],
    ['alpha and eps (ε outside the root)', { alpha: 0.9, eps: 1e-3 }],
    ['momentum', { lr: 0.01, momentum: 0.9 }],
    ['centered', { lr: 0.01, centered: true }],
    ['weight decay', { lr: 0.01, weightDecay: 0.1 }],
    ['centered + momentum + weight decay', { lr: 0.005, alpha: 0.95, momentum: 0.5, centered: true, weightDecay: 0.1 }],
  ];
  for (const [name, opts] of cases) {
    it(`${name}: three steps match the update equations`, () => {
      expectClose(
        run((ps) => new RMSprop(ps, opts)),
        rmspropReference(opts),
      );
    });
  }
});

describe('Optimizer behaviour', () => {
  const makers: [string, (ps: Tensor[]) => Optimizer][] = [
    ['SGD', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ['Adam', (ps) => new Adam(ps, { amsgrad: true })],
    ['AdamW', (ps) => new AdamW(ps)],
    ['RMSprop', (ps) => new RMSprop(ps, { momentum: 0.9, centered: true })],
  ];

  for (const [name, make] of makers) {
    it(`${name}: skips params whose grad is null, and creates their state on their first step`, () => {
      const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
      const b = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
      const opt = make([a, b]) as Optimizer & { state: Map<Tensor, unknown> };
      a.grad = tensor([0.5, -0.5], { dtype: 'float64' });
      opt.step();
      expect(Array.from(b.data)).toEqual([3, 4]);
      expect(Array.from(a.data)).not.toEqual([1, 2]);
      expect(opt.state.has(a)).toBe(true);
      expect(opt.state.has(b)).toBe(false);
    });

    it(`${name}: a failed step (grad of the wrong shape) changes no parameter and no state`, () => {
      const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
      const b = tensor([4, 5, 6], { dtype: 'float64', requiresGrad: true });
      const opt = make([a, b]) as Optimizer & { state: Map<Tensor, Record<string, unknown>> };
      a.grad = tensor([0.1, 0.2, 0.3], { dtype: 'float64' });
      b.grad = tensor([0.3, 0.2, 0.1], { dtype: 'float64' });
      opt.step();
      const snapshot = () =>
        JSON.stringify([
          Array.from(a.data),
          Array.from(b.data),
          [...opt.state.values()].map((s) =>
            Object.entries(s).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]),
          ),
        ]);
      const before = snapshot();
      b.grad = tensor([1, 2], { dtype: 'float64' });
      expectError(() => opt.step(), `${name}: grad of params[1] has shape [2] but the parameter has shape [3]`);
      b.grad = 'oops' as unknown as Tensor;
      expectError(() => opt.step(), `${name}: grad of params[1] must be a Tensor, got string 'oops'`);
      expect(snapshot()).toBe(before);
    });

    it(`${name}: zeroGrad sets every grad to null; a step then changes nothing`, () => {
      const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
      const opt = make([w]);
      w.mul(w).sum().backward();
      expect(w.grad?.toArray()).toEqual([2, -4]);
      opt.zeroGrad();
      expect(w.grad).toBeNull();
      opt.step();
      expect(Array.from(w.data)).toEqual([1, -2]);
    });
  }

  it('steps parameters in place from autograd gradients (SGD on (w − 3)²)', () => {
    const w = tensor([0], { dtype: 'float64', requiresGrad: true });
    const data = w.data;
    const opt = new SGD([w], { lr: 0.1, momentum: 0.5 });
    for (let i = 0; i < 100; i++) {
      opt.zeroGrad();
      w.sub(3).pow(2).sum().backward();
      opt.step();
    }
    expect(w.data).toBe(data);
    expect(w.item()).toBeCloseTo(3, 8);
  });

  it('lr can be changed between steps, and is validated', () => {
    const w = tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1 });
    opt.lr = 0.5;
    w.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    expect(w.item()).toBe(0.5);
    expectError(() => {
      opt.lr = -1;
    }, 'SGD: lr must be a finite number >= 0, got -1');
    expect(opt.lr).toBe(0.5);
  });
});

describe('hyperparameter and params validation', () => {
  const p = () => [tensor([1, 2, 3], { requiresGrad: true })];
  const cases: [() => unknown, string][] = [
    [() => new SGD(p(), { lr: -0.1 }), 'SGD: lr must be a finite number >= 0, got -0.1'],
    [() => new SGD(p(), { lr: Number.NaN }), 'SGD: lr must be a finite number >= 0, got NaN'],
    [() => new SGD(p(), {} as SGDOptions), 'SGD: lr must be a finite number >= 0, got undefined'],
    [() => new SGD(p(), { lr: 0.1, momentum: -0.9 }), 'SGD: momentum must be a finite number >= 0, got -0.9'],
    [() => new SGD(p(), { lr: 0.1, dampening: -0.5 }), 'SGD: dampening must be a finite number >= 0, got -0.5'],
    [() => new SGD(p(), { lr: 0.1, dampening: 1.5 }), 'SGD: dampening must be in [0, 1], got 1.5'],
    [() => new SGD(p(), { lr: 0.1, weightDecay: -1 }), 'SGD: weightDecay must be a finite number >= 0, got -1'],
    [
      () => new SGD(p(), { lr: 0.1, nesterov: true }),
      'SGD: nesterov requires momentum > 0 and dampening = 0, got momentum 0 and dampening 0',
    ],
    [
      () => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      'SGD: nesterov requires momentum > 0 and dampening = 0, got momentum 0.9 and dampening 0.1',
    ],
    [
      () => new SGD(p(), { lr: 0.1, nesterov: 'yes' as unknown as boolean }),
      "SGD: nesterov must be a boolean, got string 'yes'",
    ],
    [() => new Adam(p(), { lr: -1 }), 'Adam: lr must be a finite number >= 0, got -1'],
    [() => new Adam(p(), { betas: [1.5, 0.999] }), 'Adam: betas[0] must be in [0, 1), got 1.5'],
    [() => new Adam(p(), { betas: [-0.1, 0.999] }), 'Adam: betas[0] must be in [0, 1), got -0.1'],
    [() => new Adam(p(), { betas: [0.9, 1] }), 'Adam: betas[1] must be in [0, 1), got 1'],
    [
      () => new Adam(p(), { betas: [0.9] as unknown as [number, number] }),
      'Adam: betas must be a pair [beta1, beta2], got [0.9]',
    ],
    [() => new Adam(p(), { eps: -1e-8 }), 'Adam: eps must be a finite number >= 0, got -1e-8'],
    [() => new Adam(p(), { weightDecay: Number.NaN }), 'Adam: weightDecay must be a finite number >= 0, got NaN'],
    [() => new Adam(p(), { amsgrad: 1 as unknown as boolean }), 'Adam: amsgrad must be a boolean, got 1'],
    [() => new AdamW(p(), { betas: [0.9, Number.NaN] }), 'AdamW: betas[1] must be in [0, 1), got NaN'],
    [() => new AdamW(p(), { weightDecay: -0.01 }), 'AdamW: weightDecay must be a finite number >= 0, got -0.01'],
    [() => new AdamW(p(), { lr: Number.POSITIVE_INFINITY }), 'AdamW: lr must be a finite number >= 0, got Infinity'],
    [() => new RMSprop(p(), { lr: -0.01 }), 'RMSprop: lr must be a finite number >= 0, got -0.01'],
    [() => new RMSprop(p(), { alpha: 1 }), 'RMSprop: alpha must be in [0, 1), got 1'],
    [() => new RMSprop(p(), { alpha: -0.1 }), 'RMSprop: alpha must be in [0, 1), got -0.1'],
    [() => new RMSprop(p(), { eps: -1 }), 'RMSprop: eps must be a finite number >= 0, got -1'],
    [() => new RMSprop(p(), { momentum: -0.9 }), 'RMSprop: momentum must be a finite number >= 0, got -0.9'],
    [() => new RMSprop(p(), { weightDecay: -1 }), 'RMSprop: weightDecay must be a finite number >= 0, got -1'],
    [() => new RMSprop(p(), { centered: 1 as unknown as boolean }), 'RMSprop: centered must be a boolean, got 1'],
    [() => new SGD([], { lr: 0.1 }), 'SGD: got an empty parameter list'],
    [
      () => new Adam([tensor([1, 2, 3])]),
      'Adam: params[0] (shape [3]) does not require grad; create it with requiresGrad: true',
    ],
    [() => new Adam([...p(), 5 as unknown as Tensor]), 'Adam: params[1] must be a Tensor, got 5'],
    [
      () => {
        const [w] = p() as [Tensor];
        return new RMSprop([w, w]);
      },
      'RMSprop: params[1] appears more than once in params',
    ],
    [() => new AdamW(5 as unknown as Tensor[]), 'AdamW: params must be an iterable of Tensors, got 5'],
  ];
  for (const [make, message] of cases) {
    it(message, () => expectError(make, message));
  }

  it('accepts any iterable of params and keeps a frozen copy', () => {
    const ws = p();
    const opt = new Adam(new Set(ws));
    expect(opt.params).toEqual(ws);
    expect(Object.isFrozen(opt.params)).toBe(true);
  });
});
