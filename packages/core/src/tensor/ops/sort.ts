// ops: sort argsort topk, and boolean-mask indexing (maskedSelect, x[mask]). Vocabulary: x → y;
// gy = ∂L/∂y, gx = ∂L/∂x. Each op finds its indices with a kernel (no gradient flows through an
// index) and reads its values with gather or indexSelect, whose backward is the scatter-add of
// F17: these are composites and record nothing of their own.
import { check, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { broadcastShape } from '../../plans/broadcast';
import { axisPlan } from '../../plans/reduce';
import { checkFlag, checkNumber, checkOptionsObject, sameShape, sizeOf } from '../../plans/shape';
import { empty } from '../create';
import { Tensor } from '../tensor';
import { gather, indexSelect, narrow } from './indexing';
import { expand, reshape } from './movement';

/** Options of `sort` and `argsort`. */
export interface SortOptions {
  /** Largest first (default false). Equal values keep their order either way (a stable sort). */
  descending?: boolean;
}
/** Options of `topk`. */
export interface TopkOptions {
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
  /** Return them in sorted order (default true); chainrule always sorts, which `false` allows. */
  sorted?: boolean;
}

/** The int32 positions that sort x along `dim`, stably; NaN counts above every number, as PyTorch. */
function sortIndices(op: string, x: Tensor, dim: number, descending: boolean): { indices: Tensor; dim: number } {
  const p = axisPlan(op, x.shape, dim);
  const indices = empty(x.shape, 'int32');
  K.sortAlong(p.outer, p.n, p.inner, x.data, descending, indices.data as Int32Array, new Int32Array(2 * p.n));
  return { indices, dim: p.dim };
}

/** values = x gathered along dim at indices (a 0-d x is its own value). */
function valuesAt(x: Tensor, dim: number, indices: Tensor): Tensor {
  // a composite: values = gather(x, dim, indices), so ∂L/∂x[indices[i]] += gy[i] (F17)
  return x.ndim === 0 ? reshape(gather(reshape(x, [1]), 0, reshape(indices, [1])), []) : gather(x, dim, indices);
}

/**
 * [values, indices] of x sorted along `dim` (default −1), ascending unless `descending`, stably
 * (as torch.sort(stable=True)). Values are differentiable; indices are int32.
 * @throws ChainruleError for a dim out of range or an option that is not a boolean.
 */
export function sort(x: Tensor, dim = -1, opts: SortOptions = {}): [Tensor, Tensor] {
  const o = checkOptionsObject('sort', opts);
  const descending = checkFlag('sort', 'descending', o.descending ?? false);
  const { indices, dim: d } = sortIndices('sort', x, dim, descending);
  return [valuesAt(x, d, indices), indices];
}

/** The int32 positions that sort x along `dim` (stable; see sort). */
export function argsort(x: Tensor, dim = -1, opts: SortOptions = {}): Tensor {
  const o = checkOptionsObject('argsort', opts);
  const descending = checkFlag('argsort', 'descending', o.descending ?? false);
  // a composite: sort's indices alone; an index carries no gradient, so nothing is recorded
  return sortIndices('argsort', x, dim, descending).indices;
}

/**
 * [values, indices] of the k largest (or smallest) entries along `dim`, as torch.topk; ties come
 * in index order. Values are differentiable; indices are int32.
 * @throws ChainruleError for k outside 0..size of dim, a dim out of range or a bad option.
 */
export function topk(x: Tensor, k: number, dim = -1, opts: TopkOptions = {}): [Tensor, Tensor] {
  const o = checkOptionsObject('topk', opts);
  const largest = checkFlag('topk', 'largest', o.largest ?? true);
  checkFlag('topk', 'sorted', o.sorted ?? true);
  const p = axisPlan('topk', x.shape, dim);
  checkNumber('topk', 'k', k, { integer: true, min: 0 });
  check(k <= p.n, () => `topk: k ${show(k)} is larger than dim ${p.dim}'s size ${p.n} (shape ${fmtShape(x.shape)})`);
  const { indices, dim: d } = sortIndices('topk', x, dim, largest);
  const top = x.ndim === 0 ? indices : narrow(indices, d, 0, k);
  return [valuesAt(x, d, top), top];
}

/** The flat positions of the true entries of a bool mask, as an int32 tensor. */
function trueIndices(mask: Tensor): Tensor {
  const out = new Int32Array(K.countNonzero(mask.data));
  K.nonzeroFlat(mask.data, out);
  return new Tensor(out, [out.length]);
}

function checkMask(op: string, mask: unknown): Tensor {
  check(
    mask instanceof Tensor && mask.dtype === 'bool',
    () => `${op}: mask must be a bool Tensor, got ${mask instanceof Tensor ? `dtype ${mask.dtype}` : show(mask)}`,
  );
  return mask as Tensor;
}

/**
 * The entries of x where `mask` is true, as a 1-D tensor in row-major order (x[mask] in PyTorch,
 * torch.masked_select); x and mask broadcast. Differentiable: the gradient goes back to the
 * selected entries.
 * @throws ChainruleError if mask is not a bool tensor or the shapes cannot broadcast.
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const m = checkMask('maskedSelect', mask);
  const shape = broadcastShape('maskedSelect', x.shape, m.shape);
  const xb = sameShape(x.shape, shape) ? x : expand(x, shape);
  const mb = sameShape(m.shape, shape) ? m : expand(m, shape);
  // a composite: y = flatten(x)[i] for the true positions i, so ∂L/∂x[i] += gy (F17)
  return indexSelect(reshape(xb, [-1]), 0, trueIndices(mb));
}

/**
 * x[mask] for a bool mask whose shape is x's leading dims: the rows where mask is true, shape
 * [count, ...x.shape[mask.ndim:]], as PyTorch. Differentiable (see maskedSelect).
 * @throws ChainruleError if mask's shape is not a prefix of x's.
 */
export function booleanIndex(x: Tensor, mask: Tensor): Tensor {
  const m = checkMask('slice', mask);
  check(
    m.ndim >= 1 && m.ndim <= x.ndim && m.shape.every((d, i) => d === x.shape[i]),
    () =>
      `slice: a bool mask of shape ${fmtShape(m.shape)} does not match the leading dims of shape ${fmtShape(x.shape)}`,
  );
  const rows = reshape(x, [sizeOf(m.shape), ...x.shape.slice(m.ndim)]);
  // a composite: the selected rows of x, so each row's gradient goes back to it (F17)
  return indexSelect(rows, 0, trueIndices(m));
}
