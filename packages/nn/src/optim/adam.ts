// Adam: adaptive moment estimation with bias correction, L2 weight decay (or decoupled decay, which
// AdamW fixes on) and optional AMSGrad, exactly as torch.optim.Adam.
import { type Buf, ChainruleError, optimKernels, type Tensor } from '@chainrule/core';
import { Optimizer, type OptimizerOptions, type Params, show, stateBuffer, withDefaults } from './optimizer';

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

/** A parameter group of Adam/AdamW: its parameters and every hyperparameter, defaults filled in. */
export interface AdamGroup {
  params: Tensor[];
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  decoupledWeightDecay: boolean;
}

/**
 * Per-parameter state (torch's names): step count t, first and second moments m and v, and
 * AMSGrad's running maximum of v.
 */
export type AdamState = {
  step: number;
  expAvg: Buf;
  expAvgSq: Buf;
  maxExpAvgSq: Buf | null;
};

const ADAM_DEFAULTS = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false };
const ADAM_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'decoupledWeightDecay'];

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
 * `params` is a list of tensors or of groups `{ params, lr?, betas?, … }` whose hyperparameters
 * override the options for their parameters.
 *
 * @throws ChainruleError from the constructor for an invalid or unknown hyperparameter (naming it
 *   and its value) or invalid params; from `step()` (before any parameter or moment changes) if a
 *   gradient's shape differs from its parameter's or a group's hyperparameter became invalid.
 * @example
 * const w = tensor([1, -2], { requiresGrad: true });
 * const b = tensor([0], { requiresGrad: true });
 * const opt = new Adam([{ params: [w], weightDecay: 1e-4 }, { params: [b] }], { lr: 1e-2 });
 * w.mul(w).sum().add(b.sum()).backward();
 * opt.step(); // each element moves by ≈ −γ·sign(g) on the first step
 * opt.zeroGrad();
 */
export class Adam extends Optimizer<AdamGroup, AdamState> {
  constructor(params: Params<AdamOptions>, opts: AdamOptions & OptimizerOptions = {}) {
    super(params, withDefaults({ ...ADAM_DEFAULTS, decoupledWeightDecay: false }, opts), ADAM_KEYS);
  }

  override get name(): string {
    return 'Adam';
  }

  protected checkGroup(g: Record<string, unknown>, name: (key: string) => string): Omit<AdamGroup, 'params'> {
    const betas = g.betas;
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new ChainruleError(`${this.name}: ${name('betas')} must be a pair [beta1, beta2], got ${show(betas)}`);
    }
    return {
      lr: this.nonNegative(name('lr'), g.lr),
      betas: [this.unitInterval(`${name('betas')}[0]`, betas[0]), this.unitInterval(`${name('betas')}[1]`, betas[1])],
      eps: this.nonNegative(name('eps'), g.eps),
      weightDecay: this.nonNegative(name('weightDecay'), g.weightDecay),
      amsgrad: this.flag(name('amsgrad'), g.amsgrad),
      decoupledWeightDecay: this.flag(name('decoupledWeightDecay'), g.decoupledWeightDecay),
    };
  }

  protected newState(p: Tensor, group: AdamGroup): AdamState {
    return {
      step: 0,
      expAvg: stateBuffer(p),
      expAvgSq: stateBuffer(p),
      maxExpAvgSq: group.amsgrad ? stateBuffer(p) : null,
    };
  }

  protected update(group: AdamGroup, p: Tensor, g: Buf): void {
    const s = this.stateOf(p, group);
    if (group.amsgrad && s.maxExpAvgSq === null) s.maxExpAvgSq = s.expAvgSq.slice();
    s.step += 1;
    const [beta1, beta2] = group.betas;
    optimKernels.adam(
      p.data,
      g,
      s.expAvg,
      s.expAvgSq,
      group.amsgrad ? s.maxExpAvgSq : null,
      group.lr,
      beta1,
      beta2,
      group.eps,
      group.weightDecay,
      group.decoupledWeightDecay,
      s.step,
    );
  }
}
