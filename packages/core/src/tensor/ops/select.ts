// ops: comparisons (bool results, no gradient), where, maskedFill, clamp, maximum, minimum.
// Vocabulary: a, b (or x) → y; gy = ∂L/∂y; ga, gb, gx the gradients added into.
import { check, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { broadcastPlan, broadcastPlan3, broadcastShape, swapPlan } from '../../plans/broadcast';
import { sameShape } from '../../plans/shape';
import { asTensor, checkTensor, empty, full } from '../create';
import { promote, scalarDType } from '../dtype';
import { gradBuffer, noGrad, record } from '../record';
import { Tensor, type TensorLike } from '../tensor';
import { sumTo } from './reduce';

/** The outcome of a comparison for a < b, a = b, a > b, and a NaN operand. */
type Outcomes = readonly [lt: number, eq: number, gt: number, nan: number];

function compare(op: string, a: Tensor, b: TensorLike, [lt, eq, gt, nan]: Outcomes): Tensor {
  checkTensor(op, a);
  const B = asTensor(op, b, a.dtype);
  const p = broadcastPlan(op, a.shape, B.shape);
  const y = empty(p.shape, 'bool');
  K.compare(p, a.data, B.data, lt, eq, gt, nan, y.data);
  // ∂L/∂a = ∂L/∂b = 0 almost everywhere: a comparison is a step function, so no node is kept
  return y;
}

/** a = b, elementwise with broadcasting: a bool tensor. */
export function eq(a: Tensor, b: TensorLike): Tensor {
  return compare('eq', a, b, [0, 1, 0, 0]);
}
/** a ≠ b (true where either is NaN). */
export function ne(a: Tensor, b: TensorLike): Tensor {
  return compare('ne', a, b, [1, 0, 1, 1]);
}
/** a < b. */
export function lt(a: Tensor, b: TensorLike): Tensor {
  return compare('lt', a, b, [1, 0, 0, 0]);
}
/** a ≤ b. */
export function le(a: Tensor, b: TensorLike): Tensor {
  return compare('le', a, b, [1, 1, 0, 0]);
}
/** a > b. */
export function gt(a: Tensor, b: TensorLike): Tensor {
  return compare('gt', a, b, [0, 0, 1, 0]);
}
/** a ≥ b. */
export function ge(a: Tensor, b: TensorLike): Tensor {
  return compare('ge', a, b, [0, 1, 1, 0]);
}

function checkBool(op: string, what: string, t: unknown): asserts t is Tensor {
  check(
    t instanceof Tensor && t.dtype === 'bool',
    () =>
      `${op}: ${what} must be a bool tensor, got ${t instanceof Tensor ? `dtype ${t.dtype}` : show(t)} ` +
      '(make one with a comparison, e.g. x.gt(0))',
  );
}

/**
 * cond ? a : b, elementwise, all three broadcast together (torch.where). A number takes the
 * other operand's dtype where it fits. Differentiable in a and b.
 * @throws ChainruleError if cond is not a bool tensor or the shapes cannot broadcast.
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkBool('where', 'cond', cond);
  const A = asTensor('where', a, b instanceof Tensor ? b.dtype : 'float32');
  const B = asTensor('where', b, A.dtype);
  const w = broadcastPlan3('where', cond.shape, A.shape, B.shape);
  const y = empty(w.shape, promote(A.dtype, B.dtype));
  K.where(w, cond.data, A.data, B.data, y.data);
  return record(
    y,
    'where',
    [A, B],
    (gy) => {
      // ∂L/∂a = gy where cond, ∂L/∂b = gy where not cond (each summed over its broadcast dims)
      if (A.requiresGrad) K.whereBackward(w, 1, cond.data, 1, gy, gradBuffer(A));
      if (B.requiresGrad) K.whereBackward(w, 2, cond.data, 0, gy, gradBuffer(B));
    },
    (gy) => [
      A.requiresGrad ? sumTo(where(cond, gy, 0), A.shape) : null,
      B.requiresGrad ? sumTo(where(cond, 0, gy), B.shape) : null,
    ],
  );
}

/**
 * x with `value` where `mask` (bool, broadcastable to x's shape) is true. Filling with −∞ before
 * a softmax masks those entries: they get probability 0, and no NaN while a row keeps one entry.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor('maskedFill', x);
  checkBool('maskedFill', 'mask', mask);
  check(typeof value === 'number', () => `maskedFill: value must be a number, got ${show(value)}`);
  check(
    sameShape(broadcastShape('maskedFill', mask.shape, x.shape), x.shape),
    () => `maskedFill: mask ${fmtShape(mask.shape)} must broadcast to the tensor's shape ${fmtShape(x.shape)}`,
  );
  // a composite: maskedFill = where(mask, value, x), the value in x's dtype (its backward: where's)
  return where(mask, full([], value, { dtype: x.dtype }), x);
}

/**
 * x limited to [min, max] (either may be null or omitted; min > max gives max, as PyTorch).
 * @throws ChainruleError if both bounds are missing or a bound is not a number.
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor('clamp', x);
  for (const [name, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    check(
      v === undefined || v === null || typeof v === 'number',
      () => `clamp: ${name} must be a number or null, got ${show(v)}`,
    );
  }
  check((min ?? null) !== null || (max ?? null) !== null, () => 'clamp: at least one of min and max must be given');
  const lo = min ?? Number.NEGATIVE_INFINITY;
  const hi = max ?? Number.POSITIVE_INFINITY;
  // an int32 tensor clamped to a fractional bound becomes float32 (PyTorch's result type)
  const dtype = [lo, hi].reduce((d, v) => (Number.isFinite(v) ? promote(d, scalarDType(v, x.dtype)) : d), x.dtype);
  const y = empty(x.shape, dtype);
  K.clamp(x.data, lo, hi, y.data);
  return record(
    y,
    'clamp',
    [x],
    (gy) => {
      // ∂L/∂x = gy where min ≤ x ≤ max, 0 where a bound was applied
      K.clampBackward(x.data, lo, hi, gy, gradBuffer(x));
    },
    (gy) => [where(x.ge(lo), where(x.le(hi), gy, 0), 0)],
  );
}

function extremum(op: string, a: Tensor, b: TensorLike, sign: number): Tensor {
  checkTensor(op, a);
  const B = asTensor(op, b, a.dtype);
  const p = broadcastPlan(op, a.shape, B.shape);
  const y = empty(p.shape, promote(a.dtype, B.dtype));
  K.extremum(p, a.data, B.data, sign, y.data);
  return record(
    y,
    op,
    [a, B],
    (gy) => {
      // ∂L/∂a = gy where a wins, ∂L/∂b = gy where b wins; a tie gives each half (as PyTorch)
      if (a.requiresGrad) K.extremumBackward(p, a.data, B.data, sign, gy, gradBuffer(a));
      if (B.requiresGrad) K.extremumBackward(swapPlan(p), B.data, a.data, sign, gy, gradBuffer(B));
    },
    (gy) => {
      // the share of gy each operand wins (1, ½ at a tie, 0), a constant of the graph
      const [wa, wb] = noGrad(() => {
        const half = a.eq(B).to(y.dtype).mul(0.5);
        const aWins = (sign > 0 ? a.gt(B) : a.lt(B)).to(y.dtype);
        const bWins = (sign > 0 ? a.lt(B) : a.gt(B)).to(y.dtype);
        return [aWins.add(half), bWins.add(half)];
      });
      return [a.requiresGrad ? sumTo(gy.mul(wa), a.shape) : null, B.requiresGrad ? sumTo(gy.mul(wb), B.shape) : null];
    },
  );
}

/** The elementwise maximum of a and b, broadcasting; NaN if either is NaN. */
export function maximum(a: Tensor, b: TensorLike): Tensor {
  return extremum('maximum', a, b, 1);
}

/** The elementwise minimum of a and b, broadcasting; NaN if either is NaN. */
export function minimum(a: Tensor, b: TensorLike): Tensor {
  return extremum('minimum', a, b, -1);
}
