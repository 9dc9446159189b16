// Plans for matrix products: torch.matmul's shape rules, and the walk over broadcast batch
// dims as lists of matrix offsets, so that a kernel runs every product of a batch in one call.
import { check, fmtShape } from '../errors';
import { broadcastPlan, canBroadcast } from './broadcast';
import { type Shape, sizeOf } from './shape';

/**
 * Y = A·B over a batch: product t reads A at aOffsets[t], B at bOffsets[t] and writes Y at
 * cOffsets[t] (element offsets of [m, k], [k, n] and [m, n] matrices). A broadcast batch of A
 * or B repeats its offset, so the backward's accumulating gemms sum its gradient.
 */
export interface MatmulPlan {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly outShape: readonly number[];
  readonly aOffsets: Int32Array;
  readonly bOffsets: Int32Array;
  readonly cOffsets: Int32Array;
}

/** torch.matmul: 1-D operands become a row (a) or a column (b), removed again from the result. */
export function matmulPlan(a: Shape, b: Shape): MatmulPlan {
  check(
    a.length > 0 && b.length > 0,
    () => `matmul: both operands need at least 1 dim, got shapes ${fmtShape(a)} and ${fmtShape(b)}`,
  );
  const aShape = a.length === 1 ? [1, a[0] as number] : a;
  const bShape = b.length === 1 ? [b[0] as number, 1] : b;
  const m = aShape[aShape.length - 2] as number;
  const k = aShape[aShape.length - 1] as number;
  const kb = bShape[bShape.length - 2] as number;
  const n = bShape[bShape.length - 1] as number;
  check(k === kb, () => `matmul: shapes ${fmtShape(a)} and ${fmtShape(b)} do not align (${k} != ${kb})`);
  check(
    canBroadcast(aShape.slice(0, -2), bShape.slice(0, -2)),
    () => `matmul: the batch dims of shapes ${fmtShape(a)} and ${fmtShape(b)} cannot broadcast`,
  );
  const bp = broadcastPlan('matmul', aShape.slice(0, -2), bShape.slice(0, -2));
  const outShape = [...bp.shape, m, n];
  if (a.length === 1) outShape.splice(-2, 1);
  if (b.length === 1) outShape.pop();
  // A stack of matrices times one shared matrix is a single taller product: fold the batch into
  // the rows of A (one gemm of batch·m rows instead of `batch` small ones).
  if (sizeOf(bShape.slice(0, -2)) === 1 && sizeOf(aShape.slice(0, -2)) === bp.size) {
    const zero = new Int32Array(1);
    return { m: bp.size * m, n, k, outShape, aOffsets: zero, bOffsets: zero, cOffsets: zero };
  }
  const aOffsets = new Int32Array(bp.size);
  const bOffsets = new Int32Array(bp.size);
  const cOffsets = new Int32Array(bp.size);
  for (let r = 0, t = 0; r < bp.rows; r++) {
    for (let j = 0; j < bp.inner; j++, t++) {
      aOffsets[t] = ((bp.aOffset[r] as number) + j * bp.aStep) * m * k;
      bOffsets[t] = ((bp.bOffset[r] as number) + j * bp.bStep) * k * n;
      cOffsets[t] = t * m * n;
    }
  }
  return { m, n, k, outShape, aOffsets, bOffsets, cOffsets };
}

/**
 * How `parts` threads share C[m×n] = op(A)·op(B): a block of rows each, or a block of columns each,
 * as `parts` quadruples (i0, rows, j0, cols), empty blocks dropped. Each thread packs its own block
 * of one operand and all of the other, so the split is along the dimension that makes the
 * duplicated packing smaller: rows when n ≤ m (each thread repacks op(B), k·n), else columns
 * (each repacks op(A), m·k). Block edges are multiples of 8, the widest register tile.
 */
export function gemmSplit(m: number, n: number, parts: number): Int32Array {
  const byRows = n <= m;
  const extent = byRows ? m : n;
  const step = Math.ceil(Math.ceil(extent / parts) / 8) * 8;
  const out: number[] = [];
  for (let s = 0; s < extent; s += step) {
    const len = Math.min(step, extent - s);
    if (byRows) out.push(s, len, 0, n);
    else out.push(0, m, s, len);
  }
  return Int32Array.from(out);
}
