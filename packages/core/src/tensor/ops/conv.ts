// ops: convolution and pooling, PyTorch layouts (NCL, NCHW; weight [out, in/groups, ...kernel]).
// Vocabulary: x, w (weight), b (bias) → y; gx, gw, gb, gy their gradients. A convolution is a
// matrix product over windows (F18): Y = W · U(x), U = im2col, so its backward is F13 applied
// to that product, with col2im = Uᵀ carrying the window gradients back to the pixels.
import { ChainruleError, describe } from '../../errors';
import * as K from '../../kernels/index';
import {
  type ConvOptions,
  type ConvPlan,
  convPlan,
  type PoolOptions,
  poolPlan,
  type SpatialArg,
} from '../../plans/conv';
import { empty } from '../create';
import { promote } from '../dtype';
import { gradBuffer, gradTarget, record } from '../record';
import { Tensor } from '../tensor';

function checkOperands(op: string, x: unknown, w: unknown, b: unknown): void {
  const named: [string, unknown][] = [
    ['input', x],
    ['weight', w],
  ];
  if (b !== undefined && b !== null) named.push(['bias', b]);
  for (const [name, t] of named) {
    if (!(t instanceof Tensor)) throw new ChainruleError(`${op}: ${name} must be a Tensor, got ${describe(t)}`);
  }
}

/**
 * 1-D convolution (cross-correlation, as PyTorch) of x [N, C_in, L] (or [C_in, L]) with weight
 * [C_out, C_in/groups, k] and an optional bias [C_out] → y [N, C_out, L_out], with
 * L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1.
 * @throws ChainruleError if the shapes or options do not fit (names the values).
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  checkOperands('conv1d', x, weight, bias);
  const p = convPlan('conv1d', 1, x.shape, weight.shape, bias ? bias.shape : null, opts);
  // F18–F20 (as conv2d): ∂L/∂W = Σₙ ∂L/∂Yₙ · Uₙᵀ ,  ∂L/∂b = Σ ∂L/∂Y ,  ∂L/∂x = col2im(Wᵀ · ∂L/∂Y)
  return convolve('conv1d', p, x, weight, bias ?? null);
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of x [N, C_in, H, W] (or [C_in, H, W]) with
 * weight [C_out, C_in/groups, kH, kW] and an optional bias [C_out] → y [N, C_out, H_out, W_out]:
 * y[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x[n, g·C_in/groups + c, i·s + p·d − pad, j·s + q·d − pad].
 * @throws ChainruleError if the shapes or options do not fit (names the values).
 * @example
 * const x = randn([8, 1, 28, 28]);
 * const w = randn([16, 1, 3, 3], { requiresGrad: true });
 * const y = conv2d(x, w, null, { padding: 1 });   // [8, 16, 28, 28]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  checkOperands('conv2d', x, weight, bias);
  const p = convPlan('conv2d', 2, x.shape, weight.shape, bias ? bias.shape : null, opts);
  // F18–F20 in convolve: ∂L/∂W = Σₙ ∂L/∂Yₙ · Uₙᵀ ,  ∂L/∂b = Σ ∂L/∂Y ,  ∂L/∂x = col2im(Wᵀ · ∂L/∂Y)
  return convolve('conv2d', p, x, weight, bias ?? null);
}

/** The convolution both conv1d and conv2d are: one plan, one forward, one backward. */
function convolve(op: string, p: ConvPlan, x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const dtype = promote(promote(x.dtype, w.dtype), b ? b.dtype : x.dtype);
  const y = empty(p.outShape, dtype);
  // F18: Yₙ = W · U(xₙ) + b 1ᵀ, per group
  K.convForward(p, x.data, w.data, y.data);
  if (b) K.addChannelBias(p.batch, p.outChannels, p.outSize, b.data, y.data);
  return record(y, op, b ? [x, w, b] : [x, w], (gy) => {
    // F19: ∂L/∂W = Σₙ ∂L/∂Yₙ · U(xₙ)ᵀ ,  ∂L/∂b = Σ_{n, positions} ∂L/∂Y
    if (w.requiresGrad) K.convBackwardWeight(p, x.data, gy, gradBuffer(w));
    if (b?.requiresGrad) K.sumChannels(p.batch, p.outChannels, p.outSize, gy, ...gradTarget(b));
    // F20: ∂L/∂xₙ = Uᵀ(Wᵀ · ∂L/∂Yₙ): col2im adds each window's gradient back, overlaps summed (F16)
    if (x.requiresGrad) K.convBackwardInput(p, w.data, gy, gradBuffer(x));
  });
}

function checkInput(op: string, x: unknown): void {
  if (!(x instanceof Tensor)) throw new ChainruleError(`${op}: input must be a Tensor, got ${describe(x)}`);
}

/**
 * 2-D max pooling of x [N, C, H, W] (or [C, H, W]): the maximum of each kernelSize window, the
 * windows `stride` apart (default kernelSize), the padding −∞.
 * @throws ChainruleError if the shapes or options do not fit.
 */
export function maxPool2d(x: Tensor, kernelSize: SpatialArg, opts: PoolOptions = {}): Tensor {
  checkInput('maxPool2d', x);
  const p = poolPlan('maxPool2d', x.shape, kernelSize, opts);
  const y = empty(p.outShape, x.dtype);
  const arg = new Int32Array(y.size);
  K.maxPool(p, x.data, y.data, arg);
  return record(y, 'maxPool2d', [x], (gy) => {
    // F21: ∂L/∂xᵢ = Σ_{o : argmax(o) = i} ∂L/∂yₒ (a tie goes to the first maximum, as PyTorch)
    K.maxPoolBackward(arg, gy, gradBuffer(x));
  });
}

/**
 * 2-D average pooling of x [N, C, H, W] (or [C, H, W]): the mean of each kernelSize window, the
 * padding counted as zeros (PyTorch's default count_include_pad = true).
 * @throws ChainruleError if the shapes or options do not fit.
 */
export function avgPool2d(x: Tensor, kernelSize: SpatialArg, opts: PoolOptions = {}): Tensor {
  checkInput('avgPool2d', x);
  const p = poolPlan('avgPool2d', x.shape, kernelSize, opts);
  const y = empty(p.outShape, x.dtype);
  K.avgPool(p, x.data, y.data);
  return record(y, 'avgPool2d', [x], (gy) => {
    // F22: ∂L/∂xᵢ = Σ_{o : i ∈ window(o)} ∂L/∂yₒ / (kH·kW)
    K.avgPoolBackward(p, gy, gradBuffer(x));
  });
}
