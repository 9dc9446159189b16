// Linear: the fully connected layer z = W x + b (F1), weight [out, in], bias [out].
import { ChainruleError, type DType, linear, noGrad, type Rng, rand, type Tensor } from '@chainrule/core';
import { Module } from '../module';

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
 * @throws ChainruleError if a size is not a positive integer.
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
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0)
        throw new ChainruleError(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    const dtype = opts.dtype ?? 'float32';
    this.weight = rand([outFeatures, inFeatures], {
      dtype,
      requiresGrad: true,
      ...(opts.rng ? { rng: opts.rng } : {}),
    });
    this.bias =
      opts.bias === false
        ? null
        : rand([outFeatures], { dtype, requiresGrad: true, ...(opts.rng ? { rng: opts.rng } : {}) });
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
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
