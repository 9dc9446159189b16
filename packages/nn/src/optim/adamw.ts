// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as torch.optim.AdamW.
import { Adam, type AdamOptions } from './adam';
import { isPlainObject, type OptimizerOptions, type Params } from './optimizer';

/** Options of `AdamW`: Adam's, with weight decay decoupled and 1e-2 by default. */
export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>;

/**
 * AdamW, as torch.optim.AdamW: the decay shrinks θ directly instead of entering the gradient,
 * so it is not rescaled by the adaptive denominator. At step t (m₀ = v₀ = 0):
 *
 * ```text
 * θ ← θ(1 − γλ)
 * mₜ = β₁mₜ₋₁ + (1 − β₁)g,   vₜ = β₂vₜ₋₁ + (1 − β₂)g²
 * m̂ₜ = mₜ/(1 − β₁ᵗ),         v̂ₜ = vₜ/(1 − β₂ᵗ)
 * θ ← θ − γ m̂ₜ/(√v̂ₜ + ε)
 * ```
 *
 * Defaults: γ = 1e-3, β = [0.9, 0.999], ε = 1e-8, λ = 1e-2. Takes parameter groups as Adam does.
 * @throws ChainruleError as Adam does, with messages naming AdamW.
 */
export class AdamW extends Adam {
  constructor(params: Params<AdamWOptions>, opts: AdamWOptions & OptimizerOptions = {}) {
    // A non-object is passed through for the base constructor to reject with its message.
    const o = isPlainObject(opts)
      ? { ...opts, weightDecay: opts.weightDecay ?? 1e-2, decoupledWeightDecay: true }
      : opts;
    super(params, o as AdamOptions);
  }

  override get name(): string {
    return 'AdamW';
  }
}
