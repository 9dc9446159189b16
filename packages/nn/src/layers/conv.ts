// Convolution layers over core's conv1d / conv2d, with PyTorch's parameter names, layouts and
// default initialisation.
import {
  type ConvPadding,
  conv1d,
  conv2d,
  type DType,
  noGrad,
  type Rng,
  rand,
  type SpatialArg,
  type Tensor,
  zeros,
} from '@chainrule/core';
import { fail, flag, floatDType, floatInput, integer, options, rngOption, show, spatial, within } from '../check';
import { kaimingUniform } from '../init';
import { Module } from '../module';
import { parameter } from '../parameter';

/** Options of Conv1d and Conv2d (torch.nn.Conv1d / Conv2d, zero padding). */
export interface ConvLayerOptions {
  /** Step between windows (default 1). */
  stride?: SpatialArg;
  /** Zeros added on both sides (default 0), or 'same' / 'valid'. */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialArg;
  /** Channel groups (default 1); both channel counts must be multiples of it. */
  groups?: number;
  /** Whether to add a bias (default true). */
  bias?: boolean;
  /** The random source for the initial weights (default: core's global Rng). */
  rng?: Rng;
  dtype?: DType;
}

/**
 * The convolution both layers are; subclasses fix the number of spatial dims. Stride, padding
 * and dilation are checked by the core op (its messages name them) at the first forward.
 */
abstract class ConvNd extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: readonly number[];
  readonly stride: SpatialArg;
  readonly padding: ConvPadding;
  readonly dilation: SpatialArg;
  readonly groups: number;

  constructor(
    nd: 1 | 2,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: SpatialArg,
    opts: ConvLayerOptions,
  ) {
    super();
    const op = this.constructor.name;
    integer(op, 'inChannels', inChannels);
    integer(op, 'outChannels', outChannels);
    const kernel = spatial(op, 'kernelSize', kernelSize, nd, 1);
    const o = options(op, opts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'rng', 'dtype']);
    this.groups = integer(op, 'groups', o.groups ?? 1);
    if (inChannels % this.groups || outChannels % this.groups) {
      fail(op, `groups ${this.groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    this.stride = (o.stride ?? 1) as SpatialArg;
    this.dilation = (o.dilation ?? 1) as SpatialArg;
    this.padding = (o.padding ?? 0) as ConvPadding;
    spatial(op, 'stride', this.stride, nd, 1);
    spatial(op, 'dilation', this.dilation, nd, 1);
    if (this.padding !== 'same' && this.padding !== 'valid') {
      if (typeof this.padding !== 'number' && !Array.isArray(this.padding)) {
        fail(op, `padding must be an integer >= 0, ${nd} of them, 'same' or 'valid', got ${show(this.padding)}`);
      }
      spatial(op, 'padding', this.padding, nd, 0);
    }
    this.kernelSize = kernel;
    const dtype = floatDType(op, o.dtype);
    const rng = rngOption(op, o.rng);
    const shape = [outChannels, inChannels / this.groups, ...kernel];
    this.weight = parameter(within(op, () => zeros(shape, { dtype, requiresGrad: true })));
    this.bias = flag(op, 'bias', o.bias, true) ? parameter(zeros([outChannels], { dtype, requiresGrad: true })) : null;
    this.resetParameters(rng);
  }

  /**
   * PyTorch's default: weight by kaiming_uniform_ with a = √5, i.e. U(±1/√fanIn), and bias
   * U(±1/√fanIn), fanIn = (inChannels/groups)·∏kernelSize.
   */
  resetParameters(rng?: Rng): void {
    const fanIn = this.weight.size / this.outChannels;
    const bound = 1 / Math.sqrt(fanIn);
    kaimingUniform(this.weight, { a: Math.sqrt(5), ...(rng ? { rng } : {}) });
    if (this.bias) {
      const u = rand([this.outChannels], { dtype: 'float64', ...(rng ? { rng } : {}) }).data;
      const b = this.bias;
      noGrad(() => {
        for (let i = 0; i < b.size; i++) b.data[i] = bound * (2 * (u[i] as number) - 1);
      });
    }
  }

  abstract override forward(x: Tensor): Tensor;

  protected override extraRepr(): string {
    return (
      `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize.join(',')}], ` +
      `stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}` +
      `${this.dilation !== 1 ? `, dilation=${JSON.stringify(this.dilation)}` : ''}` +
      `${this.groups !== 1 ? `, groups=${this.groups}` : ''}${this.bias ? '' : ', bias=false'}`
    );
  }
}

/**
 * 1-D convolution layer: x [N, inChannels, L] → [N, outChannels, L_out] (conv1d). Weight
 * [outChannels, inChannels/groups, kernelSize], bias [outChannels], initialised as PyTorch.
 * @throws ChainruleError for sizes or options that do not fit.
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: ConvLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this;
    const t = floatInput('Conv1d', x);
    return within('Conv1d', () => conv1d(t, this.weight, this.bias, { stride, padding, dilation, groups }));
  }
}

/**
 * 2-D convolution layer: x [N, inChannels, H, W] → [N, outChannels, H_out, W_out] (conv2d).
 * Weight [outChannels, inChannels/groups, kH, kW], bias [outChannels], initialised as PyTorch
 * (U(±1/√fanIn)), so a PyTorch state dict loads as is.
 * @throws ChainruleError for sizes or options that do not fit.
 * @example
 * const conv = new Conv2d(1, 16, 3, { padding: 1, rng: new Rng(0) });
 * conv.forward(randn([8, 1, 28, 28])).shape;   // [8, 16, 28, 28]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SpatialArg, opts: ConvLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this;
    const t = floatInput('Conv2d', x);
    return within('Conv2d', () => conv2d(t, this.weight, this.bias, { stride, padding, dilation, groups }));
  }
}
