// Plans for indexing: maps that say, for every output element, which input element it is.
// y[i] = x[src[i]] forward; the backward routes each gradient back to where its element came
// from, gx[src[i]] += gy[i] (scatter-add: an element read twice gets both gradients, F17).
import { check, fmtShape, show } from '../errors';
import { broadcastShape, walk } from './broadcast';
import { MAX_ELEMENTS, type Shape, sizeOf, stridesOf } from './shape';

export interface GatherPlan {
  readonly outShape: readonly number[];
  /** For each output element (row-major), the flat index of its source element. */
  readonly src: Int32Array;
}

/** An integer index tensor as a plan sees it: its values and shape. */
export interface IndexArray {
  readonly values: ArrayLike<number>;
  readonly shape: Shape;
}

/**
 * One item of `slice(...)`, as Python's x[...]: a number selects, [] keeps a dim, [i] is i:,
 * [i, j] is i:j, [i, j, step] is i:j:step, null inserts a dim of size 1, '...' stands for the
 * dims not named, and an index array picks along its dim (advanced indexing).
 */
export type IndexItem = number | readonly number[] | null | '...' | IndexArray;

/** An output axis: a walk of `size` steps of `stride` in x, or (stride 0) of `bStride` in the advanced block. */
interface Axis {
  size: number;
  stride: number;
  bStride: number;
}

/**
 * Fills src for an output of `axes` (row-major): each element reads x at
 * offset + Σ idx·stride + adv[Σ idx·bStride]. adv holds the advanced indices' contribution
 * (a single 0 when there are none).
 */
function fill(op: string, axes: readonly Axis[], offset: number, adv: Int32Array): GatherPlan {
  const outShape = axes.map((a) => a.size);
  const n = sizeOf(outShape);
  // checked before the map is allocated: a result-sized Int32Array of a too-large result would
  // take gigabytes and minutes before the tensor's own size check
  check(
    n <= MAX_ELEMENTS,
    () => `${op}: the result would have ${n} elements, over the ${MAX_ELEMENTS} (2³¹ − 1) a tensor may hold`,
  );
  const src = new Int32Array(n);
  const nd = axes.length;
  const idx = new Array<number>(nd).fill(0);
  let pos = offset;
  let b = 0;
  for (let i = 0; i < n; i++) {
    src[i] = pos + (adv[b] as number);
    for (let d = nd - 1; d >= 0; d--) {
      const a = axes[d] as Axis;
      idx[d] = (idx[d] as number) + 1;
      pos += a.stride;
      b += a.bStride;
      if ((idx[d] as number) < a.size) break;
      pos -= a.stride * a.size;
      b -= a.bStride * a.size;
      idx[d] = 0;
    }
  }
  return { outShape, src };
}

/** An index in [−n, n) as one in [0, n), or an error naming the op, the value and the range. */
export function checkIndex(op: string, i: unknown, n: number, negative = true): number {
  const lo = negative ? -n : 0;
  check(
    typeof i === 'number' && Number.isInteger(i) && i >= lo && i < n,
    () => `${op}: index ${show(i)} is out of range for a dim of size ${n} (expected an integer in ${lo}..${n - 1})`,
  );
  return (i as number) < 0 ? (i as number) + n : (i as number);
}

/** Python's slice start:stop:step on a dim of size n, clamped as Python clamps: [start, length]. */
function range(op: string, item: readonly number[], n: number): [number, number, number] {
  check(
    item.length <= 3 && item.every((v) => typeof v === 'number' && Number.isInteger(v)),
    () => `${op}: a range is [], [start], [start, stop] or [start, stop, step] of integers, got ${show(item)}`,
  );
  const step = item[2] ?? 1;
  check(step > 0, () => `${op}: a range's step must be positive, got ${step}`);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const start = clamp(item[0] ?? 0);
  const stop = clamp(item[1] ?? n);
  return [start, Math.max(0, Math.ceil((stop - start) / step)), step];
}

/** Checks an index array's values against a dim of size n and normalises negatives. */
function indexValues(op: string, a: IndexArray, n: number, negative = true): Int32Array {
  const out = new Int32Array(a.values.length);
  for (let i = 0; i < out.length; i++) out[i] = checkIndex(op, a.values[i], n, negative);
  return out;
}

function isIndexArray(x: unknown): x is IndexArray {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'values' in x && 'shape' in x;
}

/** The plan of x[...items] for x of `shape`, with NumPy/PyTorch rules for advanced indices. */
export function slicePlan(op: string, shape: Shape, items: readonly IndexItem[]): GatherPlan {
  const consuming = items.filter((it) => it !== null && it !== '...').length;
  const ellipses = items.filter((it) => it === '...').length;
  check(ellipses <= 1, () => `${op}: an index can have only one '...', got ${ellipses}`);
  check(
    consuming <= shape.length,
    () => `${op}: too many indices (${consuming}) for a tensor of ${shape.length} dims, shape ${fmtShape(shape)}`,
  );
  const fillIn: IndexItem[] = new Array(shape.length - consuming).fill([]);
  const at = items.indexOf('...');
  const full = at < 0 ? [...items, ...fillIn] : [...items.slice(0, at), ...fillIn, ...items.slice(at + 1)];
  const strides = stridesOf(shape);
  const axes: (Axis | 'adv')[] = [];
  const adv: { values: Int32Array; shape: Shape; stride: number }[] = [];
  let offset = 0;
  let d = 0;
  for (const item of full) {
    if (item === null) {
      axes.push({ size: 1, stride: 0, bStride: 0 });
      continue;
    }
    const n = shape[d] as number;
    const stride = strides[d] as number;
    if (typeof item === 'number') {
      offset += checkIndex(op, item, n) * stride;
    } else if (Array.isArray(item)) {
      const [start, length, step] = range(op, item, n);
      offset += start * stride;
      axes.push({ size: length, stride: stride * step, bStride: 0 });
    } else if (isIndexArray(item)) {
      adv.push({ values: indexValues(op, item, n), shape: item.shape, stride });
      axes.push('adv');
    } else {
      check(
        false,
        () =>
          `${op}: cannot index with ${show(item)} (expected a number, an array range, null, '...' or an int32 Tensor)`,
      );
    }
    d++;
  }
  if (adv.length === 0) return fill(op, axes as Axis[], offset, Int32Array.of(0));
  // Advanced indices broadcast together to one block B; its dims replace the indexed dims where
  // they stand if those are adjacent, and go first otherwise (NumPy's rule, which PyTorch follows).
  const bShape = adv.reduce<number[]>((s, a) => broadcastShape(op, s, a.shape), []);
  const first = axes.indexOf('adv');
  const adjacent = axes.lastIndexOf('adv') - first + 1 === adv.length;
  const bStrides = stridesOf(bShape);
  const bAxes: Axis[] = bShape.map((size, i) => ({ size, stride: 0, bStride: bStrides[i] as number }));
  const basic = axes.filter((a): a is Axis => a !== 'adv');
  const ordered = adjacent ? [...basic.slice(0, first), ...bAxes, ...basic.slice(first)] : [...bAxes, ...basic];
  // adv[b] = Σ_k stride_k · index_k[b], each index read through its broadcast over B
  check(
    sizeOf(bShape) <= MAX_ELEMENTS,
    () => `${op}: the indices broadcast to ${sizeOf(bShape)} elements, over ${MAX_ELEMENTS}`,
  );
  const table = new Int32Array(sizeOf(bShape));
  for (const a of adv) {
    const w = walk(bShape, [a.shape]);
    const off = w.offsets[0] as Int32Array;
    const step = w.steps[0] as number;
    for (let r = 0, b = 0; r < w.rows; r++) {
      for (let j = 0; j < w.inner; j++, b++)
        table[b] = (table[b] as number) + a.stride * (a.values[(off[r] as number) + j * step] as number);
    }
  }
  return fill(op, ordered, offset, table);
}

/**
 * index_select: the entries of `index` (at most 1-d) along `dim`, in their order. `negative`
 * false rejects negative indices (an embedding lookup, as PyTorch's).
 */
export function indexSelectPlan(op: string, shape: Shape, dim: number, index: IndexArray, negative = true): GatherPlan {
  check(index.shape.length <= 1, () => `${op}: index must be 0-d or 1-d, got shape ${fmtShape(index.shape)}`);
  const values = indexValues(op, index, shape[dim] as number, negative);
  const items: IndexItem[] = shape.map(() => []);
  items[dim] = { values, shape: [values.length] };
  return slicePlan(op, shape, items);
}

/** torch.gather: y[i][j][k] = x[i][index[i][j][k]][k] (for dim = 1); y has index's shape. */
export function gatherPlan(op: string, shape: Shape, dim: number, index: IndexArray): GatherPlan {
  check(
    index.shape.length === shape.length && index.shape.every((n, d) => d === dim || n <= (shape[d] as number)),
    () =>
      `${op}: index of shape ${fmtShape(index.shape)} does not fit input ${fmtShape(shape)} along dim ${dim} ` +
      '(same number of dims, and no larger than the input in the other dims)',
  );
  const strides = stridesOf(shape);
  const values = indexValues(op, index, shape[dim] as number);
  // Walk index's shape with x's strides, except along dim, whose offset comes from the index.
  const axes = index.shape.map((size, d) => ({ size, stride: d === dim ? 0 : (strides[d] as number), bStride: 0 }));
  const base = fill(op, axes, 0, Int32Array.of(0));
  const stride = strides[dim] as number;
  for (let i = 0; i < base.src.length; i++) base.src[i] = (base.src[i] as number) + (values[i] as number) * stride;
  return base;
}

/** Tensor.repeat: x tiled reps[d] times along each dim (x gets leading 1s if reps is longer). */
export function repeatPlan(op: string, shape: Shape, reps: readonly number[]): GatherPlan {
  check(
    reps.length >= shape.length,
    () => `${op}: reps ${show(reps)} must name at least the tensor's ${shape.length} dims`,
  );
  const padded = [...new Array<number>(reps.length - shape.length).fill(1), ...shape];
  const strides = stridesOf(padded);
  // Output dim d of size reps[d]·n splits into (copy, i): copies walk nothing, i walks x.
  const axes: Axis[] = [];
  padded.forEach((n, d) => {
    axes.push({ size: reps[d] as number, stride: 0, bStride: 0 });
    axes.push({ size: n, stride: strides[d] as number, bStride: 0 });
  });
  const { src } = fill(op, axes, 0, Int32Array.of(0));
  return { outShape: padded.map((n, d) => n * (reps[d] as number)), src };
}

/** Tensor.flip: the order of elements reversed along each of `dims` (normalised). */
export function flipPlan(shape: Shape, dims: readonly number[]): GatherPlan {
  const strides = stridesOf(shape);
  let offset = 0;
  const axes = shape.map((size, d) => {
    const s = strides[d] as number;
    if (!dims.includes(d)) return { size, stride: s, bStride: 0 };
    offset += (size - 1) * s;
    return { size, stride: -s, bStride: 0 };
  });
  return fill('flip', axes, sizeOf(shape) === 0 ? 0 : offset, Int32Array.of(0));
}
