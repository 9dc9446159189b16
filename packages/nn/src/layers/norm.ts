// Normalisation layers, written as compositions of core ops (autodiff gives their backward).
import { type DType, layerNorm, noGrad, ones, type Tensor, zeros } from '@chainrule/core';
import { fail, flag, floatDType, floatInput, integer, number, numel, options, positiveFinite, show } from '../check';
import { Module } from '../module';
import { parameter } from '../parameter';

/** Options of `BatchNorm1d` and `LayerNorm`. */
export interface NormOptions {
  /** ε added to the variance (default 1e-5). */
  eps?: number;
  /** Learnable scale (weight) and shift (bias), default true. */
  affine?: boolean;
  /** The dtype of the parameters and statistics (default float32). */
  dtype?: DType;
}

/** Options of BatchNorm1d and BatchNorm2d. */
export interface BatchNormOptions extends NormOptions {
  /**
   * Weight of the new batch statistic in the running ones (default 0.1); null for a cumulative
   * average over the batches seen (1/num_batches_tracked), as PyTorch's momentum=None.
   */
  momentum?: number | null;
}

/**
 * Batch normalisation over the channel dim 1: y = (x − E[x]) / √(Var[x] + ε) · γ + β, with batch
 * statistics in training (biased variance) and running statistics in eval. The running
 * statistics follow r ← (1 − momentum)·r + momentum·batch, the variance unbiased, as PyTorch.
 * Parameters and buffers carry PyTorch's names: weight, bias, running_mean, running_var,
 * num_batches_tracked (int32 here, int64 in PyTorch: an I64 checkpoint loads into it).
 */
abstract class BatchNorm extends Module {
  /** γ, the learnable scale (ones at first); null when `affine: false`. */
  weight: Tensor | null;
  /** β, the learnable shift (zeros at first); null when `affine: false`. */
  bias: Tensor | null;
  /** The running mean used in eval mode (a buffer: saved, not trained). */
  running_mean: Tensor;
  /** The running (unbiased) variance used in eval mode (a buffer). */
  running_var: Tensor;
  /** How many training batches have updated the running statistics (a buffer). */
  num_batches_tracked: Tensor;
  /** ε added to the variance before the square root. */
  readonly eps: number;
  /** The weight of the batch statistics in the running ones (default 0.1; null: a cumulative average). */
  readonly momentum: number | null;
  /** The accepted input ranks and their layout, for messages. */
  protected abstract get layout(): { ranks: readonly number[]; text: string };

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    const op = this.constructor.name;
    integer(op, 'numFeatures', numFeatures);
    const o = options(op, opts, ['eps', 'momentum', 'affine', 'dtype']);
    this.eps = number(op, 'eps', o.eps, 1e-5, 'a finite number > 0', positiveFinite);
    this.momentum =
      o.momentum === null
        ? null
        : number(op, 'momentum', o.momentum, 0.1, 'in [0, 1] or null', (m) => m >= 0 && m <= 1);
    const dtype = floatDType(op, o.dtype);
    const affine = flag(op, 'affine', o.affine, true);
    numel(op, 'numFeatures', [numFeatures]);
    this.weight = affine ? parameter(ones([numFeatures], { dtype, requiresGrad: true })) : null;
    this.bias = affine ? parameter(zeros([numFeatures], { dtype, requiresGrad: true })) : null;
    this.running_mean = zeros([numFeatures], { dtype });
    this.running_var = ones([numFeatures], { dtype });
    this.num_batches_tracked = zeros([], { dtype: 'int32' });
  }

  forward(x: Tensor): Tensor {
    const c = this.numFeatures;
    const op = this.constructor.name;
    floatInput(op, x);
    if (!this.layout.ranks.includes(x.ndim) || x.shape[1] !== c) {
      fail(op, `expected input ${this.layout.text.replaceAll('C', String(c))}, got [${x.shape.join(',')}]`);
    }
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const shape = x.shape.map((d, i) => (i === 1 ? d : 1));
    let mean: Tensor;
    let variance: Tensor;
    if (this.training) {
      const count = x.size / c;
      if (count < 2) fail(op, `training needs more than 1 value per channel, got input [${x.shape.join(',')}]`);
      mean = x.mean(dims, true);
      variance = x.sub(mean).pow(2).mean(dims, true);
      noGrad(() => {
        const tracked = (this.num_batches_tracked.data[0] as number) + 1;
        this.num_batches_tracked.data[0] = tracked;
        const m = this.momentum ?? 1 / tracked;
        const unbiased = count / (count - 1);
        for (let j = 0; j < c; j++) {
          this.running_mean.data[j] = (1 - m) * (this.running_mean.data[j] as number) + m * (mean.data[j] as number);
          this.running_var.data[j] =
            (1 - m) * (this.running_var.data[j] as number) + m * (variance.data[j] as number) * unbiased;
        }
        for (const b of [this.num_batches_tracked, this.running_mean, this.running_var]) b.bumpVersion();
      });
    } else {
      mean = this.running_mean.reshape(shape);
      variance = this.running_var.reshape(shape);
    }
    const y = x.sub(mean).div(variance.add(this.eps).sqrt());
    return this.weight && this.bias ? y.mul(this.weight.reshape(shape)).add(this.bias.reshape(shape)) : y;
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}`;
  }
}

/** Batch normalisation of [N, C] or [N, C, L], per channel C (see BatchNorm for the formula and names). */
export class BatchNorm1d extends BatchNorm {
  protected get layout() {
    return { ranks: [2, 3], text: '[N, C] or [N, C, L]' };
  }
}

/**
 * Batch normalisation of images [N, C, H, W], per channel C over N, H and W:
 * y = (x − E[x]) / √(Var[x] + ε) · γ + β, batch statistics in training, running ones in eval.
 * Parameters and buffers as PyTorch: weight, bias, running_mean, running_var, num_batches_tracked.
 * @example
 * const bn = new BatchNorm2d(16);
 * bn.forward(randn([8, 16, 28, 28]));   // normalised per channel
 */
export class BatchNorm2d extends BatchNorm {
  protected get layout() {
    return { ranks: [4], text: '[N, C, H, W]' };
  }
}

/** Layer normalisation over the last dims `normalizedShape`: y = (x − E[x]) / √(Var[x] + ε) · γ + β. */
export class LayerNorm extends Module {
  /** γ, the learnable scale over `normalizedShape` (ones at first); null when `affine: false`. */
  weight: Tensor | null;
  /** β, the learnable shift (zeros at first); null when `affine: false`. */
  bias: Tensor | null;
  /** The trailing dims normalized over. */
  readonly normalizedShape: readonly number[];
  /** ε added to the variance before the square root. */
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], opts: NormOptions = {}) {
    super();
    const op = 'LayerNorm';
    const dims = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(dims) || dims.length === 0) {
      fail(op, `normalizedShape must be a positive integer or a non-empty array of them, got ${show(normalizedShape)}`);
    }
    dims.forEach((d: unknown, i) => {
      integer(op, typeof normalizedShape === 'number' ? 'normalizedShape' : `normalizedShape[${i}]`, d);
    });
    this.normalizedShape = [...dims];
    const o = options(op, opts, ['eps', 'affine', 'dtype']);
    this.eps = number(op, 'eps', o.eps, 1e-5, 'a finite number > 0', positiveFinite);
    const dtype = floatDType(op, o.dtype);
    const affine = flag(op, 'affine', o.affine, true);
    numel(op, 'normalizedShape', this.normalizedShape);
    this.weight = affine ? parameter(ones(this.normalizedShape, { dtype, requiresGrad: true })) : null;
    this.bias = affine ? parameter(zeros(this.normalizedShape, { dtype, requiresGrad: true })) : null;
  }

  forward(x: Tensor): Tensor {
    const op = this.constructor.name;
    floatInput(op, x);
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      fail(op, `input [${x.shape.join(',')}] does not end with normalizedShape [${this.normalizedShape.join(',')}]`);
    }
    // core's fused op: the statistics, the normalisation and the affine map in one kernel
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(',')}], eps=${this.eps}`;
  }
}
