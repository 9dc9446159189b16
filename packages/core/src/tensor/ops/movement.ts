// ops: reshape, flatten and transpose. Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x.
// Storage is always contiguous and row-major, so reshape shares x's buffer (a view, as in
// PyTorch) and transpose copies into the new order.
import { check, fmtShape } from '../../errors';
import * as K from '../../kernels/index';
import { permutePlan } from '../../plans/movement';
import { normalizeDim, sizeOf } from '../../plans/shape';
import { empty } from '../create';
import { gradBuffer, record } from '../record';
import { Tensor } from '../tensor';

/**
 * The same elements in a new shape; one entry may be −1 (inferred).
 * @throws ChainruleError if the sizes differ.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(x, shape);
  const y = new Tensor(x.data, target);
  return record(y, 'reshape', [x], (gy) => {
    // ∂L/∂x = gy, read in x's shape (same elements, same order)
    K.addInto(gy, gradBuffer(x));
  });
}

/** Merges dims startDim..endDim into one (all dims by default): flatten = reshape. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  // flatten = reshape: a composite, its backward is reshape's
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  check(s <= e, () => `flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const merged = sizeOf(x.shape.slice(s, e + 1));
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Swaps two dims (negative dims allowed); the result is a contiguous copy. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const d0 = normalizeDim('transpose', dim0, x.ndim);
  const d1 = normalizeDim('transpose', dim1, x.ndim);
  const perm = x.shape.map((_, i) => (i === d0 ? d1 : i === d1 ? d0 : i));
  const p = permutePlan(x.shape, perm);
  const y = empty(p.outShape, x.dtype);
  K.permute(p, x.data, y.data, false);
  return record(y, 'transpose', [x], (gy) => {
    // ∂L/∂x = transpose(gy): a swap of two dims is its own inverse
    K.permute(permutePlan(y.shape, perm), gy, gradBuffer(x), true);
  });
}

function inferShape(x: Tensor, shape: readonly number[]): number[] {
  check(
    Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= -1),
    () => `reshape: a shape must be an array of integers ≥ −1, got ${JSON.stringify(shape)}`,
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
