// Pooling layers over core's maxPool2d / avgPool2d.
import { avgPool2d, maxPool2d, type PoolOptions, type SpatialArg, type Tensor } from '@chainrule/core';
import { Module } from '../module';

/** What the two pooling layers share: a window size, its stride and padding. */
abstract class Pool2d extends Module {
  /** The step between windows (default: the kernel size). */
  readonly stride: SpatialArg;
  /** Padding on each side (−∞ for max pooling, zeros counted in the mean for average pooling). */
  readonly padding: SpatialArg;

  constructor(
    readonly kernelSize: SpatialArg,
    opts: PoolOptions = {},
  ) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
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
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}

/**
 * 2-D average pooling: x [N, C, H, W] → the mean of each kernelSize window, the zero padding
 * counted in the mean (PyTorch's default count_include_pad = true).
 */
export class AvgPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}
