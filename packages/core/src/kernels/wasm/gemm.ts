// kernels/wasm: gemm through the WebAssembly SIMD kernel (assembly/gemm.ts). The operands are
// copied into WebAssembly memory, the kernel packs them into panels there, and C is copied back.
// Copying rather than keeping tensor storage in WebAssembly memory, by measurement: in a profile of
// the 784-128-64-10 MLP step (batch 64) the copies take 6 % of the step against 55 % for the
// kernel itself, while resident storage would need a FinalizationRegistry-managed allocator and
// typed-array views re-created whenever memory is replaced.
import type { Buf } from '../index';
import { heapF32, heapF64, heapI32, reserve } from './runtime';

const align16 = (bytes: number) => (bytes + 15) & ~15;

/**
 * gemm's contract (see `gemm` in ../gemm.ts) with `a`, `b` and `c` of one float type. Memory
 * layout per call: [scratch | A | B | C], every part 16-byte aligned.
 */
export function gemmWasm(
  m: number,
  n: number,
  k: number,
  a: Buf,
  transA: boolean,
  b: Buf,
  transB: boolean,
  c: Buf,
  accumulate: boolean,
  aOffset: number,
  bOffset: number,
  cOffset: number,
): void {
  const es = c.BYTES_PER_ELEMENT;
  const aPtr = align16(reserve(0).workBytes(n, es));
  const bPtr = align16(aPtr + m * k * es);
  const cPtr = align16(bPtr + k * n * es);
  const wasm = reserve(cPtr + m * n * es);
  const heap = es === 8 ? heapF64() : heapF32();
  heap.set(a.subarray(aOffset, aOffset + m * k), aPtr / es);
  heap.set(b.subarray(bOffset, bOffset + k * n), bPtr / es);
  if (accumulate) heap.set(c.subarray(cOffset, cOffset + m * n), cPtr / es);
  if (es === 8) wasm.gemmF64(m, n, k, aPtr, transA ? 1 : 0, bPtr, transB ? 1 : 0, cPtr, accumulate ? 1 : 0, 0);
  else wasm.gemmF32(m, n, k, aPtr, transA ? 1 : 0, bPtr, transB ? 1 : 0, cPtr, accumulate ? 1 : 0, 0);
  c.set(heap.subarray(cPtr / es, cPtr / es + m * n), cOffset);
}

/** The smallest and the largest of `offsets` (count ≥ 1). */
function span(offsets: Int32Array): [number, number] {
  let lo = offsets[0]!;
  let hi = lo;
  for (let t = 1; t < offsets.length; t++) {
    const o = offsets[t]!;
    if (o < lo) lo = o;
    else if (o > hi) hi = o;
  }
  return [lo, hi];
}

/**
 * gemmBatched's contract (see ../gemm-batched.ts) with `a`, `b` and `c` of one float type, in one
 * call into WebAssembly. Copied in: the span of each operand that the offsets reach, C's included
 * (its elements between batches must come back unchanged), and the offsets as (A_t, B_t, C_t)
 * triples relative to those spans. Layout: [scratch | A span | B span | C span | offsets].
 */
export function gemmBatchedWasm(
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
  if (count === 0) return;
  const es = c.BYTES_PER_ELEMENT;
  const [a0, a1] = span(aOffsets);
  const [b0, b1] = span(bOffsets);
  const [c0, c1] = span(cOffsets);
  const aLen = a1 - a0 + m * k;
  const bLen = b1 - b0 + k * n;
  const cLen = c1 - c0 + m * n;
  const aPtr = align16(reserve(0).workBytes(n, es));
  const bPtr = align16(aPtr + aLen * es);
  const cPtr = align16(bPtr + bLen * es);
  const oPtr = align16(cPtr + cLen * es);
  const wasm = reserve(oPtr + 12 * count);
  const heap = es === 8 ? heapF64() : heapF32();
  const offs = heapI32();
  heap.set(a.subarray(a0, a0 + aLen), aPtr / es);
  heap.set(b.subarray(b0, b0 + bLen), bPtr / es);
  heap.set(c.subarray(c0, c0 + cLen), cPtr / es);
  for (let t = 0, o = oPtr / 4; t < count; t++, o += 3) {
    offs[o] = aOffsets[t]! - a0;
    offs[o + 1] = bOffsets[t]! - b0;
    offs[o + 2] = cOffsets[t]! - c0;
  }
  const tA = transA ? 1 : 0;
  const tB = transB ? 1 : 0;
  const acc = accumulate ? 1 : 0;
  if (es === 8) wasm.gemmBatchF64(m, n, k, count, aPtr, tA, bPtr, tB, cPtr, acc, oPtr, 0);
  else wasm.gemmBatchF32(m, n, k, count, aPtr, tA, bPtr, tB, cPtr, acc, oPtr, 0);
  c.set(heap.subarray(cPtr / es, cPtr / es + cLen), c0);
}
