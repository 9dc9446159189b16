// Batched GEMM: the products of a batched matmul, C_t (+)= op(A_t)·op(B_t) for t = 0 … count−1,
// with each matrix addressed by an offset (a broadcast operand repeats its offset). One call into
// WebAssembly for the whole batch; the TypeScript path is the loop over `gemmTs` it is tested against.
import { sameFloatType } from './dispatch';
import { gemmTs, WASM_MIN_FLOPS } from './gemm';
import type { Buf } from './index';
import { gemmBatchedWasm } from './wasm/gemm';
import { useWasm, WASM_MAX_BYTES } from './wasm/runtime';

/**
 * For each t in order: C_t[m×n] = op(A_t)·op(B_t), or C_t += … when `accumulate`, where A_t starts
 * at a[aOffsets[t]], B_t at b[bOffsets[t]] and C_t at c[cOffsets[t]] (element offsets; transposes
 * as in `gemm`). The result is that of calling `gemm` once per t in order, so a C_t that repeats
 * sums its products when accumulating: that is how a broadcast operand's gradient is reduced.
 */
export function gemmBatched(
  m: number,
  n: number,
  k: number,
  aOffsets: Int32Array,
  bOffsets: Int32Array,
  cOffsets: Int32Array,
  a: Buf,
  transA: boolean,
  b: Buf,
  transB: boolean,
  c: Buf,
  accumulate: boolean,
): void {
  const count = cOffsets.length;
  const bytes = (a.length + b.length + c.length) * c.BYTES_PER_ELEMENT + 12 * count;
  if (m * n * k >= WASM_MIN_FLOPS && bytes <= WASM_MAX_BYTES && useWasm() && sameFloatType(a, b, c)) {
    gemmBatchedWasm(m, n, k, aOffsets, bOffsets, cOffsets, a, transA, b, transB, c, accumulate);
  } else gemmBatchedTs(m, n, k, aOffsets, bOffsets, cOffsets, a, transA, b, transB, c, accumulate);
}

/** `gemmBatched` on the TypeScript kernels: one `gemmTs` per product. */
export function gemmBatchedTs(
  m: number,
  n: number,
  k: number,
  aOffsets: Int32Array,
  bOffsets: Int32Array,
  cOffsets: Int32Array,
  a: Buf,
  transA: boolean,
  b: Buf,
  transB: boolean,
  c: Buf,
  accumulate: boolean,
): void {
  for (let t = 0; t < cOffsets.length; t++) {
    gemmTs(m, n, k, a, transA, b, transB, c, accumulate, aOffsets[t]!, bOffsets[t]!, cOffsets[t]!);
  }
}
