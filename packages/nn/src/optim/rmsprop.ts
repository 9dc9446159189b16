// RMSprop: gradients divided by a running root mean square, optionally centered and with
// momentum, exactly as torch.optim.RMSprop.
import { type Buf, optimKernels, type Tensor } from '@chainrule/core';
import { Optimizer, type OptimizerOptions, type Params, stateBuffer, withDefaults } from './optimizer';

/** Options of `RMSprop`, with torch.optim.RMSprop's defaults. */
export interface RMSpropOptions {
  /** Learning rate γ (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the square average, in [0, 1) (default 0.99). */
  alpha?: number;
  /** ε added to the root, outside the square root (default 1e-8). */
  eps?: number;
  /** Momentum factor μ (default 0). */
  momentum?: number;
  /** Divide by an estimate of the variance (v − ḡ²) instead of v (default false). */
  centered?: boolean;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
}

/** A parameter group of RMSprop: its parameters and every hyperparameter, defaults filled in. */
export interface RMSpropGroup {
  params: Tensor[];
  lr: number;
  alpha: number;
  eps: number;
  momentum: number;
  centered: boolean;
  weightDecay: number;
}

/** Per-parameter state: square average v, gradient average ḡ (centered) and momentum buffer b (μ > 0). */
export type RMSpropState = {
  squareAvg: Buf;
  gradAvg: Buf | null;
  momentumBuffer: Buf | null;
};

const RMSPROP_DEFAULTS = { lr: 1e-2, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 };

/**
 * RMSprop (Hinton; centered variant from Graves, 2013), as torch.optim.RMSprop. For each
 * parameter θ with gradient g (v₀ = ḡ₀ = b₀ = 0):
 *
 * ```text
 * g ← g + λθ                          (if λ ≠ 0)
 * vₜ = αvₜ₋₁ + (1 − α)g²
 * ṽₜ = vₜ,  or with centered: ḡₜ = αḡₜ₋₁ + (1 − α)g,  ṽₜ = vₜ − ḡₜ²
 * bₜ = μbₜ₋₁ + g/(√ṽₜ + ε),  θ ← θ − γbₜ     (if μ > 0)
 * θ ← θ − γ g/(√ṽₜ + ε)                      (otherwise)
 * ```
 *
 * `params` is a list of tensors or of groups `{ params, lr?, alpha?, … }`.
 *
 * @throws ChainruleError from the constructor for an invalid or unknown hyperparameter (naming it
 *   and its value) or invalid params; from `step()` (before any parameter or buffer changes) if a
 *   gradient's shape differs from its parameter's or a group's hyperparameter became invalid.
 */
export class RMSprop extends Optimizer<RMSpropGroup, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, opts: RMSpropOptions & OptimizerOptions = {}) {
    super(params, withDefaults(RMSPROP_DEFAULTS, opts), Object.keys(RMSPROP_DEFAULTS));
  }

  override get name(): string {
    return 'RMSprop';
  }

  protected checkGroup(g: Record<string, unknown>, name: (key: string) => string): Omit<RMSpropGroup, 'params'> {
    return {
      lr: this.nonNegative(name('lr'), g.lr),
      alpha: this.unitInterval(name('alpha'), g.alpha),
      eps: this.nonNegative(name('eps'), g.eps),
      momentum: this.nonNegative(name('momentum'), g.momentum),
      centered: this.flag(name('centered'), g.centered),
      weightDecay: this.nonNegative(name('weightDecay'), g.weightDecay),
    };
  }

  protected newState(p: Tensor, group: RMSpropGroup): RMSpropState {
    return {
      squareAvg: stateBuffer(p),
      gradAvg: group.centered ? stateBuffer(p) : null,
      momentumBuffer: group.momentum > 0 ? stateBuffer(p) : null,
    };
  }

  protected update(group: RMSpropGroup, p: Tensor, g: Buf): void {
    const s = this.stateOf(p, group);
    // A group switched to centered or momentum after the first step starts those averages at zero.
    if (group.centered && s.gradAvg === null) s.gradAvg = stateBuffer(p);
    if (group.momentum > 0 && s.momentumBuffer === null) s.momentumBuffer = stateBuffer(p);
    optimKernels.rmsprop(
      p.data,
      g,
      s.squareAvg,
      group.centered ? s.gradAvg : null,
      group.momentum > 0 ? s.momentumBuffer : null,
      group.lr,
      group.alpha,
      group.eps,
      group.weightDecay,
      group.momentum,
    );
  }
}
