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
  type PoolPlan,
  poolPlan,
  type SpatialArg,
} from '../../plans/conv';
import { empty } from '../create';
import { promote } from '../dtype';
import { gradBuffer, gradTarget, record, recordsGraph } from '../record';
import { Tensor } from '../tensor';
import { scatterAdd } from './indexing';

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
  K.convForward(p, x.data, w.data, y.data, b ? b.data : null);
  return record(
    y,
    op,
    b ? [x, w, b] : [x, w],
    (gy) => {
      // F19: ∂L/∂W = Σₙ ∂L/∂Yₙ · U(xₙ)ᵀ ,  ∂L/∂b = Σ_{n, positions} ∂L/∂Y
      if (w.requiresGrad) K.convBackwardWeight(p, x.data, gy, gradBuffer(w));
      if (b?.requiresGrad) K.sumChannels(p.batch, p.outChannels, p.outSize, gy, ...gradTarget(b));
      // F20: ∂L/∂xₙ = Uᵀ(Wᵀ · ∂L/∂Yₙ): col2im adds each window's gradient back, overlaps summed (F16)
      if (x.requiresGrad) K.convBackwardInput(p, w.data, gy, gradBuffer(x));
    },
    (gy) => [
      x.requiresGrad ? convInputGrad(op, p, gy, w, x.shape) : null,
      w.requiresGrad ? convWeightGrad(op, p, x, gy, w.shape) : null,
      b?.requiresGrad ? gy.reshape([p.batch, p.outChannels, p.outSize]).sum([0, 2]) : null,
    ],
  );
}

// The two gradients of a convolution as ops of their own, so that they can be differentiated
// again. Each is linear in both operands, and the three ops are each other's adjoints: with
// C_w x = conv(x, w), F20 is C_wᵀ g and F19 is ∂⟨C_w x, g⟩/∂w. Their fast paths run the VJPs.

/** F20 as an op: gx = C_wᵀ g = col2im(Wᵀ · g), a transposed convolution of g (x's shape). */
function convInputGrad(op: string, p: ConvPlan, g: Tensor, w: Tensor, xShape: readonly number[]): Tensor {
  const gx = empty(xShape, promote(g.dtype, w.dtype));
  K.convBackwardInput(p, w.data, g.data, gx.data);
  // ∂L/∂g = C_w(∂L/∂gx) (a convolution) ,  ∂L/∂w = F19 with ∂L/∂gx as the input and g as ∂L/∂Y
  return record(gx, `${op}InputGrad`, [g, w], null, (ggx) => [
    g.requiresGrad ? convolve(op, p, ggx, w, null) : null,
    w.requiresGrad ? convWeightGrad(op, p, ggx, g, w.shape) : null,
  ]);
}

/** F19 as an op: gw = Σₙ gₙ · U(xₙ)ᵀ (w's shape), so that ⟨gw, v⟩ = ⟨C_v x, g⟩. */
function convWeightGrad(op: string, p: ConvPlan, x: Tensor, g: Tensor, wShape: readonly number[]): Tensor {
  const gw = empty(wShape, promote(x.dtype, g.dtype));
  K.convBackwardWeight(p, x.data, g.data, gw.data);
  // ∂L/∂x = C_vᵀ g (F20 with v = ∂L/∂gw as the weight) ,  ∂L/∂g = C_v x (a convolution of x by v)
  return record(gw, `${op}WeightGrad`, [x, g], null, (ggw) => [
    x.requiresGrad ? convInputGrad(op, p, g, ggw, x.shape) : null,
    g.requiresGrad ? convolve(op, p, x, ggw, null) : null,
  ]);
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
  // where each maximum came from, kept only for a graph's backward (inference does without it)
  const arg = recordsGraph([x]) ? new Int32Array(y.size) : null;
  K.maxPool(p, x.data, y.data, arg);
  if (arg === null) return y;
  return record(
    y,
    'maxPool2d',
    [x],
    (gy) => {
      // F21: ∂L/∂xᵢ = Σ_{o : argmax(o) = i} ∂L/∂yₒ (a tie goes to the first maximum, as PyTorch)
      K.maxPoolBackward(arg, gy, ...gradTarget(x));
    },
    (gy) => [scatterAdd(gy, arg, x.shape)],
  );
}

/**
 * 2-D average pooling of x [N, C, H, W] (or [C, H, W]): the mean of each kernelSize window, the
 * padding counted as zeros (PyTorch's default count_include_pad = true).
 * @throws ChainruleError if the shapes or options do not fit.
 */
export function avgPool2d(x: Tensor, kernelSize: SpatialArg, opts: PoolOptions = {}): Tensor {
  checkInput('avgPool2d', x);
  return averagePool(poolPlan('avgPool2d', x.shape, kernelSize, opts), x);
}

/** Average pooling along a plan: a linear map A, whose VJP is Aᵀ (F22) and Aᵀ's is A again. */
function averagePool(p: PoolPlan, x: Tensor): Tensor {
  const y = empty(p.outShape, x.dtype);
  K.avgPool(p, x.data, y.data);
  return record(
    y,
    'avgPool2d',
    [x],
    (gy) => {
      // F22: ∂L/∂xᵢ = Σ_{o : i ∈ window(o)} ∂L/∂yₒ / (kH·kW)
      K.avgPoolBackward(p, gy, gradBuffer(x));
    },
    (gy) => [averagePoolAdjoint(p, gy, x.shape)],
  );
}

/** F22 as an op: Aᵀg, each window's gradient spread over its taps. */
function averagePoolAdjoint(p: PoolPlan, g: Tensor, xShape: readonly number[]): Tensor {
  const gx = empty(xShape, g.dtype);
  K.avgPoolBackward(p, g.data, gx.data);
  // ∂L/∂g = A(∂L/∂gx): the pooling is its adjoint's adjoint
  return record(gx, 'avgPool2dAdjoint', [g], null, (ggx) => [averagePool(p, ggx)]);
}
