// Pooling layers over core's maxPool2d / avgPool2d.
import { avgPool2d, maxPool2d, type PoolOptions, type SpatialArg, type Tensor } from '@chainrule/core';
import { fail, floatDType, floatInput, options, rngOption, show, spatial, within } from '../check';
import { Module } from '../module';

/** What the two pooling layers share: a window size, its stride and padding. */
abstract class Pool2d extends Module {
  /** The step between windows (default: the kernel size). */
  readonly stride: SpatialArg;
  /** Padding on each side (−∞ for max pooling, zeros counted in the mean for average pooling). */
  readonly padding: SpatialArg;

  /**
   * Checks the sizes as the core op will at forward (kernelSize and stride ≥ 1, padding at most
   * half the kernel), so a bad layer fails where it is made, under its own name.
   */
  constructor(
    readonly kernelSize: SpatialArg,
    opts: PoolOptions = {},
  ) {
    super();
    const op = this.constructor.name;
    const kernel = spatial(op, 'kernelSize', kernelSize, 2, 1);
    // rng and dtype: every layer takes them (a pooling layer has no parameters to use them on)
    const o = options(op, opts, ['stride', 'padding', 'rng', 'dtype']);
    rngOption(op, o.rng);
    floatDType(op, o.dtype);
    this.stride = (o.stride ?? kernelSize) as SpatialArg;
    this.padding = (o.padding ?? 0) as SpatialArg;
    spatial(op, 'stride', this.stride, 2, 1);
    const pad = spatial(op, 'padding', this.padding, 2, 0);
    if (pad.some((p, i) => 2 * p > (kernel[i] as number))) {
      fail(op, `padding ${show(this.padding)} must be at most half of kernelSize ${show(kernelSize)}`);
    }
  }

  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}`;
  }
}

/**
 * 2-D max pooling: x [N, C, H, W] → the maximum of each kernelSize window, windows `stride`
 * apart (default kernelSize), implicit −∞ padding of at most half the kernel.
 */
export class MaxPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    const t = floatInput('MaxPool2d', x);
    return within('MaxPool2d', () => maxPool2d(t, this.kernelSize, { stride: this.stride, padding: this.padding }));
  }
}

/**
 * 2-D average pooling: x [N, C, H, W] → the mean of each kernelSize window, the zero padding
 * counted in the mean (PyTorch's default count_include_pad = true).
 */
export class AvgPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    const t = floatInput('AvgPool2d', x);
    return within('AvgPool2d', () => avgPool2d(t, this.kernelSize, { stride: this.stride, padding: this.padding }));
  }
}
