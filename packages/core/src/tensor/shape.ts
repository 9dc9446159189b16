// Pure shape logic for the tensor graph: sizes, strides, dim normalisation and the broadcast
// plan that drives every binary kernel and every reduction. No data lives here.
import { check, fmtShape } from '../errors';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-order) strides: the last dim is contiguous. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Checks a user-given shape: an array of non-negative integers. */
export function checkShape(op: string, shape: unknown): Shape {
  check(
    Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0),
    () => `${op}: a shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
  );
  return shape as Shape;
}

/** A dim in [−ndim, ndim) as an index in [0, ndim). */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  check(
    Number.isInteger(dim) && dim >= lo && dim <= hi,
    () => `${op}: dim ${dim} is out of range for a tensor of ${ndim} dims (expected ${lo}..${hi})`,
  );
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** A dim or list of dims, normalised, sorted and checked for repeats; undefined means every dim. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : [...dims];
  if (list.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  const out = list.map((d) => normalizeDim(op, d, ndim)).sort((a, b) => a - b);
  check(new Set(out).size === out.length, () => `${op}: dim list [${list.join(',')}] repeats a dim`);
  return ndim === 0 ? [] : out;
}

/** The shape of `shape` reduced over `dims`: those dims become 1 (keepDim) or disappear. */
export function reducedShape(shape: Shape, dims: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}

/** PyTorch broadcasting: align trailing dims; each pair must be equal or contain a 1. */
export function broadcastShape(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    check(
      da === db || da === 1 || db === 1,
      () => `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot broadcast (dim ${i - n}: ${da} vs ${db})`,
    );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * How to walk two operands over a broadcast output of `shape`, reduced to `rows × inner`: output
 * element `r·inner + j` reads `a[aOffset[r] + j·aStep]` and `b[bOffset[r] + j·bStep]`, each step
 * 1 (walking) or 0 (broadcast). Adjacent dims that both operands traverse alike are merged first,
 * so same-shape and scalar cases become one row. The same plan drives reductions: summing x into
 * y is walking the plan of x's shape against y's keep-dim shape with `+=`.
 */
export interface BroadcastPlan {
  readonly shape: readonly number[];
  readonly size: number;
  readonly rows: number;
  readonly inner: number;
  readonly aOffset: Int32Array;
  readonly bOffset: Int32Array;
  readonly aStep: number;
  readonly bStep: number;
}

export function broadcastPlan(op: string, a: Shape, b: Shape): BroadcastPlan {
  const shape = broadcastShape(op, a, b);
  return planFor(shape, a, b);
}

/** The plan with the operands' roles exchanged: backward kernels are written for side `a` only. */
export function swapPlan(p: BroadcastPlan): BroadcastPlan {
  return { ...p, aOffset: p.bOffset, bOffset: p.aOffset, aStep: p.bStep, bStep: p.aStep };
}

function planFor(shape: number[], a: Shape, b: Shape): BroadcastPlan {
  const n = shape.length;
  const sa = operandStrides(shape, a);
  const sb = operandStrides(shape, b);
  // Merge dim i+1 into dim i when, for both operands, stepping once along i equals stepping
  // the whole of i+1: then the pair is one longer dim.
  const dims: number[] = [];
  const stA: number[] = [];
  const stB: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = shape[i] as number;
    if (d === 1) continue; // a dim of 1 is never walked
    const last = dims.length - 1;
    if (last >= 0 && stA[last] === (sa[i] as number) * d && stB[last] === (sb[i] as number) * d) {
      dims[last] = (dims[last] as number) * d;
      stA[last] = sa[i] as number;
      stB[last] = sb[i] as number;
    } else {
      dims.push(d);
      stA.push(sa[i] as number);
      stB.push(sb[i] as number);
    }
  }
  const size = sizeOf(shape);
  const inner = dims.length === 0 ? 1 : (dims[dims.length - 1] as number);
  const rows = size === 0 ? 0 : size / inner;
  const aOffset = new Int32Array(rows);
  const bOffset = new Int32Array(rows);
  // Odometer over the outer dims (all but the last merged dim) to fill the per-row offsets.
  const outer = dims.length - 1;
  const idx = new Array<number>(Math.max(outer, 0)).fill(0);
  let oa = 0;
  let ob = 0;
  for (let r = 0; r < rows; r++) {
    aOffset[r] = oa;
    bOffset[r] = ob;
    for (let k = outer - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      oa += stA[k] as number;
      ob += stB[k] as number;
      if ((idx[k] as number) < (dims[k] as number)) break;
      oa -= (stA[k] as number) * (dims[k] as number);
      ob -= (stB[k] as number) * (dims[k] as number);
      idx[k] = 0;
    }
  }
  const aStep = dims.length === 0 ? 0 : (stA[dims.length - 1] as number);
  const bStep = dims.length === 0 ? 0 : (stB[dims.length - 1] as number);
  return { shape, size, rows, inner, aOffset, bOffset, aStep, bStep };
}

/** Strides of an operand in output coordinates: 0 where it is broadcast (missing dim or size 1). */
function operandStrides(out: Shape, x: Shape): number[] {
  const n = out.length;
  const own = stridesOf(x);
  return out.map((_, i) => {
    const j = i - (n - x.length);
    return j < 0 || x[j] === 1 ? 0 : (own[j] as number);
  });
}
