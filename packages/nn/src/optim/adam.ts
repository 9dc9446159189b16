// Adam: adaptive moment estimation with bias correction, L2 weight decay (or decoupled decay, which
// AdamW fixes on) and optional AMSGrad, exactly as torch.optim.Adam.
import { type Buf, ChainruleError, type Tensor } from '@chainrule/core';
import { adam } from './kernels';
import { Optimizer, show, stateBuffer } from './optimizer';

/** Options of `Adam`, with torch.optim.Adam's defaults. */
export interface AdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr?: number;
  /** Decay rates [β₁, β₂] of the moment estimates, each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε added to the denominator (default 1e-8). */
  eps?: number;
  /** Weight decay λ (default 0): an L2 penalty added to g, or decoupled if `decoupledWeightDecay`. */
  weightDecay?: number;
  /** AMSGrad: divide by the running maximum of v (default false). */
  amsgrad?: boolean;
  /** Decay θ ← θ(1 − γλ) before the step instead of g ← g + λθ: AdamW (default false). */
  decoupledWeightDecay?: boolean;
}

/** Per-parameter state: step count t, first and second moments m and v, and AMSGrad's running max of v. */
export interface AdamState {
  step: number;
  m: Buf;
  v: Buf;
  vMax: Buf | null;
}

/**
 * Adam (Kingma & Ba, 2015), as torch.optim.Adam. For each parameter θ with gradient g, at its
 * step t = 1, 2, … (m₀ = v₀ = 0):
 *
 * ```text
 * g ← g + λθ                 (if λ ≠ 0; with decoupledWeightDecay, θ ← θ(1 − γλ) instead)
 * mₜ = β₁mₜ₋₁ + (1 − β₁)g
 * vₜ = β₂vₜ₋₁ + (1 − β₂)g²
 * m̂ₜ = mₜ/(1 − β₁ᵗ)
 * v̂ₜ = vₜ/(1 − β₂ᵗ)          (AMSGrad: vₜᵐᵃˣ = max(vₜ₋₁ᵐᵃˣ, vₜ), v̂ₜ = vₜᵐᵃˣ/(1 − β₂ᵗ))
 * θ ← θ − γ m̂ₜ/(√v̂ₜ + ε)
 * ```
 *
 * @throws ChainruleError from the constructor for an invalid hyperparameter (naming it and its
 *   value) or invalid params; from `step()` if a gradient's shape differs from its parameter's,
 *   before any parameter or moment changes.
 * @example
 * const w = tensor([1, -2], { requiresGrad: true });
 * const opt = new Adam([w], { lr: 1e-2 });
 * w.mul(w).sum().backward();
 * opt.step(); // w moves by ≈ −γ·sign(g) on the first step
 * opt.zeroGrad();
 */
export class Adam extends Optimizer {
  /** The decay rates [β₁, β₂] of the first and second moment estimates. */
  readonly betas: readonly [number, number];
  /** ε added to √v̂ in the denominator. */
  readonly eps: number;
  /** λ: L2 penalty added to the gradient, or decoupled decay (AdamW). */
  readonly weightDecay: number;
  /** Whether the denominator uses the running maximum of v (AMSGrad). */
  readonly amsgrad: boolean;
  /** Whether weight decay is decoupled: θ ← θ(1 − γλ) before the step (AdamW). */
  readonly decoupledWeightDecay: boolean;
  /** Per-parameter state, created lazily on a parameter's first step. */
  readonly state = new Map<Tensor, AdamState>();

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params);
    this.lr = opts.lr ?? 1e-3;
    const betas: unknown = opts.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new ChainruleError(`${this.name}: betas must be a pair [beta1, beta2], got ${show(betas)}`);
    }
    this.betas = Object.freeze([
      this.unitInterval('betas[0]', betas[0]),
      this.unitInterval('betas[1]', betas[1]),
    ] as const);
    this.eps = this.nonNegative('eps', opts.eps ?? 1e-8);
    this.weightDecay = this.nonNegative('weightDecay', opts.weightDecay ?? 0);
    this.amsgrad = this.flag('amsgrad', opts.amsgrad ?? false);
    this.decoupledWeightDecay = this.flag('decoupledWeightDecay', opts.decoupledWeightDecay ?? false);
  }

  override get name(): string {
    return 'Adam';
  }

  /** One update of every parameter whose grad is not null. @throws ChainruleError on a grad of the wrong shape (nothing changes). */
  step(): void {
    const [beta1, beta2] = this.betas;
    for (const [p, g] of this.gradients()) {
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: 0, m: stateBuffer(p), v: stateBuffer(p), vMax: this.amsgrad ? stateBuffer(p) : null };
        this.state.set(p, s);
      }
      s.step += 1;
      adam(
        p.data,
        g,
        s.m,
        s.v,
        s.vMax,
        this.lr,
        beta1,
        beta2,
        this.eps,
        this.weightDecay,
        this.decoupledWeightDecay,
        s.step,
      );
    }
  }
}
