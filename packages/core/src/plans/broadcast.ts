// Plans: PyTorch broadcasting, reduced to `rows × inner` walks that every elementwise kernel and
// every reduction follows. Pure: shapes in, numbers and Int32Arrays out.
import { check, fmtShape } from '../errors';
import { type Shape, sizeOf, stridesOf } from './shape';

/** Whether two shapes broadcast (PyTorch's rule: aligned from the end, each pair equal or 1). */
export function canBroadcast(a: Shape, b: Shape): boolean {
  const n = Math.max(a.length, b.length);
  for (let i = 1; i <= n; i++) {
    const da = a[a.length - i] ?? 1;
    const db = b[b.length - i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return false;
  }
  return true;
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
 * How to walk operands over a broadcast output of `shape`, reduced to `rows × inner`: output
 * element `r·inner + j` reads operand k at `offsets[k][r] + j·steps[k]`, each step 1 (walking)
 * or 0 (broadcast). Adjacent dims that every operand traverses alike are merged first, so
 * same-shape and scalar cases become one row.
 */
export interface Walk {
  readonly shape: readonly number[];
  readonly size: number;
  readonly rows: number;
  readonly inner: number;
  readonly offsets: readonly Int32Array[];
  readonly steps: readonly number[];
}

/**
 * A walk of two operands a and b, named for the binary kernels. The same plan drives
 * reductions: summing x into y is walking the plan of (x's shape, y's keep-dim shape) with `+=`.
 */
export interface BroadcastPlan extends Walk {
  readonly aOffset: Int32Array;
  readonly bOffset: Int32Array;
  readonly aStep: number;
  readonly bStep: number;
}

export function broadcastPlan(op: string, a: Shape, b: Shape): BroadcastPlan {
  return binary(walk(broadcastShape(op, a, b), [a, b]));
}

/** The plan with the operands' roles exchanged: backward kernels are written for side `a` only. */
export function swapPlan(p: BroadcastPlan): BroadcastPlan {
  const { shape, size, rows, inner } = p;
  return binary({ shape, size, rows, inner, offsets: [p.bOffset, p.aOffset], steps: [p.bStep, p.aStep] });
}

/** A walk of three operands (where's condition, a and b) over their common broadcast shape. */
export function broadcastPlan3(op: string, c: Shape, a: Shape, b: Shape): Walk {
  const shape = broadcastShape(op, c, broadcastShape(op, a, b));
  return walk(shape, [c, a, b]);
}

/**
 * Plans are object literals with every field written out, never `{ ...w }` spreads: measured on
 * V8 (Node 20), a kernel handed a fresh spread object per call re-reads its fields per element,
 * and an elementwise add ran at 12-14 ns per element against 2.6 with a literal plan.
 */
function binary(w: Walk): BroadcastPlan {
  return {
    shape: w.shape,
    size: w.size,
    rows: w.rows,
    inner: w.inner,
    offsets: w.offsets,
    steps: w.steps,
    aOffset: w.offsets[0] as Int32Array,
    bOffset: w.offsets[1] as Int32Array,
    aStep: w.steps[0] as number,
    bStep: w.steps[1] as number,
  };
}

/** The walk of `operands` (each broadcastable to `shape`) over `shape`. */
export function walk(shape: number[], operands: readonly Shape[]): Walk {
  const strides = operands.map((x) => operandStrides(shape, x));
  // Merge dim i+1 into dim i when, for every operand, stepping once along i equals stepping
  // the whole of i+1: then the pair is one longer dim.
  const dims: number[] = [];
  const st: number[][] = operands.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i] as number;
    if (d === 1) continue; // a dim of 1 is never walked
    const last = dims.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => st[k]?.[last] === (s[i] as number) * d);
    if (mergeable) dims[last] = (dims[last] as number) * d;
    else dims.push(d);
    strides.forEach((s, k) => {
      const own = st[k] as number[];
      if (mergeable) own[last] = s[i] as number;
      else own.push(s[i] as number);
    });
  }
  const size = sizeOf(shape);
  const inner = dims.length === 0 ? 1 : (dims[dims.length - 1] as number);
  const rows = size === 0 ? 0 : size / inner;
  const offsets = operands.map(() => new Int32Array(rows));
  // Odometer over the outer dims (all but the last merged dim) to fill the per-row offsets.
  const outer = dims.length - 1;
  const idx = new Array<number>(Math.max(outer, 0)).fill(0);
  const pos = operands.map(() => 0);
  for (let r = 0; r < rows; r++) {
    pos.forEach((p, k) => {
      (offsets[k] as Int32Array)[r] = p;
    });
    for (let d = outer - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      for (let k = 0; k < pos.length; k++) pos[k] = (pos[k] as number) + (st[k]?.[d] as number);
      if ((idx[d] as number) < (dims[d] as number)) break;
      for (let k = 0; k < pos.length; k++) pos[k] = (pos[k] as number) - (st[k]?.[d] as number) * (dims[d] as number);
      idx[d] = 0;
    }
  }
  const steps = st.map((s) => (dims.length === 0 ? 0 : (s[dims.length - 1] as number)));
  return { shape, size, rows, inner, offsets, steps };
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
