// kernels/wasm: gemm through the WebAssembly SIMD kernel (assembly/gemm.ts). The operands are
// copied into WebAssembly memory, the kernel packs them into panels there, and C is copied back.
// Copying rather than keeping tensor storage in WebAssembly memory, by measurement: when gemm was
// the only WebAssembly kernel, the copies took 6 % of the 784-128-64-10 MLP step (batch 64)
// against 55 % for the kernel itself, while resident storage would need a FinalizationRegistry-
// managed allocator and typed-array views re-created whenever memory changes. With the kernels
// and threads since, the copies are a larger share: resident storage is the next lever.
// A product large enough to pay for threads is split into blocks of C that the worker threads
// (threads.ts) and the calling thread claim one by one, in the same memory. Each element of C is
// computed by one thread, in the same order whatever the split: results do not depend on it.
import { gemmSplit } from '../../plans/matmul';
import type { Buf } from '../index';
import { type KernelArgs, MAX_PARTS } from './control';
import { align16, heapFloats } from './copy';
import type { WasmKernels } from './exports';
import { getNumThreads, onThreads, runSplit, threadPool, threadSlots, threadsFree } from './pool';
import { heapI32, reserve } from './runtime';

/**
 * Multiply-adds each thread must get for a product to be split: below, waking a sleeping worker
 * (10–40 µs) and the final wait cost more than the worker gives. Two threads against one, measured
 * on 2 cores (float32 A·B) with always-spinning workers: 0.62× at 32³, 1.1× at 64³, 1.45× at 128³
 * (2^21), 1.9× at 1024³; workers that sleep between products move the break-even up, to about
 * 2^20 multiply-adds per thread. The threshold is twice that, so that a split is made only where
 * it clearly pays: at 2^20 per thread, the LSTM of `bench workloads` (its 32×128·128×512 step
 * product, 2^21 in all) ran its forward 12 % slower on the default threads than on one, with 35 %
 * more CPU time, and its training step 4 % slower with 25 % more (6 interleaved rounds); at 2^21
 * the default threads ran them at one thread's speed (forward 13.1 against 12.9 ms, step 41.2
 * against 42.2 ms; 6 rounds), and larger products (the MLP and CNN steps') still split.
 */
export const THREAD_MIN_FLOPS = 2 ** 21;
/**
 * The least work (multiply-adds) of one part. A part costs a claim (an atomic add) and a packing
 * of its operand panels; under it, splitting further gains less than it costs.
 */
export const PART_MIN_FLOPS = 2 ** 18;
/**
 * Parts per thread: more parts than threads let a thread that the OS has paused leave its share
 * to the others, so that a busy machine costs at most one part of waiting, not half the product.
 */
export const PARTS_PER_THREAD = 4;

/**
 * How many parts a job of `flops` multiply-adds, divisible into `units` at most, is split into
 * now: 1 unless threads are on, each thread gets THREAD_MIN_FLOPS and each part PART_MIN_FLOPS,
 * other processes leave CPUs free for the threads (load.ts), and the pool has not stepped back
 * after splits that did not pay (threads.ts `wanted`). A split wakes the workers at once, so that
 * they are running by the time the caller has copied the operands in and posts the job.
 */
export function partsFor(flops: number, units: number): number {
  const t = threadsFree(Math.min(getNumThreads(), Math.floor(flops / THREAD_MIN_FLOPS)));
  const pool = t < 2 ? null : threadPool();
  if (!pool?.wanted()) return 1;
  const parts = Math.max(1, Math.min(MAX_PARTS, PARTS_PER_THREAD * t, units, Math.floor(flops / PART_MIN_FLOPS)));
  if (parts > 1) pool.wake();
  return parts;
}

/** How many parts (blocks of C from gemmSplit) an m×n×k product is split into now. */
function partsOf(m: number, n: number, k: number): number {
  const parts = partsFor(m * n * k, Math.ceil(Math.max(m, n) / 8));
  return parts > 1 ? gemmSplit(m, n, parts).length / 4 : 1;
}

/**
 * C[m×n] (+)= op(A)·op(B) on operands already in WebAssembly memory (byte addresses, row-major,
 * stored as gemm's contract says), in `parts` blocks; `work` holds one scratch area of
 * `workBytes` bytes per thread slot.
 */
function run(
  wasm: WasmKernels,
  es: number,
  m: number,
  n: number,
  k: number,
  aPtr: number,
  transA: boolean,
  bPtr: number,
  transB: boolean,
  cPtr: number,
  accumulate: boolean,
  parts: number,
  work: number,
  workBytes: number,
): void {
  const kernel = es === 8 ? wasm.gemmF64 : wasm.gemmF32;
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const tA = transA ? 1 : 0;
  const tB = transB ? 1 : 0;
  const acc = accumulate ? 1 : 0;
  if (parts === 1) {
    kernel(m, n, k, aPtr, lda, tA, bPtr, ldb, tB, cPtr, n, acc, work);
    return;
  }
  // block t of C: rows i0..i0+rows, columns j0..j0+cols (see gemmSplit); the scratch (argument
  // 12) is slot 0's, moved to each thread's own by runSplit
  const split = gemmSplit(m, n, parts);
  const args = (t: number) => {
    const [i0 = 0, rows = 0, j0 = 0, cols = 0] = split.subarray(4 * t, 4 * t + 4);
    const a = aPtr + (transA ? i0 : i0 * k) * es;
    const b = bPtr + (transB ? j0 * k : j0) * es;
    const c = cPtr + (i0 * n + j0) * es;
    return [rows, cols, k, a, lda, tA, b, ldb, tB, c, n, acc, work];
  };
  const here = (a: KernelArgs) => kernel(...(a as Parameters<typeof kernel>));
  runSplit(es === 8 ? 'gemmF64' : 'gemmF32', split.length / 4, args, here, { args: [12], stride: workBytes });
}

/**
 * gemm's contract (see `gemm` in ../gemm.ts) with `a`, `b` and `c` of one float type; with
 * `rowBias` (n elements, and `accumulate` off), C = op(A)·op(B) + 1·rowBiasᵀ: C starts as the bias
 * in every row, and the product is added to it. Memory layout per call:
 * [scratch per thread | A | B | C | bias], every part 16-byte aligned.
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
  rowBias?: Buf,
): void {
  onThreads(() => gemmCall(m, n, k, a, transA, b, transB, c, accumulate, aOffset, bOffset, cOffset, rowBias));
}

function gemmCall(
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
  rowBias?: Buf,
): void {
  const es = c.BYTES_PER_ELEMENT;
  const parts = partsOf(m, n, k);
  const workBytes = align16(reserve(0).workBytes(n, es));
  const aPtr = threadSlots(parts) * workBytes;
  const bPtr = align16(aPtr + m * k * es);
  const cPtr = align16(bPtr + k * n * es);
  const biasPtr = align16(cPtr + m * n * es);
  const wasm = reserve(biasPtr + (rowBias ? n * es : 0));
  const heap = heapFloats(es);
  heap.set(a.subarray(aOffset, aOffset + m * k), aPtr / es);
  heap.set(b.subarray(bOffset, bOffset + k * n), bPtr / es);
  if (accumulate) heap.set(c.subarray(cOffset, cOffset + m * n), cPtr / es);
  else if (rowBias) {
    heap.set(rowBias, biasPtr / es);
    (es === 8 ? wasm.fillRowsF64 : wasm.fillRowsF32)(m, n, biasPtr, cPtr);
  }
  const add = accumulate || rowBias !== undefined;
  run(wasm, es, m, n, k, aPtr, transA, bPtr, transB, cPtr, add, parts, 0, workBytes);
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
 * gemmBatched's contract (see ../gemm-batched.ts) with `a`, `b` and `c` of one float type. Copied
 * in: the span of each operand that the offsets reach, C's included (its elements between batches
 * must come back unchanged), and the offsets as (A_t, B_t, C_t) triples relative to those spans.
 * Layout: [scratch per thread | A span | B span | C span | offsets]. Small products run in one call
 * into WebAssembly; products large enough for threads run one after another, each split.
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
  if (cOffsets.length === 0) return;
  onThreads(() => gemmBatchedCall(m, n, k, aOffsets, bOffsets, cOffsets, a, transA, b, transB, c, accumulate));
}

function gemmBatchedCall(
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
  const es = c.BYTES_PER_ELEMENT;
  const parts = partsOf(m, n, k);
  const [a0, a1] = span(aOffsets);
  const [b0, b1] = span(bOffsets);
  const [c0, c1] = span(cOffsets);
  const aLen = a1 - a0 + m * k;
  const bLen = b1 - b0 + k * n;
  const cLen = c1 - c0 + m * n;
  const workBytes = align16(reserve(0).workBytes(n, es));
  const aPtr = threadSlots(parts) * workBytes;
  const bPtr = align16(aPtr + aLen * es);
  const cPtr = align16(bPtr + bLen * es);
  const oPtr = align16(cPtr + cLen * es);
  const wasm = reserve(oPtr + 12 * count);
  const heap = heapFloats(es);
  heap.set(a.subarray(a0, a0 + aLen), aPtr / es);
  heap.set(b.subarray(b0, b0 + bLen), bPtr / es);
  heap.set(c.subarray(c0, c0 + cLen), cPtr / es);
  if (parts > 1) {
    for (let t = 0; t < count; t++) {
      const at = aPtr + (aOffsets[t]! - a0) * es;
      const bt = bPtr + (bOffsets[t]! - b0) * es;
      const ct = cPtr + (cOffsets[t]! - c0) * es;
      run(wasm, es, m, n, k, at, transA, bt, transB, ct, accumulate, parts, 0, workBytes);
    }
  } else {
    const offs = heapI32();
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
  }
  c.set(heap.subarray(cPtr / es, cPtr / es + cLen), c0);
}
