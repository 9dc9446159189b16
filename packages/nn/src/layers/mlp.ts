// MLP: Linear layers with an activation between them (F1 applied layer after layer).
import type { DType, Rng, Tensor } from '@chainrule/core';
import { fail, floatDType, floatInput, integer, options, rngOption, show, within } from '../check';
import { Module } from '../module';
import { Linear } from './linear';

/** The hidden-layer nonlinearities an MLP can use. */
export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'leakyRelu' | 'gelu';
/** What an MLP applies after its last layer: a nonlinearity, or null for raw outputs (logits). */
export type OutputActivation = 'sigmoid' | 'softmax' | 'tanh' | null;

/** Options of `MLP`. */
export interface MLPOptions {
  /** Between hidden layers (default 'relu'). */
  activation?: Activation;
  /** After the last layer (default null: raw outputs, e.g. logits for crossEntropyLoss). */
  outputActivation?: OutputActivation;
  rng?: Rng;
  dtype?: DType;
}

/**
 * A multilayer perceptron: `new MLP(2, [16, 16, 1])` is 2 → 16 → 16 → 1, with parameters named
 * `layers.0.weight`, `layers.0.bias`, … .
 * @throws ChainruleError if a size is not a positive integer or an option is unknown.
 * @example
 * const model = new MLP(2, [16, 16, 2], { activation: 'tanh', rng: new Rng(0) });
 * const logits = model.forward(tensor([[0.5, -1]])); // shape [1, 2]
 */
export class MLP extends Module {
  /** The Linear layers, in order: parameters `layers.0.weight`, `layers.0.bias`, … */
  readonly layers: Linear[];
  /** The nonlinearity between layers. */
  readonly activation: Activation;
  /** The function after the last layer, or null. */
  readonly outputActivation: OutputActivation;

  constructor(inFeatures: number, layerSizes: readonly number[], opts: MLPOptions = {}) {
    super();
    const op = 'MLP';
    integer(op, 'inFeatures', inFeatures);
    if (!Array.isArray(layerSizes) || layerSizes.length === 0) {
      fail(op, `layerSizes must be a non-empty array of layer widths, got ${show(layerSizes)}`);
    }
    layerSizes.forEach((n, i) => {
      integer(op, `layerSizes[${i}]`, n);
    });
    const o = options(op, opts, ['activation', 'outputActivation', 'rng', 'dtype']);
    this.activation = (o.activation ?? 'relu') as Activation;
    this.outputActivation = (o.outputActivation ?? null) as OutputActivation;
    if (!['relu', 'tanh', 'sigmoid', 'leakyRelu', 'gelu'].includes(this.activation)) {
      fail(op, `unknown activation ${show(this.activation)} (relu, tanh, sigmoid, leakyRelu or gelu)`);
    }
    if (![null, 'sigmoid', 'softmax', 'tanh'].includes(this.outputActivation)) {
      fail(op, `unknown outputActivation ${show(this.outputActivation)} (sigmoid, softmax, tanh or null)`);
    }
    const rng = rngOption(op, o.rng);
    const dtype = floatDType(op, o.dtype);
    const sizes = [inFeatures, ...layerSizes];
    this.layers = within(op, () =>
      layerSizes.map((out, i) => new Linear(sizes[i] as number, out, { ...(rng ? { rng } : {}), dtype })),
    );
  }

  forward(x: Tensor): Tensor {
    const t = floatInput('MLP', x);
    const inFeatures = (this.layers[0] as Linear).inFeatures;
    if (t.shape[t.ndim - 1] !== inFeatures)
      fail('MLP', `input [${t.shape.join(',')}] must end with inFeatures ${inFeatures}`);
    return within('MLP', () => this.run(t));
  }

  private run(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (i < this.layers.length - 1) h = h[this.activation]();
    });
    if (this.outputActivation === 'softmax') return h.softmax(-1);
    return this.outputActivation ? h[this.outputActivation]() : h;
  }

  protected override extraRepr(): string {
    return `activation=${this.activation}, outputActivation=${this.outputActivation}`;
  }
}
