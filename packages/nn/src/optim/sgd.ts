// SGD: stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
// L2 weight decay, exactly as torch.optim.SGD.
import { type Buf, ChainruleError, type Tensor } from '@chainrule/core';
import { sgd, sgdMomentum } from './kernels';
import { Optimizer, stateBuffer } from './optimizer';

/** Options of `SGD`, with torch.optim.SGD's defaults. */
export interface SGDOptions {
  /** Learning rate γ. */
  lr: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum?: number;
  /** Dampening τ of the momentum, in [0, 1] (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false); needs μ > 0 and τ = 0. */
  nesterov?: boolean;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
}

/** Per-parameter state: the momentum buffer b, created on the first step with momentum. */
export interface SGDState {
  momentumBuffer: Buf;
}

/**
 * Stochastic gradient descent, as torch.optim.SGD. For each parameter θ with gradient g, at step t:
 *
 * ```text
 * g ← g + λθ                                   (if λ ≠ 0)
 * b₁ = g,  bₜ = μbₜ₋₁ + (1 − τ)g               (if μ ≠ 0)
 * g ← g + μbₜ (Nesterov)  or  g ← bₜ           (if μ ≠ 0)
 * θ ← θ − γg
 * ```
 *
 * With μ = λ = 0 this is plain gradient descent, F6 in docs/backprop.md: θ := θ − η ∂L/∂θ.
 *
 * @throws ChainruleError from the constructor for an invalid hyperparameter (naming it and its
 *   value) or invalid params; from `step()` if a gradient's shape differs from its parameter's,
 *   before any parameter or buffer changes.
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class SGD extends Optimizer {
  /** μ: the momentum factor (0: plain SGD). */
  readonly momentum: number;
  /** τ: the dampening of the momentum. */
  readonly dampening: number;
  /** Whether to use Nesterov momentum. */
  readonly nesterov: boolean;
  /** λ: L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Per-parameter state, created lazily on a parameter's first step. */
  readonly state = new Map<Tensor, SGDState>();

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    super(params);
    if (opts === null || typeof opts !== 'object') throw new ChainruleError('SGD: options { lr, ... } are required');
    this.lr = opts.lr;
    this.momentum = this.nonNegative('momentum', opts.momentum ?? 0);
    this.dampening = this.nonNegative('dampening', opts.dampening ?? 0);
    if (this.dampening > 1) throw new ChainruleError(`SGD: dampening must be in [0, 1], got ${this.dampening}`);
    this.nesterov = this.flag('nesterov', opts.nesterov ?? false);
    this.weightDecay = this.nonNegative('weightDecay', opts.weightDecay ?? 0);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ChainruleError(
        `SGD: nesterov requires momentum > 0 and dampening = 0, got momentum ${this.momentum} and dampening ${this.dampening}`,
      );
    }
  }

  override get name(): string {
    return 'SGD';
  }

  /** One update of every parameter whose grad is not null. @throws ChainruleError on a grad of the wrong shape (nothing changes). */
  step(): void {
    for (const [p, g] of this.gradients()) {
      if (this.momentum === 0) {
        sgd(p.data, g, this.lr, this.weightDecay);
        continue;
      }
      let s = this.state.get(p);
      const first = s === undefined;
      if (s === undefined) {
        s = { momentumBuffer: stateBuffer(p) };
        this.state.set(p, s);
      }
      sgdMomentum(
        p.data,
        g,
        s.momentumBuffer,
        this.lr,
        this.momentum,
        this.dampening,
        this.weightDecay,
        this.nesterov,
        first,
      );
    }
  }
}
