// Sequential: modules applied in order; parameters are named by position ('0.weight'), as PyTorch.
import type { Tensor } from '@chainrule/core';
import { ChainruleError } from '@chainrule/core';
import { Module } from '../module';

/**
 * Modules applied in order, each to the previous one's output; parameters named `layers.0.weight`, …
 * @example
 * const net = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1));
 */
export class Sequential extends Module {
  /** The modules, in the order forward applies them. */
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new ChainruleError(`Sequential: argument ${i} is not a Module`);
    });
    this.layers = layers;
  }

  protected override fields(): [string, unknown][] {
    return this.layers.map((m, i) => [String(i), m]);
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
}
