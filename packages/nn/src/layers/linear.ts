// Linear: the fully connected layer z = W x + b (F1), weight [out, in], bias [out].
import { type DType, linear, noGrad, type Rng, rand, type Tensor } from '@chainrule/core';
import { fail, flag, floatDType, floatInput, integer, options, rngOption, within, withRng } from '../check';
import { Module } from '../module';
import { parameter } from '../parameter';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Whether to add a bias (default true). */
  bias?: boolean;
  /** The random source for the initial weights (default: core's global Rng). */
  rng?: Rng;
  /** The dtype of the weight and bias (default float32). */
  dtype?: DType;
}

/**
 * y = x Wᵀ + b for x [..., inFeatures] → y [..., outFeatures]. Weight and bias start uniform in
 * ±1/√inFeatures, PyTorch's default (the effect of kaiming_uniform_ with a = √5).
 * @throws ChainruleError naming Linear for a size that is not a positive integer, an unknown or
 *   invalid option, or (forward) an input that is not a float Tensor ending with inFeatures.
 * @example
 * const layer = new Linear(3, 2, { rng: new Rng(0) });
 * const y = layer.forward(tensor([[1, 2, 3]]));   // shape [1, 2]
 */
export class Linear extends Module {
  /** W, shape [outFeatures, inFeatures] (PyTorch's layout: z = W x + b). */
  weight: Tensor;
  /** b, shape [outFeatures]; null when built with `bias: false`. */
  bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    const op = 'Linear';
    integer(op, 'inFeatures', inFeatures);
    integer(op, 'outFeatures', outFeatures);
    const o = options(op, opts, ['bias', 'rng', 'dtype']);
    const bias = flag(op, 'bias', o.bias, true);
    const rng = withRng(rngOption(op, o.rng));
    const dtype = floatDType(op, o.dtype);
    // within: a size too large to allocate is reported as Linear's
    this.weight = parameter(within(op, () => rand([outFeatures, inFeatures], { dtype, requiresGrad: true, ...rng })));
    this.bias = bias ? parameter(rand([outFeatures], { dtype, requiresGrad: true, ...rng })) : null;
    this.resetParameters();
  }

  /** Maps the uniform [0, 1) draws to U(−1/√in, 1/√in). */
  private resetParameters(): void {
    const bound = 1 / Math.sqrt(this.inFeatures);
    noGrad(() => {
      for (const t of this.bias ? [this.weight, this.bias] : [this.weight]) {
        for (let i = 0; i < t.size; i++) t.data[i] = bound * (2 * (t.data[i] as number) - 1);
      }
    });
  }

  forward(x: Tensor): Tensor {
    const op = this.constructor.name;
    const t = floatInput(op, x);
    const k = t.shape[t.ndim - 1];
    if (k !== this.inFeatures) {
      fail(op, `input [${t.shape.join(',')}] must end with inFeatures ${this.inFeatures}`);
    }
    return within(op, () => linear(t, this.weight, this.bias));
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
