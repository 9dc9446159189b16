// RMSprop: gradients divided by a running root mean square, optionally centered and with
// momentum, exactly as torch.optim.RMSprop.
import type { Buf, Tensor } from '@chainrule/core';
import { rmsprop } from './kernels';
import { Optimizer, stateBuffer } from './optimizer';

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

/** Per-parameter state: square average v, gradient average ḡ (centered) and momentum buffer b (μ > 0). */
export interface RMSpropState {
  squareAvg: Buf;
  gradAvg: Buf | null;
  momentumBuffer: Buf | null;
}

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
 * @throws ChainruleError from the constructor for an invalid hyperparameter (naming it and its
 *   value) or invalid params; from `step()` if a gradient's shape differs from its parameter's,
 *   before any parameter or buffer changes.
 */
export class RMSprop extends Optimizer {
  /** α: the smoothing constant of the running average of g². */
  readonly alpha: number;
  /** ε added to the denominator. */
  readonly eps: number;
  /** μ: the momentum factor (0: none). */
  readonly momentum: number;
  /** Whether to divide by the estimated variance (E[g²] − E[g]²) instead of E[g²]. */
  readonly centered: boolean;
  /** λ: L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Per-parameter state, created lazily on a parameter's first step. */
  readonly state = new Map<Tensor, RMSpropState>();

  constructor(params: Iterable<Tensor>, opts: RMSpropOptions = {}) {
    super(params);
    this.lr = opts.lr ?? 1e-2;
    this.alpha = this.unitInterval('alpha', opts.alpha ?? 0.99);
    this.eps = this.nonNegative('eps', opts.eps ?? 1e-8);
    this.momentum = this.nonNegative('momentum', opts.momentum ?? 0);
    this.centered = this.flag('centered', opts.centered ?? false);
    this.weightDecay = this.nonNegative('weightDecay', opts.weightDecay ?? 0);
  }

  override get name(): string {
    return 'RMSprop';
  }

  /** One update of every parameter whose grad is not null. @throws ChainruleError on a grad of the wrong shape (nothing changes). */
  step(): void {
    for (const [p, g] of this.gradients()) {
      let s = this.state.get(p);
      if (s === undefined) {
        s = {
          squareAvg: stateBuffer(p),
          gradAvg: this.centered ? stateBuffer(p) : null,
          momentumBuffer: this.momentum > 0 ? stateBuffer(p) : null,
        };
        this.state.set(p, s);
      }
      rmsprop(
        p.data,
        g,
        s.squareAvg,
        s.gradAvg,
        s.momentumBuffer,
        this.lr,
        this.alpha,
        this.eps,
        this.weightDecay,
        this.momentum,
      );
    }
  }
}
