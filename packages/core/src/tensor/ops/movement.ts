// ops: reshape, flatten, transpose, and the shape ops unsqueeze squeeze permute expand tril
// triu. Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x.
// Storage is always contiguous and row-major, so reshape shares x's buffer (a view, as in
// PyTorch) and transpose copies into the new order.
import { check, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { broadcastPlan } from '../../plans/broadcast';
import { permutePlan } from '../../plans/movement';
import { normalizeDim, normalizeDims, sizeOf } from '../../plans/shape';
import { checkTensor, empty } from '../create';
import { addGrad, gradBuffer, gradTarget, record } from '../record';
import { Tensor } from '../tensor';
import { sumTo } from './reduce';

/**
 * The same elements in a new shape; one entry may be −1 (inferred).
 * @throws ChainruleError if the sizes differ.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', x);
  const target = inferShape(x, shape);
  const y = new Tensor(x.data, target);
  return record(
    y,
    'reshape',
    [x],
    (gy, own) => {
      // ∂L/∂x = gy, read in x's shape (same elements, same order)
      addGrad(x, gy, own);
    },
    (gy) => [reshape(gy, x.shape)],
  );
}

/** Merges dims startDim..endDim into one (all dims by default): flatten = reshape. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', x);
  // flatten = reshape: a composite, its backward is reshape's
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  check(s <= e, () => `flatten: startDim ${show(startDim)} comes after endDim ${show(endDim)}`);
  const merged = sizeOf(x.shape.slice(s, e + 1));
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Swaps two dims (negative dims allowed); the result is a contiguous copy. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  checkTensor('transpose', x);
  const d0 = normalizeDim('transpose', dim0, x.ndim);
  const d1 = normalizeDim('transpose', dim1, x.ndim);
  const perm = x.shape.map((_, i) => (i === d0 ? d1 : i === d1 ? d0 : i));
  const p = permutePlan(x.shape, perm);
  const y = empty(p.outShape, x.dtype);
  K.permute(p, x.data, y.data, false);
  return record(
    y,
    'transpose',
    [x],
    (gy) => {
      // ∂L/∂x = transpose(gy): a swap of two dims is its own inverse
      K.permute(permutePlan(y.shape, perm), gy, ...gradTarget(x));
    },
    (gy) => [transpose(gy, d0, d1)],
  );
}

function inferShape(x: Tensor, shape: readonly number[]): number[] {
  check(
    Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= -1),
    () => `reshape: a shape must be an array of integers ≥ −1, got ${show(shape)}`,
  );
  const unknown = shape.indexOf(-1);
  check(shape.lastIndexOf(-1) === unknown, () => `reshape: only one dim can be −1, got ${fmtShape(shape)}`);
  if (unknown >= 0) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    check(
      known > 0 && x.size % known === 0,
      () =>
        `reshape: cannot infer the −1 in ${fmtShape(shape)} for a tensor of ${x.size} elements (shape ${fmtShape(x.shape)})`,
    );
    return shape.map((d) => (d === -1 ? x.size / known : d));
  }
  check(
    sizeOf(shape) === x.size,
    () =>
      `reshape: cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)} (${sizeOf(shape)} elements)`,
  );
  return [...shape];
}

/** x with a new dim of size 1 inserted at `dim` (in −(ndim+1)..ndim). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', x);
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  // unsqueeze = reshape: a composite, its backward is reshape's
  return reshape(x, shape);
}

/** x without its dims of size 1 (all of them, or `dim` if it has size 1; other dims are kept, as PyTorch). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  checkTensor('squeeze', x);
  const dims = dim === undefined ? x.shape.map((_, i) => i) : normalizeDims('squeeze', dim, x.ndim);
  // squeeze = reshape: a composite, its backward is reshape's
  return reshape(
    x,
    x.shape.filter((n, i) => !(n === 1 && dims.includes(i))),
  );
}

/** x with its dims reordered: y's dim i is x's dim dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor('permute', x);
  check(
    Array.isArray(dims) && dims.length === x.ndim,
    () => `permute: dims ${show(dims)} must list each of the tensor's ${x.ndim} dims once`,
  );
  normalizeDims('permute', dims, x.ndim); // checks range and repeats
  const perm = dims.map((d) => normalizeDim('permute', d, x.ndim));
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  const p = permutePlan(x.shape, perm);
  const y = empty(p.outShape, x.dtype);
  K.permute(p, x.data, y.data, false);
  return record(
    y,
    'permute',
    [x],
    (gy) => {
      // ∂L/∂x = gy permuted back by the inverse permutation
      K.permute(permutePlan(y.shape, inverse), gy, ...gradTarget(x));
    },
    (gy) => [permute(gy, inverse)],
  );
}

/**
 * x broadcast to `shape` (−1 keeps a dim; new dims may be added in front). A copy here, since
 * storage is contiguous.
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('expand', x);
  check(
    Array.isArray(shape) && shape.length >= x.ndim && shape.every((n) => Number.isInteger(n) && n >= -1),
    () => `expand: shape must be an array of integers ≥ −1 with at least ${x.ndim} entries, got ${show(shape)}`,
  );
  const lead = shape.length - x.ndim;
  const target = shape.map((n, i) => (n === -1 && i >= lead ? (x.shape[i - lead] as number) : n));
  check(
    target.every((n, i) => n >= 0 && (i < lead || x.shape[i - lead] === 1 || x.shape[i - lead] === n)),
    () => `expand: cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)} (only dims of size 1 can grow)`,
  );
  const p = broadcastPlan('expand', target, x.shape);
  const y = empty(target, x.dtype);
  K.broadcastAdd(p, x.data, y.data);
  return record(
    y,
    'expand',
    [x],
    (gy) => {
      // F15: ∂L/∂x = gy summed over the dims x was broadcast along (sum is expand's adjoint)
      K.sumTo(p, gy, gradBuffer(x));
    },
    (gy) => [sumTo(gy, x.shape)],
  );
}

/** The lower triangle of the last two dims (j − i ≤ diagonal), zeros above. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal, false);
}

/** The upper triangle of the last two dims (j − i ≥ diagonal), zeros below. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal, true);
}

function triangle(op: string, x: Tensor, diagonal: number, upper: boolean): Tensor {
  checkTensor(op, x);
  check(x.ndim >= 2, () => `${op}: expects a tensor of at least 2 dims, got shape ${fmtShape(x.shape)}`);
  check(Number.isInteger(diagonal), () => `${op}: diagonal must be an integer, got ${show(diagonal)}`);
  const rows = x.shape[x.ndim - 2] as number;
  const cols = x.shape[x.ndim - 1] as number;
  const batch = rows * cols === 0 ? 0 : x.size / (rows * cols);
  const y = empty(x.shape, x.dtype);
  K.triangle(batch, rows, cols, diagonal, upper, x.data, y.data, false);
  return record(
    y,
    op,
    [x],
    (gy) => {
      // ∂L/∂x = gy on the kept triangle, 0 elsewhere (the same mask)
      K.triangle(batch, rows, cols, diagonal, upper, gy, gradBuffer(x), true);
    },
    (gy) => [triangle(op, gy, diagonal, upper)],
  );
}
