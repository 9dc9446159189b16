// Dropout: inverted dropout, active only in training mode.
import { globalRng, type Rng, type Tensor, tensor } from '@chainrule/core';
import { fail, floatInput, options, rngOption, show } from '../check';
import { Module } from '../module';

/**
 * In training mode, zeroes each element with probability p and scales the rest by 1/(1 − p), so
 * the expected activation is unchanged; in eval mode, the identity. The mask comes from `rng`,
 * by default the global generator (see `manualSeed`) read at each forward, so two Dropout layers
 * draw different masks and `manualSeed(s)` makes a run repeat, as torch.manual_seed.
 */
export class Dropout extends Module {
  private readonly _rng: Rng | undefined;

  constructor(
    readonly p = 0.5,
    opts: { rng?: Rng } = {},
  ) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail('Dropout', `p must be a number in [0, 1], got ${show(p)}`);
    this._rng = rngOption('Dropout', options('Dropout', opts, ['rng']).rng);
  }

  forward(x: Tensor): Tensor {
    floatInput(this.constructor.name, x);
    if (!this.training || this.p === 0) return x;
    const keep = 1 - this.p;
    const mask = new (x.dtype === 'float64' ? Float64Array : Float32Array)(x.size);
    const rng = this._rng ?? globalRng();
    if (keep > 0) for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < keep ? 1 / keep : 0;
    // y = x ∘ m / (1 − p): m is a constant, so ∂L/∂x = gy ∘ m / (1 − p) through mul
    return x.mul(tensor(mask, { shape: [...x.shape] }));
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
