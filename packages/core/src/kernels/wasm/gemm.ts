// kernels/wasm: gemm through the WebAssembly SIMD kernel (assembly/gemm.ts). The operands are
// copied into WebAssembly memory, the kernel packs them into panels there, and C is copied back.
// Copying rather than keeping tensor storage in WebAssembly memory, by measurement: in a profile of
// the 784-128-64-10 MLP step (batch 64) the copies take 6 % of the step against 55 % for the
// kernel itself, while resident storage would need a FinalizationRegistry-managed allocator and
// typed-array views re-created whenever memory is replaced.
import type { Buf } from '../index';
import { heapF32, heapF64, reserve } from './runtime';

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
