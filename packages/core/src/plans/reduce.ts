// Plans for reductions: which dims are reduced, the output shape, and the walk that sums (or
// maxes) x into y. Also the [outer, n, inner] view of a tensor around one dim, which softmax,
// cumsum and argmax take.
import { type BroadcastPlan, broadcastPlan } from './broadcast';
import { checkFlag, normalizeDim, normalizeDims, reducedShape, type Shape, sizeOf } from './shape';

export interface ReducePlan {
  /** The reduced dims, normalised and sorted. */
  readonly dims: readonly number[];
  readonly outShape: readonly number[];
  /** How many elements of x meet in each element of y. */
  readonly count: number;
  /** x's shape walked against y's keep-dim shape: side `b` of the plan is y. */
  readonly walk: BroadcastPlan;
}

/** The plan of reducing `shape` over `dim` (every dim when omitted or []). */
export function reducePlan(
  op: string,
  shape: Shape,
  dim: number | readonly number[] | undefined,
  keepDim: boolean,
): ReducePlan {
  checkFlag(op, 'keepDim', keepDim);
  const dims = normalizeDims(op, dim, shape.length);
  const kept = reducedShape(shape, dims, true);
  return {
    dims,
    outShape: reducedShape(shape, dims, keepDim),
    count: sizeOf(dims.map((d) => shape[d] as number)),
    walk: broadcastPlan(op, shape, kept),
  };
}

/** A tensor seen as [outer, n, inner] around `dim`: element (o, i, k) sits at (o·n + i)·inner + k. */
export interface AxisPlan {
  readonly dim: number;
  readonly outer: number;
  readonly n: number;
  readonly inner: number;
}

export function axisPlan(op: string, shape: Shape, dim: number): AxisPlan {
  const d = normalizeDim(op, dim, shape.length);
  if (shape.length === 0) return { dim: 0, outer: 1, n: 1, inner: 1 };
  return { dim: d, outer: sizeOf(shape.slice(0, d)), n: shape[d] as number, inner: sizeOf(shape.slice(d + 1)) };
}

/**
 * The dims of `from` along which `to` was broadcast to make it: the leading dims `to` lacks, and
 * the dims where `to` has size 1. A gradient of `from`'s shape is summed over them to fit `to` (F15).
 */
export function broadcastDims(from: Shape, to: Shape): number[] {
  const lead = from.length - to.length;
  return from.map((_, i) => i).filter((i) => i < lead || (to[i - lead] === 1 && from[i] !== 1));
}
