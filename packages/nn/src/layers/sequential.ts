// Sequential: modules applied in order; parameters are named by position ('0.weight'), as PyTorch.
import type { Tensor } from '@chainrule/core';
import { fail, show, within } from '../check';
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
      if (!(m instanceof Module)) fail('Sequential', `argument ${i} must be a Module, got ${show(m)}`);
    });
    this.layers = layers;
  }

  protected override fields(): [string, unknown][] {
    return this.layers.map((m, i) => [String(i), m]);
  }

  /** Each layer's forward in turn; an error of layer i is reported as `Sequential: layer i: …`. */
  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((m, i) => {
      h = within(`Sequential: layer ${i}`, () => m.forward(h));
    });
    return h;
  }
}
