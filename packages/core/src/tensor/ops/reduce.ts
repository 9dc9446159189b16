// ops: reductions over all elements, one dim or a list of dims (negative dims allowed), with
// keepDim as in PyTorch: sum mean max min argmax argmin var std logsumexp cumsum.
// Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x.
// Each reduction walks a plan of (x's shape, y's keep-dim shape): y is "broadcast" over x.
import { check, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { axisPlan, broadcastDims, type ReducePlan, reducePlan } from '../../plans/reduce';
import { checkFlag, checkNumber, checkOptionsObject, reducedShape, sameShape, sizeOf } from '../../plans/shape';
import { checkTensor, empty } from '../create';
import { arithmetic } from '../dtype';
import { gradBuffer, noGrad, record } from '../record';
import type { Tensor } from '../tensor';
import { add, div, neg, sub } from './binary';
import { flip, scatterAdd } from './indexing';
import { expand, reshape } from './movement';
import { lt, where } from './select';
import { abs, exp, log, sqrt, square } from './unary';

/** Σ over `dim` (all dims when omitted). */
export function sum(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  checkTensor('sum', x);
  const p = reducePlan('sum', x.shape, dim, keepDim);
  const y = empty(p.outShape, arithmetic(x.dtype));
  K.sumTo(p.walk, x.data, y.data);
  return record(
    y,
    'sum',
    [x],
    (gy) => {
      // ∂L/∂x = gy broadcast back over the summed dims (each x element enters one sum once)
      K.broadcastAdd(p.walk, gy, gradBuffer(x));
    },
    (gy) => [expand(reshape(gy, reducedShape(x.shape, p.dims, true)), x.shape)],
  );
}

/**
 * g summed over the dims along which `shape` was broadcast to g's shape, then given `shape`: the
 * gradient of a broadcast operand (F15). PyTorch's sum_to_size.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const dims = broadcastDims(g.shape, shape);
  // ∂L/∂g = the gradient broadcast back to g's shape: a composite of sum and reshape (backward: theirs)
  return reshape(dims.length > 0 ? sum(g, dims, true) : g, shape);
}

/** The arithmetic mean over `dim` (all dims when omitted). */
export function mean(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  checkTensor('mean', x);
  const p = reducePlan('mean', x.shape, dim, keepDim);
  // mean = sum / n: a composite, its backward is sum's and div's (∂L/∂x = gy / n)
  return div(sum(x, p.dims, keepDim), p.count);
}

/**
 * The maximum over `dim` (all dims when omitted). NaN propagates. The gradient flows only to the
 * arg-max element, the first one in row-major order when several tie (PyTorch's max(dim) picks
 * one index too; its amax would split the gradient among ties).
 */
export function max(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  checkTensor('max', x);
  const p = reducePlan('max', x.shape, dim, keepDim);
  checkNonEmpty('max', x, p);
  const y = empty(p.outShape, x.dtype);
  const arg = new Int32Array(y.size);
  K.maxAlong(p.walk, x.data, y.data, arg);
  return record(
    y,
    'max',
    [x],
    (gy) => {
      // ∂L/∂x[i] = gy where i is the arg-max, 0 elsewhere
      K.maxBackward(arg, gy, gradBuffer(x));
    },
    (gy) => [scatterAdd(gy, arg, x.shape)],
  );
}

/** The minimum over `dim` (all dims when omitted); the gradient goes to the first arg-min. */
export function min(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  checkTensor('min', x);
  checkNonEmpty('min', x, reducePlan('min', x.shape, dim, keepDim));
  // a composite: min x = −max(−x), which also picks the first of tied minima (backward: theirs)
  return neg(max(neg(x), dim, keepDim));
}

/** A max-like reduction needs at least one element in each group (an empty result is fine, as PyTorch). */
function checkNonEmpty(op: string, x: Tensor, p: ReducePlan): void {
  check(
    p.count > 0 || sizeOf(p.outShape) === 0,
    () => `${op}: cannot reduce over an empty dim of a tensor of shape ${fmtShape(x.shape)}`,
  );
}

function argExtremum(op: string, x: Tensor, dim: number | undefined, keepDim: boolean, sign: number): Tensor {
  checkFlag(op, 'keepDim', keepDim);
  const whole = dim === undefined;
  check(x.size > 0 || !whole, () => `${op}: cannot reduce an empty tensor of shape ${fmtShape(x.shape)}`);
  const p = whole ? { dim: 0, outer: 1, n: x.size, inner: 1 } : axisPlan(op, x.shape, dim);
  const outShape = whole ? (keepDim ? x.shape.map(() => 1) : []) : reducePlan(op, x.shape, p.dim, keepDim).outShape;
  const y = empty(outShape, 'int32');
  K.argExtremum(p, x.data, sign, y.data);
  // ∂L/∂x = 0 almost everywhere: an index is piecewise constant in x, so no node is kept
  return y;
}

/** The index (int32) of the maximum along `dim`, or in the flattened tensor when dim is omitted. */
export function argmax(x: Tensor, dim?: number, keepDim = false): Tensor {
  checkTensor('argmax', x);
  return argExtremum('argmax', x, dim, keepDim, 1);
}

/** The index (int32) of the minimum along `dim`, or in the flattened tensor when dim is omitted. */
export function argmin(x: Tensor, dim?: number, keepDim = false): Tensor {
  checkTensor('argmin', x);
  return argExtremum('argmin', x, dim, keepDim, -1);
}

/** Options of `var` and `std`. */
export interface VarianceOptions {
  /** Subtracted from the count in the denominator: 1 (Bessel's correction, the default) or 0. */
  correction?: number;
  keepDim?: boolean;
}

/** The variance over `dim` (all dims when omitted): Σ (x − mean)² / (N − correction). */
export function variance(x: Tensor, dim?: number | readonly number[], opts?: VarianceOptions, op = 'var'): Tensor {
  const o = checkOptionsObject(op, opts);
  const correction = checkNumber(op, 'correction', o.correction ?? 1, { min: 0 });
  const keepDim = o.keepDim ?? false;
  const p = reducePlan(op, x.shape, dim, keepDim);
  // a composite: var = Σ (x − mean)² / (N − c), through sub, square, sum and div (backward: theirs,
  // which adds up to ∂L/∂x = gy · 2(x − mean)/(N − c), the mean's own term summing to zero)
  const centered = sub(x, mean(x, p.dims, true));
  return div(sum(square(centered), p.dims, keepDim), Math.max(0, p.count - correction));
}

/** The standard deviation over `dim`: √var; its gradient is 0 where the variance is 0, as PyTorch. */
export function std(x: Tensor, dim?: number | readonly number[], opts?: VarianceOptions): Tensor {
  checkTensor('std', x);
  // a composite: std = √var (backward: sqrt's and var's). Where var = 0, √ has an infinite slope
  // and x − mean a zero one: their product would be NaN, so those entries take √ of 1 and are
  // then replaced by 0, which passes no gradient (PyTorch's std_backward masks them the same way).
  const v = variance(x, dim, opts, 'std');
  const nonzero = v.ne(0); // NaN counts as nonzero, so a NaN stays NaN
  return where(nonzero, sqrt(where(nonzero, v, 1)), 0);
}

/** ln Σ exp(x) over `dim`, computed stably: −∞ for a row of −∞, +∞ when a term is +∞. */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepDim = false): Tensor {
  checkTensor('logsumexp', x);
  check(dim !== undefined, () => 'logsumexp: dim is required (a dim or a list of dims)');
  const p = reducePlan('logsumexp', x.shape, dim, keepDim);
  // a composite: m + ln Σ exp(x − m) with a constant m (the finite row max, else 0), so that every
  // exp is ≤ 1. Its backward through exp, sum and log is ∂L/∂x = gy · softmax(x).
  // (an empty dim has no max: any constant works there, and the result is ln 0 = −∞)
  const m = noGrad(() => {
    if (p.count === 0) return 0;
    const mx = max(x, p.dims, true);
    return where(lt(abs(mx), Number.POSITIVE_INFINITY), mx, 0);
  });
  const y = add(log(sum(exp(sub(x, m)), p.dims, true)), m);
  return keepDim ? y : reshape(y, p.outShape);
}

/** The running sum along `dim`: y_i = Σ_{j ≤ i} x_j. */
export function cumsum(x: Tensor, dim: number): Tensor {
  checkTensor('cumsum', x);
  check(typeof dim === 'number', () => `cumsum: dim must be a number, got ${show(dim)}`);
  const p = axisPlan('cumsum', x.shape, dim);
  const y = empty(x.shape, arithmetic(x.dtype));
  K.cumsum(p, x.data, y.data);
  return record(
    y,
    'cumsum',
    [x],
    (gy) => {
      // ∂L/∂x_i = Σ_{j ≥ i} gy_j: x_i enters every later partial sum
      K.cumsumBackward(p, gy, gradBuffer(x));
    },
    (gy) => [flip(cumsum(flip(gy, [p.dim]), p.dim), [p.dim])],
  );
}
