// Structural layers: Flatten and Identity, for Sequential models.
import type { Tensor } from '@chainrule/core';
import { integer, tensorArg, within } from '../check';
import { Module } from '../module';

/** Merges dims startDim..endDim into one (default: all but the batch dim), as torch.nn.Flatten. */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
    integer('Flatten', 'startDim', startDim, Number.NEGATIVE_INFINITY);
    integer('Flatten', 'endDim', endDim, Number.NEGATIVE_INFINITY);
  }

  forward(x: Tensor): Tensor {
    const t = tensorArg('Flatten', 'input', x);
    return within('Flatten', () => t.flatten(this.startDim, this.endDim));
  }

  protected override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Returns its input unchanged: a placeholder, e.g. for a layer switched off by a flag. */
export class Identity extends Module {
  forward<T>(x: T): T {
    return x;
  }
}
