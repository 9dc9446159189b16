// Normalisation layers, written as compositions of core ops (autodiff gives their backward).
import { ChainruleError, type DType, noGrad, ones, type Tensor, zeros } from '@chainrule/core';
import { Module } from '../module';

/** Options of `BatchNorm1d` and `LayerNorm`. */
export interface NormOptions {
  /** ε added to the variance (default 1e-5). */
  eps?: number;
  /** Learnable scale (weight) and shift (bias), default true. */
  affine?: boolean;
  /** The dtype of the parameters and statistics (default float32). */
  dtype?: DType;
}

/**
 * Batch normalisation over [N, C] or [N, C, L]: y = (x − E[x]) / √(Var[x] + ε) · γ + β, with batch
 * statistics in training (biased variance) and running statistics in eval. The running
 * statistics follow r ← (1 − momentum)·r + momentum·batch, the variance unbiased, as PyTorch.
 */
export class BatchNorm1d extends Module {
  /** γ, the learnable scale (ones at first); null when `affine: false`. */
  readonly weight: Tensor | null;
  /** β, the learnable shift (zeros at first); null when `affine: false`. */
  readonly bias: Tensor | null;
  /** The running mean used in eval mode (a buffer: saved, not trained). */
  readonly runningMean: Tensor;
  /** The running (unbiased) variance used in eval mode (a buffer). */
  readonly runningVar: Tensor;
  /** ε added to the variance before the square root. */
  readonly eps: number;
  /** The weight of the batch statistics in the running ones (default 0.1). */
  readonly momentum: number;

  constructor(
    readonly numFeatures: number,
    opts: NormOptions & { momentum?: number } = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) {
      throw new ChainruleError(`BatchNorm1d: numFeatures must be a positive integer, got ${numFeatures}`);
    }
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    if (!(this.eps > 0)) throw new ChainruleError(`BatchNorm1d: eps must be positive, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new ChainruleError(`BatchNorm1d: momentum must be in [0, 1], got ${this.momentum}`);
    }
    const dtype = opts.dtype ?? 'float32';
    const affine = opts.affine ?? true;
    this.weight = affine ? ones([numFeatures], { dtype, requiresGrad: true }) : null;
    this.bias = affine ? zeros([numFeatures], { dtype, requiresGrad: true }) : null;
    this.runningMean = zeros([numFeatures], { dtype });
    this.runningVar = ones([numFeatures], { dtype });
  }

  forward(x: Tensor): Tensor {
    const c = this.numFeatures;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== c) {
      throw new ChainruleError(`BatchNorm1d: expected input [N, ${c}] or [N, ${c}, L], got [${x.shape.join(',')}]`);
    }
    const dims = x.ndim === 2 ? [0] : [0, 2];
    const shape = x.ndim === 2 ? [1, c] : [1, c, 1];
    let mean: Tensor;
    let variance: Tensor;
    if (this.training) {
      const count = x.size / c;
      if (count < 2)
        throw new ChainruleError(
          `BatchNorm1d: training needs more than 1 value per channel, got input [${x.shape.join(',')}]`,
        );
      mean = x.mean(dims, true);
      variance = x.sub(mean).pow(2).mean(dims, true);
      noGrad(() => {
        const m = this.momentum;
        const unbiased = count / (count - 1);
        for (let j = 0; j < c; j++) {
          this.runningMean.data[j] = (1 - m) * (this.runningMean.data[j] as number) + m * (mean.data[j] as number);
          this.runningVar.data[j] =
            (1 - m) * (this.runningVar.data[j] as number) + m * (variance.data[j] as number) * unbiased;
        }
      });
    } else {
      mean = this.runningMean.reshape(shape);
      variance = this.runningVar.reshape(shape);
    }
    const y = x.sub(mean).div(variance.add(this.eps).sqrt());
    return this.weight && this.bias ? y.mul(this.weight.reshape(shape)).add(this.bias.reshape(shape)) : y;
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}`;
  }
}

/** Layer normalisation over the last dims `normalizedShape`: y = (x − E[x]) / √(Var[x] + ε) · γ + β. */
export class LayerNorm extends Module {
  /** γ, the learnable scale over `normalizedShape` (ones at first); null when `affine: false`. */
  readonly weight: Tensor | null;
  /** β, the learnable shift (zeros at first); null when `affine: false`. */
  readonly bias: Tensor | null;
  /** The trailing dims normalized over. */
  readonly normalizedShape: readonly number[];
  /** ε added to the variance before the square root. */
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], opts: NormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || !this.normalizedShape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ChainruleError(
        `LayerNorm: normalizedShape must be positive integers, got [${this.normalizedShape.join(',')}]`,
      );
    }
    this.eps = opts.eps ?? 1e-5;
    const dtype = opts.dtype ?? 'float32';
    const affine = opts.affine ?? true;
    this.weight = affine ? ones(this.normalizedShape, { dtype, requiresGrad: true }) : null;
    this.bias = affine ? zeros(this.normalizedShape, { dtype, requiresGrad: true }) : null;
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ChainruleError(
        `LayerNorm: input [${x.shape.join(',')}] does not end with normalizedShape [${this.normalizedShape.join(',')}]`,
      );
    }
    const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const mean = x.mean(dims, true);
    const centered = x.sub(mean);
    const variance = centered.pow(2).mean(dims, true);
    const y = centered.div(variance.add(this.eps).sqrt());
    return this.weight && this.bias ? y.mul(this.weight).add(this.bias) : y;
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(',')}], eps=${this.eps}`;
  }
}
