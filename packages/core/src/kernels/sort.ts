// Kernels of sort, argsort and topk (a stable merge sort along one dim of an [outer, n, inner]
// layout) and of boolean-mask indexing (the flat positions of the true entries).
import type { Buf } from './index';

/**
 * Sorts every line x[o, :, i] of an [outer, n, inner] layout, stably (equal values keep their
 * order), ascending or descending, NaN counted above every number as PyTorch does. Writes the
 * sorted positions along the dim into `indices` (same layout); `scratch` holds 2n entries.
 * Bottom-up merge sort: log₂ n passes, each merging runs of width w from `a` into `b`.
 */
export function sortAlong(
  outer: number,
  n: number,
  inner: number,
  x: Buf,
  descending: boolean,
  indices: Int32Array,
  scratch: Int32Array,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let a = 0; // offset in scratch of the current order, b the other half
      let b = n;
      for (let j = 0; j < n; j++) scratch[j] = j;
      for (let w = 1; w < n; w *= 2) {
        for (let lo = 0; lo < n; lo += 2 * w) {
          const mid = Math.min(lo + w, n);
          const hi = Math.min(lo + 2 * w, n);
          let p = lo;
          let q = mid;
          for (let k = lo; k < hi; k++) {
            let takeRight = false;
            if (p >= mid) takeRight = true;
            else if (q < hi) {
              // take the right run's head only when it goes strictly first: that keeps ties stable
              const u = x[base + scratch[a + q]! * inner]!;
              const v = x[base + scratch[a + p]! * inner]!;
              const uNaN = Number.isNaN(u);
              const vNaN = Number.isNaN(v);
              takeRight = descending ? u > v || (uNaN && !vNaN) : u < v || (vNaN && !uNaN);
            }
            scratch[b + k] = takeRight ? scratch[a + q++]! : scratch[a + p++]!;
          }
        }
        const t = a;
        a = b;
        b = t;
      }
      for (let j = 0; j < n; j++) indices[base + j * inner] = scratch[a + j]!;
    }
  }
}

/** The number of non-zero entries of a mask. */
export function countNonzero(mask: Buf): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++;
  return count;
}

/** The flat positions of the non-zero entries of `mask`, in order, into `out` (countNonzero long). */
export function nonzeroFlat(mask: Buf, out: Int32Array): void {
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) out[k++] = i;
}
