// The formulas of docs/backprop.md that live in @chainrule/nn (F24–F28, F30, F31), each checked
// against numbers derived by hand in the test, and where a gradient is involved against autodiff.
import { grad, linear, Rng, randn, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { Adam, BatchNorm1d, clipGradNorm, Dropout, RMSprop, SGD } from '../src/index';

const f64 = { dtype: 'float64', requiresGrad: true } as const;
const arr = (t: Tensor | null | undefined) => Array.from(t?.data ?? []);

describe('exploding gradients and clipping', () => {
  it('F24: with W⁽ˡ⁾ = 2I every ReLU layer doubles δ on the way back; clipGradNorm rescales the total norm to maxNorm', () => {
    // L layers z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ (+ 0), a⁽ˡ⁾ = relu(z⁽ˡ⁾), positive input: every unit is active, so
    // by F5 δ⁽ˡ⁾ = W⁽ˡ⁺¹⁾ᵀδ⁽ˡ⁺¹⁾ = 2δ⁽ˡ⁺¹⁾, and δ⁽¹⁾ = 2^(L−1) δ⁽ᴸ⁾ exactly (powers of 2)
    const depth = 8;
    const x = tensor([[0.5, 1, 0.25]], { dtype: 'float64' });
    const v = tensor([[1, -2, 0.5]], { dtype: 'float64' }); // L = Σ v ∘ z⁽ᴸ⁾, so δ⁽ᴸ⁾ = v
    const eye2 = () =>
      tensor(
        [
          [2, 0, 0],
          [0, 2, 0],
          [0, 0, 2],
        ],
        f64,
      );
    const weights = Array.from({ length: depth }, eye2);
    const biases = Array.from({ length: depth }, () => tensor([0, 0, 0], f64));
    const zs: Tensor[] = [];
    let a = x;
    for (let l = 0; l < depth; l++) {
      const z = linear(a, weights[l] as Tensor, biases[l] as Tensor);
      zs.push(z);
      a = l < depth - 1 ? z.relu() : z;
    }
    const loss = (zs[depth - 1] as Tensor).mul(v).sum();
    const deltas = grad(loss, zs, { retainGraph: true });
    deltas.forEach((d, l) => {
      expect(arr(d)).toEqual(arr(v).map((vi) => 2 ** (depth - 1 - l) * vi));
    });
    loss.backward();
    // ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ = 2^(L−l)v · (2^(l−1)x)ᵀ = 2^(L−1) v xᵀ: the same, large, in every layer
    const vx = arr(v).flatMap((vi) => arr(x).map((xi) => 2 ** (depth - 1) * vi * xi));
    for (const w of weights) expect(arr(w.grad)).toEqual(vx);
    const sq = (u: number[]) => u.reduce((s, e) => s + e * e, 0);
    const total = Math.sqrt(depth * sq(vx) + biases.reduce((s, _, l) => s + 4 ** (depth - 1 - l) * sq(arr(v)), 0));
    expect(total).toBeGreaterThan(300); // 2^7 · ‖v‖ · ‖x‖ · √8 ≈ 440: the step would throw the weights far away
    const params = [...weights, ...biases];
    const before = params.map((p) => arr(p.grad));
    expect(clipGradNorm(params, 1)).toBeCloseTo(total, 10);
    const scale = 1 / (total + 1e-6);
    params.forEach((p, i) => {
      (before[i] as number[]).forEach((g, j) => {
        expect(p.grad?.data[j]).toBeCloseTo(g * scale, 14);
      });
    });
    expect(Math.sqrt(params.reduce((s, p) => s + sq(arr(p.grad)), 0))).toBeCloseTo(1, 6);
  });
});

describe('initialisation', () => {
  it('F25: a constant initialisation keeps hidden units identical forever (symmetry); all zeros gives W⁽¹⁾ no gradient', () => {
    const rng = new Rng(5);
    const X = randn([8, 3], { rng, dtype: 'float64' });
    const T = randn([8, 2], { rng, dtype: 'float64' });
    const run = (c1: number, c2: number) => {
      const W1 = tensor(new Float64Array(4 * 3).fill(c1), { shape: [4, 3], requiresGrad: true });
      const b1 = tensor(new Float64Array(4).fill(c1), { requiresGrad: true });
      const W2 = tensor(new Float64Array(2 * 4).fill(c2), { shape: [2, 4], requiresGrad: true });
      const opt = new SGD([W1, b1, W2], { lr: 0.5 });
      const firstGrads: number[][] = [];
      for (let step = 0; step < 5; step++) {
        opt.zeroGrad();
        linear(linear(X, W1, b1).tanh(), W2)
          .sub(T)
          .pow(2)
          .mean()
          .backward();
        if (step === 0) firstGrads.push(arr(W1.grad));
        opt.step();
      }
      return { W1: W1.toArray() as number[][], first: firstGrads[0] as number[] };
    };
    // every hidden unit computes the same z, so by F5 and F3 it gets the same δ and the same row
    // of ∂L/∂W⁽¹⁾: the rows start equal and stay equal, and the layer acts as one unit
    const constant = run(0.3, 0.2);
    for (const row of constant.W1) expect(row).toEqual(constant.W1[0]);
    expect(constant.W1[0]).not.toEqual([0.3, 0.3, 0.3]); // they did move, together
    // all zeros: W⁽²⁾ = 0 makes δ⁽¹⁾ = W⁽²⁾ᵀδ⁽²⁾ ∘ σ′ = 0 (F5), so W⁽¹⁾ gets nothing on the first step
    const zero = run(0, 0);
    expect(zero.first).toEqual(new Array<number>(12).fill(0));
    for (const row of zero.W1) expect(row).toEqual(zero.W1[0]);
  });
});

describe('regularisation', () => {
  it('F26: SGD with weightDecay λ is gradient descent on L + (λ/2)‖θ‖²', () => {
    const lambda = 0.1;
    const eta = 0.3;
    const theta0 = [0.5, -1.5, 2];
    const loss = (t: Tensor) => t.sub(1).pow(2).sum().add(t.sin().sum());
    const decayed = tensor(theta0, f64);
    loss(decayed).backward();
    new SGD([decayed], { lr: eta, weightDecay: lambda }).step();
    const penalised = tensor(theta0, f64);
    loss(penalised)
      .add(
        penalised
          .pow(2)
          .sum()
          .mul(lambda / 2),
      )
      .backward();
    new SGD([penalised], { lr: eta }).step();
    // by hand: ∂/∂θ [(θ − 1)² + sin θ + (λ/2)θ²] = 2(θ − 1) + cos θ + λθ
    const want = theta0.map((t) => t - eta * (2 * (t - 1) + Math.cos(t) + lambda * t));
    for (const [i, w] of want.entries()) {
      expect(decayed.data[i]).toBeCloseTo(w, 14);
      expect(penalised.data[i]).toBeCloseTo(w, 14);
    }
  });

  it('F27: dropout in training: y = x ∘ m/(1 − p) and ∂L/∂x = ∂L/∂y ∘ m/(1 − p); in eval the identity', () => {
    const p = 0.25;
    const drop = new Dropout(p, { rng: new Rng(3) });
    const x = tensor(
      Array.from({ length: 400 }, (_, i) => 1 + (i % 7)),
      f64,
    );
    const g = tensor(
      Array.from({ length: 400 }, (_, i) => (i % 5) - 2),
      { dtype: 'float64' },
    );
    const y = drop.forward(x);
    y.backward(g);
    const mask = arr(y).map((yi, i) => yi / (x.data[i] as number)); // m/(1 − p) per element
    for (const [i, m] of mask.entries()) {
      expect([0, 1 / (1 - p)]).toContain(m);
      expect(x.grad?.data[i]).toBeCloseTo((g.data[i] as number) * m, 15);
    }
    const kept = mask.filter((m) => m > 0).length / mask.length;
    expect(Math.abs(kept - (1 - p))).toBeLessThan(0.06); // about 1 − p of them kept
    drop.eval();
    const x2 = tensor([1, 2, 3], f64);
    drop.forward(x2).sum().backward();
    expect(arr(x2.grad)).toEqual([1, 1, 1]);
  });
});

describe('batch normalisation', () => {
  it('F28: the batch-norm backward (γ/(N s))(N g − Σg − x̂ Σ g x̂) equals autodiff, with ∂L/∂γ = Σ g x̂, ∂L/∂β = Σ g', () => {
    const rng = new Rng(11);
    const [N, C] = [6, 3];
    const bn = new BatchNorm1d(C, { dtype: 'float64' });
    (bn.weight as Tensor).data.set([1.5, -0.5, 2]);
    (bn.bias as Tensor).data.set([0.1, 0.2, -0.3]);
    const x = randn([N, C], { rng, dtype: 'float64', requiresGrad: true });
    const g = randn([N, C], { rng, dtype: 'float64' });
    bn.forward(x).backward(g);
    for (let c = 0; c < C; c++) {
      const xc = Array.from({ length: N }, (_, n) => x.data[n * C + c] as number);
      const gc = Array.from({ length: N }, (_, n) => g.data[n * C + c] as number);
      const mu = xc.reduce((s, v) => s + v, 0) / N;
      const s = Math.sqrt(xc.reduce((t, v) => t + (v - mu) ** 2, 0) / N + bn.eps); // biased variance
      const xhat = xc.map((v) => (v - mu) / s);
      const sumG = gc.reduce((t, v) => t + v, 0);
      const sumGX = gc.reduce((t, v, n) => t + v * (xhat[n] as number), 0);
      const gamma = (bn.weight as Tensor).data[c] as number;
      for (let n = 0; n < N; n++) {
        const want = (gamma / (N * s)) * (N * (gc[n] as number) - sumG - (xhat[n] as number) * sumGX);
        expect(x.grad?.data[n * C + c]).toBeCloseTo(want, 13);
      }
      expect(bn.weight?.grad?.data[c]).toBeCloseTo(sumGX, 13);
      expect(bn.bias?.grad?.data[c]).toBeCloseTo(sumG, 13);
    }
  });
});

describe('adaptive optimizers', () => {
  it('F30: Adam, two steps by hand: m, v, their bias corrections, θ −= η m̂/(√v̂ + ε)', () => {
    const [eta, b1, b2, eps] = [0.1, 0.9, 0.999, 1e-8];
    const p = tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([p], { lr: eta, betas: [b1, b2], eps });
    let [m, v, theta] = [0, 0, 1];
    for (const [t, g] of [
      [1, 0.5],
      [2, -0.25],
    ] as const) {
      p.grad = tensor([g], { dtype: 'float64' });
      opt.step();
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      theta -= (eta * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
      expect(p.item()).toBeCloseTo(theta, 14);
      // the first step is η·sign(g) whatever |g| is: m̂₁ = g and v̂₁ = g² (the bias corrections)
      if (t === 1) expect(p.item()).toBeCloseTo(1 - eta, 7);
    }
    // step 2 by hand: m₂ = 0.02, v₂ = 0.00031225, m̂₂ = 0.02/0.19, v̂₂ = 0.00031225/0.001999
    expect(m).toBeCloseTo(0.02, 15);
    expect(v).toBeCloseTo(0.00031225, 15);
  });

  it('F31: RMSprop, two steps by hand: v = αv + (1 − α)g², θ −= η g/(√v + ε)', () => {
    const [eta, alpha, eps] = [0.01, 0.99, 1e-8];
    const p = tensor([2], { dtype: 'float64', requiresGrad: true });
    const opt = new RMSprop([p], { lr: eta, alpha, eps });
    // step 1: v₁ = 0.01·0.36 = 0.0036, √v₁ = 0.06, θ₁ = 2 − 0.01·0.6/(0.06 + ε) ≈ 1.9
    p.grad = tensor([0.6], { dtype: 'float64' });
    opt.step();
    expect(p.item()).toBeCloseTo(2 - (0.01 * 0.6) / (0.06 + eps), 14);
    // step 2: v₂ = 0.99·0.0036 + 0.01·0.04 = 0.003964
    p.grad = tensor([-0.2], { dtype: 'float64' });
    opt.step();
    expect(p.item()).toBeCloseTo(2 - (0.01 * 0.6) / (0.06 + eps) + (0.01 * 0.2) / (Math.sqrt(0.003964) + eps), 14);
  });
});
