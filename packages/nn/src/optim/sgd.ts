// SGD: stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
// L2 weight decay, exactly as torch.optim.SGD.
import { type Buf, ChainruleError, optimKernels, type Tensor } from '@chainrule/core';
import { Optimizer, type OptimizerOptions, type Params, stateBuffer, withDefaults } from './optimizer';

/** Options of `SGD`, with torch.optim.SGD's defaults. */
export interface SGDOptions {
  /** Learning rate γ (required here or in every group). */
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

/** A parameter group of SGD: its parameters and every hyperparameter, defaults filled in. */
export interface SGDGroup {
  params: Tensor[];
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/** Per-parameter state: the momentum buffer b, created on the first step with momentum. */
export type SGDState = {
  momentumBuffer: Buf;
};

const SGD_DEFAULTS = { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };
const SGD_KEYS = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay'];

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
 * `params` is a list of tensors or of groups `{ params, lr?, momentum?, … }`.
 *
 * @throws ChainruleError from the constructor for an invalid or unknown hyperparameter (naming it
 *   and its value) or invalid params; from `step()` (before any parameter or buffer changes) if a
 *   gradient's shape differs from its parameter's or a group's hyperparameter became invalid.
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class SGD extends Optimizer<SGDGroup, SGDState> {
  constructor(params: Params<SGDOptions>, opts: SGDOptions & OptimizerOptions) {
    super(params, withDefaults(SGD_DEFAULTS, opts), SGD_KEYS);
  }

  override get name(): string {
    return 'SGD';
  }

  protected checkGroup(g: Record<string, unknown>, name: (key: string) => string): Omit<SGDGroup, 'params'> {
    const lr = this.nonNegative(name('lr'), g.lr);
    const momentum = this.nonNegative(name('momentum'), g.momentum);
    const dampening = this.nonNegative(name('dampening'), g.dampening);
    if (dampening > 1)
      throw new ChainruleError(`${this.name}: ${name('dampening')} must be in [0, 1], got ${dampening}`);
    const nesterov = this.flag(name('nesterov'), g.nesterov);
    const weightDecay = this.nonNegative(name('weightDecay'), g.weightDecay);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new ChainruleError(
        `${this.name}: ${name('nesterov')} requires momentum > 0 and dampening = 0, got momentum ${momentum} and dampening ${dampening}`,
      );
    }
    return { lr, momentum, dampening, nesterov, weightDecay };
  }

  protected newState(p: Tensor): SGDState {
    return { momentumBuffer: stateBuffer(p) };
  }

  protected update(group: SGDGroup, p: Tensor, g: Buf): void {
    if (group.momentum === 0) {
      optimKernels.sgd(p.data, g, group.lr, group.weightDecay);
      return;
    }
    const first = !this.state.has(p);
    optimKernels.sgdMomentum(
      p.data,
      g,
      this.stateOf(p, group).momentumBuffer,
      group.lr,
      group.momentum,
      group.dampening,
      group.weightDecay,
      group.nesterov,
      first,
    );
  }
}
