// Activation functions as modules, for Sequential and MLP. Each forward is one core op.
import type { Tensor } from '@chainrule/core';
import { fail, integer, show, tensorArg, within } from '../check';
import { Module } from '../module';

/** f(x) for the layer `m`: a non-Tensor input, or an error of the op, is reported under m's class name. */
function apply(m: Module, x: unknown, f: (t: Tensor) => Tensor): Tensor {
  const op = m.constructor.name;
  return within(op, () => f(tensorArg(op, 'input', x)));
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return apply(this, x, (t) => t.relu());
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return apply(this, x, (t) => t.sigmoid());
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return apply(this, x, (t) => t.tanh());
  }
}

/** GELU(x) = x·Φ(x), the exact form (PyTorch's default, approximate='none'). */
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return apply(this, x, (t) => t.gelu());
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) {
      fail('LeakyReLU', `negativeSlope must be a finite number, got ${show(negativeSlope)}`);
    }
  }
  forward(x: Tensor): Tensor {
    return apply(this, x, (t) => t.leakyRelu(this.negativeSlope));
  }
  protected override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
    integer('Softmax', 'dim', dim, Number.NEGATIVE_INFINITY);
  }
  forward(x: Tensor): Tensor {
    return apply(this, x, (t) => t.softmax(this.dim));
  }
  protected override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
