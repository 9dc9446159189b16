// Optimizers against their update rules: each reference below is the torch.optim pseudo-code
// written out scalar by scalar, independently of src/optim/kernels.ts.
import { type DType, Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  type AdamOptions,
  AdamW,
  loadSafetensorsWithMetadata,
  type Optimizer,
  type OptimizerStateDict,
  packState,
  RMSprop,
  type RMSpropOptions,
  SGD,
  type SGDOptions,
  saveSafetensors,
  unpackState,
} from '../src/index';
import { expectError } from './helpers';

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

  it('F6: SGD moves each parameter by −η ∂L/∂θ, with the gradient from autograd (small and WebAssembly-sized)', () => {
    for (const n of [3, 2048]) {
      const theta = tensor(
        Array.from({ length: n }, (_, i) => Math.sin(i + 1)),
        { dtype: 'float64', requiresGrad: true },
      );
      const before = Array.from(theta.data);
      // L = Σ θᵢ³/3 − Σ θᵢ, so ∂L/∂θᵢ = θᵢ² − 1 (by hand)
      theta.pow(3).div(3).sub(theta).sum().backward();
      const eta = 0.25;
      new SGD([theta], { lr: eta }).step();
      for (const [i, t0] of before.entries()) {
        expect(theta.grad?.data[i]).toBeCloseTo(t0 * t0 - 1, 15);
        expect(Math.abs((theta.data[i] as number) - (t0 - eta * (t0 * t0 - 1)))).toBeLessThan(1e-15);
      }
    }
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

    it(`${name}: a grad of the wrong shape is rejected on assignment and changes nothing`, () => {
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
      // a gradient of the wrong shape or type cannot even be assigned (as PyTorch), so no step sees it
      expectError(() => {
        b.grad = tensor([1, 2], { dtype: 'float64' });
      }, 'grad: expected null or a float64 tensor of shape [3], got a float64 tensor of shape [2]');
      expectError(() => {
        b.grad = 'oops' as unknown as Tensor;
      }, "grad: expected null or a float64 tensor of shape [3], got 'oops'");
      expect(snapshot()).toBe(before);
      expect(Array.from(b.grad?.data ?? [])).toEqual([0.3, 0.2, 0.1]);
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
      "SGD: nesterov must be a boolean, got 'yes'",
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

describe('parameter groups', () => {
  it('each group follows the update equations with its own hyperparameters', () => {
    const a = tensor(THETA0, { dtype: 'float64', requiresGrad: true });
    const b = tensor(THETA0, { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([{ params: [a], lr: 0.01, weightDecay: 0.1 }, { params: [b] }], {
      lr: 0.02,
      betas: [0.8, 0.99],
    });
    const ta: number[][] = [];
    const tb: number[][] = [];
    for (const g of GRADS) {
      a.grad = tensor(g, { dtype: 'float64' });
      b.grad = tensor(g, { dtype: 'float64' });
      opt.step();
      ta.push(Array.from(a.data));
      tb.push(Array.from(b.data));
    }
    expectClose(ta, adamReference({ lr: 0.01, weightDecay: 0.1, betas: [0.8, 0.99] }));
    expectClose(tb, adamReference({ lr: 0.02, betas: [0.8, 0.99] }));
    expect(opt.paramGroups.map((g) => [g.lr, g.weightDecay, g.betas])).toEqual([
      [0.01, 0.1, [0.8, 0.99]],
      [0.02, 0, [0.8, 0.99]],
    ]);
    expect(opt.params).toEqual([a, b]);
  });

  it('paramGroups[i].lr is read by the next step (SGD: θ₁ = θ₀ − γ₁g with the changed γ)', () => {
    const a = tensor([1], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    (opt.paramGroups[0] as { lr: number }).lr = 0.25;
    a.grad = tensor([1], { dtype: 'float64' });
    b.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    expect([a.item(), b.item()]).toEqual([0.75, 0.5]);
    expectError(() => opt.lr, 'SGD: lr differs between groups [0.25, 0.5]; read paramGroups[i].lr instead');
    opt.lr = 0.125;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.125, 0.125]);
  });

  it('a group hyperparameter made invalid between steps throws at step(), changing nothing', () => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([{ params: [a] }, { params: [b] }]);
    a.grad = tensor([1, 1], { dtype: 'float64' });
    b.grad = tensor([1], { dtype: 'float64' });
    (opt.paramGroups[1] as { eps: number }).eps = -1;
    expectError(() => opt.step(), 'Adam.step: paramGroups[1].eps must be a finite number >= 0, got -1');
    expect([...a.data, ...b.data]).toEqual([1, 2, 3]);
    expect(opt.state.size).toBe(0);
  });

  it('addParamGroup adds a group with the defaults', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const opt = new RMSprop([a], { alpha: 0.9 });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, alpha: 0.9, params: [b] });
    expect(opt.params).toEqual([a, b]);
    expectError(
      () => opt.addParamGroup({ params: [a] }),
      'RMSprop.addParamGroup: paramGroups[2].params[0] is already in paramGroups[0]; a parameter may be in one group only',
    );
    expect(opt.paramGroups.length).toBe(2);
  });
});

describe('nonFinite guard', () => {
  const grads = (a: Tensor, b: Tensor) => {
    a.grad = tensor([0.5, 0.5], { dtype: 'float64' });
    b.grad = tensor([1, Number.NaN], { dtype: 'float64' });
  };
  const make = (nonFinite?: 'apply' | 'error' | 'skip') => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    return { a, b, opt: new Adam([a, b], { lr: 0.1, nonFinite }) };
  };

  it("default 'apply' follows PyTorch: the NaN reaches the parameter", () => {
    const { a, b, opt } = make();
    grads(a, b);
    opt.step();
    expect(Number.isNaN(b.data[1])).toBe(true);
    expect(a.data[0]).not.toBe(1);
  });

  it("'error' throws before any parameter or state changes", () => {
    const { a, b, opt } = make('error');
    grads(a, b);
    expectError(
      () => opt.step(),
      "Adam.step: grad of params[1] holds NaN at element 1; no parameter was updated (nonFinite: 'error')",
    );
    expect([...a.data, ...b.data]).toEqual([1, 2, 3, 4]);
    expect(opt.state.size).toBe(0);
  });

  it("'skip' skips the whole step and counts it; the next finite step runs", () => {
    const { a, b, opt } = make('skip');
    grads(a, b);
    opt.step();
    expect([...a.data, ...b.data]).toEqual([1, 2, 3, 4]);
    expect(opt.skippedSteps).toBe(1);
    b.grad = tensor([1, Number.POSITIVE_INFINITY], { dtype: 'float64' });
    opt.step();
    expect(opt.skippedSteps).toBe(2);
    b.grad = tensor([1, 1], { dtype: 'float64' });
    opt.step();
    expect(opt.state.get(a)?.step).toBe(1);
    expect(a.data[0]).toBeCloseTo(0.9, 6);
  });
});

describe('stateDict / loadStateDict', () => {
  const makers: [string, (ps: Params) => Optimizer][] = [
    ['SGD (nesterov)', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['Adam (amsgrad, two groups)', (ps) => new Adam(groups(ps, { lr: 0.005 }), { lr: 0.01, amsgrad: true })],
    ['AdamW', (ps) => new AdamW(ps, { lr: 0.01 })],
    [
      'RMSprop (centered, momentum)',
      (ps) => new RMSprop(groups(ps, { alpha: 0.9 }), { momentum: 0.5, centered: true }),
    ],
  ];
  type Params = Tensor[];
  /** The first parameter in a group with `extra`, the others in a second group. */
  function groups(ps: Params, extra: Record<string, unknown>) {
    return [{ params: ps.slice(0, 1), ...extra }, { params: ps.slice(1) }];
  }
  const SHAPES = [[2, 3], [3], [4]];
  /** Deterministic gradients for step k: smooth, of both signs, different per parameter. */
  const gradOf = (k: number, i: number, n: number) =>
    Array.from({ length: n }, (_, j) => Math.sin(k * 1.3 + i * 0.7 + j) * (1 + i));

  for (const dtype of ['float64', 'float32'] as const) {
    for (const [name, make] of makers) {
      it(`${name}, ${dtype}: 5 steps, save through safetensors, resume in a fresh optimizer = 10 uninterrupted steps, bit for bit`, () => {
        const params = () =>
          SHAPES.map((s, i) =>
            tensor(
              gradOf(
                0,
                i + 5,
                s.reduce((x, y) => x * y),
              ),
              { dtype, requiresGrad: true, shape: s },
            ),
          );
        const run = (ps: Params, opt: Optimizer, from: number, to: number) => {
          for (let k = from; k < to; k++) {
            ps.forEach((p, i) => {
              // the third parameter has no gradient on odd steps, so its state lags the others'
              p.grad = i === 2 && k % 2 === 1 ? null : tensor(gradOf(k, i, p.size), { dtype, shape: p.shape });
            });
            opt.step();
          }
        };
        const straight = params();
        run(straight, make(straight), 0, 10);

        const first = params();
        const opt1 = make(first);
        run(first, opt1, 0, 5);
        const packed = packState({
          model: Object.fromEntries(first.map((p, i) => [`p${i}`, p])),
          optimizer: opt1.stateDict(),
        });
        const file = loadSafetensorsWithMetadata(saveSafetensors(packed.tensors, packed.metadata));
        const saved = unpackState<{ model: Record<string, Tensor>; optimizer: OptimizerStateDict }>(file);

        const resumed = params().map((p, i) => {
          p.data.set((saved.model[`p${i}`] as Tensor).data);
          return p;
        });
        const opt2 = make(resumed);
        opt2.loadStateDict(saved.optimizer);
        run(resumed, opt2, 5, 10);
        resumed.forEach((p, i) => {
          expect(p.data).toEqual(straight[i]?.data);
        });
        // without the optimizer's state the same resume ends elsewhere: the test can fail
        const cold = params().map((p, i) => {
          p.data.set((saved.model[`p${i}`] as Tensor).data);
          return p;
        });
        run(cold, make(cold), 5, 10);
        expect(cold[0]?.data).not.toEqual(straight[0]?.data);
        expect(JSON.stringify(opt2.stateDict().paramGroups)).toBe(
          JSON.stringify(make(params()).stateDict().paramGroups),
        );
      });
    }
  }

  it('the state dict mirrors torch: state by parameter index (torch names), groups with hyperparameters and indices', () => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3], { dtype: 'float64', requiresGrad: true });
    const c = tensor([4], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([{ params: [a, b], lr: 0.1 }, { params: [c] }]);
    a.grad = tensor([1, 1], { dtype: 'float64' });
    c.grad = tensor([2], { dtype: 'float64' });
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0', '2']);
    expect(Object.keys(sd.state[0] ?? {})).toEqual(['step', 'expAvg', 'expAvgSq']);
    expect(sd.state[2]?.step).toBe(1);
    expect((sd.state[2]?.expAvg as Tensor | undefined)?.toArray()).toEqual([(1 - 0.9) * 2]); // (1 − β₁)·g
    expect(sd.paramGroups).toEqual([
      {
        lr: 0.1,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        decoupledWeightDecay: false,
        params: [0, 1],
      },
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        decoupledWeightDecay: false,
        params: [2],
      },
    ]);
    // a copy: later steps do not change it
    opt.step();
    expect(sd.state[2]?.step).toBe(1);
    expect((sd.state[2]?.expAvg as Tensor | undefined)?.toArray()).toEqual([(1 - 0.9) * 2]);
  });

  it('a mismatched state throws naming loadStateDict and changes nothing', () => {
    const make = () => {
      const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
      const b = tensor([3], { dtype: 'float64', requiresGrad: true });
      const opt = new Adam([a, b], { lr: 0.1 });
      a.grad = tensor([1, 1], { dtype: 'float64' });
      b.grad = tensor([1], { dtype: 'float64' });
      opt.step();
      return opt;
    };
    const good = make().stateDict();
    const target = make();
    (target.paramGroups[0] as { lr: number }).lr = 0.3;
    const before = JSON.stringify(target.stateDict(), (_k, v) =>
      v instanceof Object && 'data' in v ? Array.from(v.data) : v,
    );
    /** A deep copy that keeps the Tensors (structuredClone would turn them into plain objects). */
    const clone = (v: unknown): unknown =>
      v instanceof Tensor
        ? v
        : Array.isArray(v)
          ? v.map(clone)
          : v !== null && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]))
            : v;
    const bad = (edit: (s: OptimizerStateDict) => void) => {
      const s = clone(good) as OptimizerStateDict;
      edit(s);
      return s;
    };
    const cases: [OptimizerStateDict, string][] = [
      [
        bad((s) => s.paramGroups[0]?.params.pop()),
        "Adam.loadStateDict: paramGroups[0] has 1 parameters, the optimizer's group has 2",
      ],
      [
        bad((s) => s.paramGroups.push({ params: [] })),
        'Adam.loadStateDict: the state has 2 parameter groups, the optimizer has 1',
      ],
      [
        bad((s) => {
          (s.state[1] as Record<string, unknown>).expAvg = tensor([1, 2], { dtype: 'float64' });
        }),
        'Adam.loadStateDict: state[1].expAvg has shape [2] but parameter 1 has shape [1]',
      ],
      [
        bad((s) => {
          (s.state[0] as Record<string, unknown>).momentumBuffer = tensor([1, 2]);
        }),
        "Adam.loadStateDict: state[0] has an unexpected entry 'momentumBuffer'",
      ],
      [
        bad((s) => {
          (s.state[0] as Record<string, unknown>).step = 1.5;
        }),
        'Adam.loadStateDict: state[0].step must be an integer >= 0, got 1.5',
      ],
      [
        bad((s) => {
          s.state[7] = {};
        }),
        'Adam.loadStateDict: state[7] names no parameter of the saved groups',
      ],
      [
        bad((s) => {
          (s.paramGroups[0] as Record<string, unknown>).lr = '0.1';
        }),
        "Adam.loadStateDict: paramGroups[0].lr must be a finite number >= 0, got '0.1'",
      ],
      [
        bad((s) => {
          (s.paramGroups[0] as Record<string, unknown>).momentum = 0.9;
        }),
        "Adam.loadStateDict: unknown hyperparameter 'paramGroups[0].momentum' (expected one of lr, betas, eps, weightDecay, amsgrad, decoupledWeightDecay)",
      ],
      [null as unknown as OptimizerStateDict, 'Adam.loadStateDict: expected { state, paramGroups }, got null'],
    ];
    for (const [state, message] of cases) {
      expectError(() => target.loadStateDict(state), message);
      expect(
        JSON.stringify(target.stateDict(), (_k, v) => (v instanceof Object && 'data' in v ? Array.from(v.data) : v)),
      ).toBe(before);
    }
  });
});

describe('constructor checks from the reliability issue', () => {
  const leaf = () => tensor([1, 2], { requiresGrad: true });
  const cases: [() => unknown, string][] = [
    [
      () => new Adam([leaf().mul(2)]),
      "Adam: can't optimize a non-leaf tensor: params[0] (shape [2]) was computed by 'mul'; pass the leaf tensor you created",
    ],
    [
      () => new SGD([{ params: [leaf()] }, { params: [leaf().add(1)] }], { lr: 0.1 }),
      "SGD: can't optimize a non-leaf tensor: paramGroups[1].params[0] (shape [2]) was computed by 'add'; pass the leaf tensor you created",
    ],
    [
      () => {
        const w = leaf();
        return new AdamW([{ params: [w] }, { params: [w] }]);
      },
      'AdamW: paramGroups[1].params[0] is already in paramGroups[0]; a parameter may be in one group only',
    ],
    [() => new Adam([leaf()], null as unknown as AdamOptions), 'Adam: options must be an object, got null'],
    [() => new SGD([leaf()], 'fast' as unknown as SGDOptions), "SGD: options must be an object, got 'fast'"],
    [
      () => new Adam([leaf()], { weight_decay: 0.1 } as unknown as AdamOptions),
      "Adam: unknown option 'weight_decay' (expected one of lr, betas, eps, weightDecay, amsgrad, decoupledWeightDecay, nonFinite)",
    ],
    [
      () => new RMSprop([{ params: [leaf()], lr: '0.1' as unknown as number }]),
      "RMSprop: paramGroups[0].lr must be a finite number >= 0, got '0.1'",
    ],
    [() => new RMSprop([{ params: [leaf()] }], { lr: -1 }), 'RMSprop: lr must be a finite number >= 0, got -1'],
    [
      () => new SGD([{ params: [leaf()], lr: 0.1 }, { params: [leaf()] }], {} as SGDOptions),
      'SGD: lr must be a finite number >= 0, got undefined',
    ],
    [
      () => new Adam([{ params: [leaf()], nonFinite: 'skip' } as never]),
      "Adam: unknown hyperparameter 'paramGroups[0].nonFinite' (expected one of lr, betas, eps, weightDecay, amsgrad, decoupledWeightDecay)",
    ],
    [
      () => new Adam([leaf()], { nonFinite: 'ignore' as never }),
      "Adam: nonFinite must be 'apply', 'error' or 'skip', got 'ignore'",
    ],
    [() => new Adam([{ params: [] }]), 'Adam: paramGroups[0].params is an empty parameter list'],
    [() => new Adam([{ params: 3 } as never]), 'Adam: paramGroups[0].params must be an iterable of Tensors, got 3'],
    [
      () => new Adam([{ params: [leaf()] }, 5] as never),
      'Adam: paramGroups[1] must be a group { params, ...options }, got 5',
    ],
    [() => new Adam([{ params: [leaf()], betas: [0.9, 2] }]), 'Adam: paramGroups[0].betas[1] must be in [0, 1), got 2'],
  ];
  for (const [make, message] of cases) {
    it(message, () => expectError(make, message));
  }

  it('a group may give one Tensor as its params, as torch', () => {
    const w = leaf();
    expect(new SGD([{ params: w }], { lr: 0.1 }).params).toEqual([w]);
  });

  it('an explicit undefined option means the default', () => {
    const opt = new AdamW([leaf()], { lr: undefined, weightDecay: undefined });
    expect(opt.paramGroups[0]).toMatchObject({ lr: 1e-3, weightDecay: 1e-2 });
  });
});

describe('in-place updates between forward and backward', () => {
  it('a step between the forward pass and backward() is an error, not silently wrong gradients', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1 });
    w.grad = tensor([1, 1]);
    const loss = w.mul(w).sum(); // saves w
    opt.step(); // changes w in place
    expect(() => loss.backward()).toThrow(
      "backward: a tensor that 'mul' saved for its backward was modified in place after the forward pass (version 0, now 1)",
    );
    expect(w.grad?.toArray()).toEqual([1, 1]);
  });
});
