// Activation functions as modules, for Sequential and MLP. Each forward is one core op.
import type { Tensor } from '@chainrule/core';
import { fail, integer, layerCall, show } from '../check';
import { Module } from '../module';

/** The rectifier as a layer: y = max(x, 0), elementwise. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return layerCall(this, x, (t) => t.relu());
  }
}

/** The logistic function as a layer: y = σ(x) = 1 / (1 + e⁻ˣ), elementwise. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return layerCall(this, x, (t) => t.sigmoid());
  }
}

/** The hyperbolic tangent as a layer, elementwise. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return layerCall(this, x, (t) => t.tanh());
  }
}

/** GELU(x) = x·Φ(x), the exact form (PyTorch's default, approximate='none'). */
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return layerCall(this, x, (t) => t.gelu());
  }
}

/** The leaky rectifier as a layer: y = x if x > 0 else negativeSlope·x (default 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) {
      fail('LeakyReLU', `negativeSlope must be a finite number, got ${show(negativeSlope)}`);
    }
  }
  forward(x: Tensor): Tensor {
    return layerCall(this, x, (t) => t.leakyRelu(this.negativeSlope));
  }
  protected override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** Softmax along `dim` (default −1) as a layer: yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ), computed stably. */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
    integer('Softmax', 'dim', dim, Number.NEGATIVE_INFINITY);
  }
  forward(x: Tensor): Tensor {
    return layerCall(this, x, (t) => t.softmax(this.dim));
  }
  protected override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
