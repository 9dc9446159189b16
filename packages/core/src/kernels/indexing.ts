// Indexing kernels: copies through an index map (a GatherPlan's src), and triangular masks.
// take's backward is a scatter-add: an element read by several outputs sums their gradients.
import type { Buf } from './index';

/** y[i] = x[src[i]]. */
export function take(src: Int32Array, x: Buf, y: Buf): void {
  for (let i = 0; i < src.length; i++) y[i] = x[src[i]!]!;
}

/** gx[src[i]] += gy[i]. */
export function takeBackward(src: Int32Array, gy: Buf, gx: Buf): void {
  for (let i = 0; i < src.length; i++) gx[src[i]!]! += gy[i]!;
}

/**
 * Keeps the lower (j − i ≤ diagonal) or upper (j − i ≥ diagonal) triangle of each of `batch`
 * [rows, cols] matrices and zeroes the rest; with `accumulate`, adds the kept part into out.
 */
export function triangle(
  batch: number,
  rows: number,
  cols: number,
  diagonal: number,
  upper: boolean,
  x: Buf,
  out: Buf,
  accumulate: boolean,
): void {
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < rows; i++) {
      const base = (b * rows + i) * cols;
      for (let j = 0; j < cols; j++) {
        const keep = upper ? j - i >= diagonal : j - i <= diagonal;
        if (accumulate) {
          if (keep) out[base + j]! += x[base + j]!;
        } else out[base + j] = keep ? x[base + j]! : 0;
      }
    }
  }
}
