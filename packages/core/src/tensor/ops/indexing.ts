// ops: indexing — slice (Python's x[...]), narrow, select, indexSelect, gather, and repeat and
// flip, which are index maps too. Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x.
// Every forward copies elements as its plan says; every backward routes each gradient back to
// the element it was read from, adding where one element was read several times (F17).
import { check, show } from '../../errors';
import * as K from '../../kernels/index';
import {
  flipPlan,
  type GatherPlan,
  gatherPlan,
  type IndexArray,
  type IndexItem,
  indexSelectPlan,
  repeatPlan,
  slicePlan,
} from '../../plans/indexing';
import { narrowPlan, reverseWindow } from '../../plans/movement';
import { normalizeDim, normalizeDims } from '../../plans/shape';
import { checkTensor, empty } from '../create';
import { gradBuffer, gradTarget, record } from '../record';
import { Tensor } from '../tensor';
import { reshape } from './movement';
import { booleanIndex } from './sort';

/** One item of slice(): see Tensor.slice. */
export type SliceIndex = number | readonly number[] | null | '...' | Tensor;

/** An int32 index tensor (or, where allowed, an array of integers) as a plan reads it. */
function indexArray(op: string, index: unknown, allowArrays = false): IndexArray {
  if (index instanceof Tensor) {
    check(index.dtype === 'int32', () => `${op}: an index tensor must be int32, got ${index.dtype}`);
    return { values: index.data, shape: index.shape };
  }
  check(
    allowArrays && (Array.isArray(index) || ArrayBuffer.isView(index)),
    () => `${op}: index must be an int32 Tensor${allowArrays ? ' or an array of integers' : ''}, got ${show(index)}`,
  );
  const values = index as ArrayLike<number>;
  return { values, shape: [values.length] };
}

/** y[i] = x[src[i]] along a gather plan, recorded as `op`. */
function take(op: string, x: Tensor, p: GatherPlan): Tensor {
  const y = empty(p.outShape, x.dtype);
  K.take(p.src, x.data, y.data);
  return record(
    y,
    op,
    [x],
    (gy) => {
      // F17: ∂L/∂x[src[i]] += gy[i] — scatter-add, so an element read twice gets both gradients
      K.takeBackward(p.src, gy, gradBuffer(x));
    },
    (gy) => [scatterAdd(gy, p.src, x.shape)],
  );
}

/**
 * The adjoint of a gather: y = zeros(shape), then y[src[i]] += g[i] for every element i of g
 * (src holds flat indices into y). The VJP of every gather-like op (slice, gather, max, max
 * pooling), differentiable in g so that their gradients can be differentiated again.
 */
export function scatterAdd(g: Tensor, src: Int32Array, shape: readonly number[]): Tensor {
  const y = empty(shape, g.dtype);
  K.takeBackward(src, g.data, y.data);
  // ∂L/∂g[i] = gy[src[i]]: a scatter's adjoint is the gather along the same map (F17)
  return record(y, 'scatterAdd', [g], null, (gy) => [take('take', gy, { outShape: g.shape, src })]);
}

/**
 * Python's x[...] (see Tensor.slice for the forms an index takes).
 * @throws ChainruleError for an index out of range, a non-integer, a step ≤ 0, more indices than
 *   dims, or an index tensor that is not int32.
 */
export function slice(x: Tensor, ...index: SliceIndex[]): Tensor {
  const first = index[0];
  if (index.length === 1 && first instanceof Tensor && first.dtype === 'bool') return booleanIndex(x, first);
  const items: IndexItem[] = index.map((it) => (it instanceof Tensor ? indexArray('slice', it) : it));
  const p = slicePlan('slice', x.shape, items);
  // slice = a gather along its plan: the backward is take's scatter-add (F17)
  return take('slice', x, p);
}

/** `length` entries of `dim` from `start`, as torch.narrow. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', x);
  const d = normalizeDim('narrow', dim, x.ndim);
  const p = narrowPlan('narrow', x.shape, d, start, length);
  const shape = [...x.shape];
  shape[d] = length;
  const y = empty(shape, x.dtype);
  K.copyWindow(p, x.data, y.data, false);
  return record(
    y,
    'narrow',
    [x],
    (gy) => {
      // F17: ∂L/∂x = gy in the window it was cut from, 0 elsewhere (copied, not added, into a
      // fresh zeroed gradient)
      K.copyWindow(reverseWindow(p), gy, ...gradTarget(x));
    },
    (gy) => [unnarrow(gy, x.shape, d, start < 0 ? start + (x.shape[d] as number) : start)],
  );
}

/** narrow's adjoint: zeros of `shape` with g placed at `start` along `dim` (the VJP of narrow, cat and split). */
function unnarrow(g: Tensor, shape: readonly number[], dim: number, start: number): Tensor {
  const length = g.shape[dim] as number;
  const p = narrowPlan('narrow', shape, dim, start, length);
  const y = empty(shape, g.dtype);
  K.copyWindow(reverseWindow(p), g.data, y.data, true);
  return record(
    y,
    'unnarrow',
    [g],
    (gy) => {
      // ∂L/∂g = the window of gy where g was placed (narrow is unnarrow's adjoint)
      K.copyWindow(p, gy, gradBuffer(g), true);
    },
    (gy) => [narrow(gy, dim, start, length)],
  );
}

/** The slice at `index` of `dim`, that dim removed (torch.select; x.select(0, i) is x[i]). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor('select', x);
  const d = normalizeDim('select', dim, x.ndim);
  check(x.ndim > 0, () => 'select: cannot select from a 0-d tensor');
  const n = x.shape[d] as number;
  check(
    typeof index === 'number' && Number.isInteger(index) && index >= -n && index < n,
    () =>
      `select: index ${show(index)} is out of range for dim ${dim} of size ${n} (expected an integer in ${-n}..${n - 1})`,
  );
  // a composite: narrow to one entry, then reshape the dim away (backward: theirs)
  const shape = x.shape.filter((_, i) => i !== d);
  return reshape(narrow(x, d, index < 0 ? index + n : index, 1), shape);
}

/** The entries `index` (int32 tensor or integer array, at most 1-d) of `dim`, in that order. */
export function indexSelect(x: Tensor, dim: number, index: Tensor | ArrayLike<number>): Tensor {
  checkTensor('indexSelect', x);
  const d = normalizeDim('indexSelect', dim, x.ndim);
  const p = indexSelectPlan('indexSelect', x.shape, d, indexArray('indexSelect', index, true));
  // indexSelect = a gather along its plan: the backward is take's scatter-add (F17)
  return take('indexSelect', x, p);
}

/** torch.gather: y[i][j] = x[i][index[i][j]] for dim = 1; y has the shape of `index` (int32). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', x);
  const d = normalizeDim('gather', dim, x.ndim);
  const p = gatherPlan('gather', x.shape, d, indexArray('gather', index));
  // gather = a take along its plan: the backward is take's scatter-add (F17)
  return take('gather', x, p);
}

/** x tiled reps[d] times along each dim, as Tensor.repeat (reps may add leading dims). */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  checkTensor('repeat', x);
  check(
    Array.isArray(reps) && reps.every((r) => Number.isInteger(r) && r >= 0),
    () => `repeat: reps must be an array of non-negative integers, got ${show(reps)}`,
  );
  const p = repeatPlan('repeat', x.shape, reps);
  // repeat = a take along its plan: each element's gradient is the sum over its copies (F17)
  return take('repeat', x, p);
}

/** x with the order of elements reversed along each of `dims`. */
export function flip(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor('flip', x);
  check(Array.isArray(dims), () => `flip: dims must be an array of dims, got ${show(dims)}`);
  const p = flipPlan(x.shape, normalizeDims('flip', dims, x.ndim));
  // flip = a take along its plan: the backward flips gy back (F17)
  return take('flip', x, p);
}

/**
 * Rows of `weight` [num, dim] picked by `indices` (int32 tensor or integer array, any shape):
 * the result has shape [...indices.shape, dim]. A lookup table, as torch's F.embedding.
 * @throws ChainruleError if weight is not 2-d or an index is not an integer in [0, num).
 */
export function embedding(indices: Tensor | ArrayLike<number>, weight: Tensor): Tensor {
  check(
    weight instanceof Tensor && weight.ndim === 2,
    () => `embedding: weight must be a 2-d Tensor [num, dim], got ${show(weight)}`,
  );
  const index = indexArray('embedding', indices, true);
  const p = indexSelectPlan(
    'embedding',
    weight.shape,
    0,
    { values: index.values, shape: [index.values.length] },
    false,
  );
  // a composite: the rows of weight that take() reads along the plan, reshaped to the indices'
  // shape; the backward is take's scatter-add, so a row used twice gets both gradients (F17)
  return reshape(take('embedding', weight, p), [...index.shape, weight.shape[1] as number]);
}
