// kernels/wasm: the convolution layers' kernels through WebAssembly (assembly/conv.ts): the
// convolution forward and backward (in Node, a batch split into ranges of images across the kernel
// threads), the channel bias and its sums, max pooling. Buffers are copied in one after the other,
// 16-byte aligned, and the outputs copied back.
// Determinism: forward and input gradient compute each image on one thread, so any split gives the
// same numbers; the weight gradient, a sum over images, is always summed in WEIGHT_CHUNKS fixed
// ranges of images (each into its own zeroed partial, added in order at the end), whatever the
// thread count.
import type { ConvPlan, PoolPlan } from '../../plans/conv';
import type { Buf } from '../index';
import type { KernelArgs } from './control';
import { align16, heapFloats } from './copy';
import { partsFor } from './gemm';
import { onThreads, runSplit, threadSlots } from './pool';
import { heapI32, reserve } from './runtime';

/** Ranges of images the weight gradient of a large convolution is summed in, whatever the thread count. */
export const WEIGHT_CHUNKS = 8;
/**
 * Multiply-adds from which a convolution's weight gradient is summed in WEIGHT_CHUNKS ranges (below,
 * in one). Its own constant, not the threads' threshold: the summation order, and so the numbers,
 * must not move when the thread policy is tuned.
 */
const WEIGHT_CHUNKS_MIN_FLOPS = 2 ** 20;

/** Multiply-adds of a convolution (forward, or either half of its backward). */
const convFlops = (p: ConvPlan) => p.batch * p.outChannels * p.outSize * p.colRows;

/** Bytes a convolution lays out in WebAssembly memory with `slots` thread slots and `chunks` weight partials (an upper bound). */
export function convBytes(p: ConvPlan, es: number, slots: number, chunks: number): number {
  const perSlot = 3 * 16 + (32 + 64 * 256 + (Math.max(p.outSize, p.colRows) + 8) * 256) * es; // workBytes and more
  const cols = p.colRows * p.outSize * es;
  const w = p.outChannels * p.colRows * es;
  const x = p.batch * p.groups * p.inPerGroup * p.inSize * es;
  const y = p.batch * p.outChannels * p.outSize * es;
  return slots * (perSlot + cols) + chunks * w + x + tableLength(p) * 4 + 2 * w + 2 * y + x + 8 * 16;
}

/** i32s of a plan's window table in memory (assembly/windows.ts): a header, then its runs or index map. */
const tableLength = (p: ConvPlan) => 1 + (p.rows ?? p.index).length;

/**
 * Writes a plan's window table at byte address `at`: outH and the row runs where the plan has
 * them, else 0 and the index map.
 */
function writeTable(p: ConvPlan, at: number): void {
  const heap = heapI32();
  heap[at / 4] = p.rows ? p.outH : 0;
  heap.set(p.rows ?? p.index, at / 4 + 1);
}

/**
 * `convForward`'s contract (../conv.ts) with x, w, y (and the bias) of one float type, every
 * image's im2col and gemm, and the bias, inside WebAssembly; in Node, large batches are shared
 * between the kernel threads, a range of images each. Layout:
 * [(gemm scratch | cols) per thread | x | window table | w | y | bias].
 */
export function convForwardWasm(p: ConvPlan, x: Buf, w: Buf, y: Buf, bias: Buf | null = null): void {
  onThreads(() => convForwardCall(p, x, w, y, bias));
}

function convForwardCall(p: ConvPlan, x: Buf, w: Buf, y: Buf, bias: Buf | null): void {
  const es = y.BYTES_PER_ELEMENT;
  const parts = partsFor(convFlops(p), p.batch);
  const workBytes = align16(reserve(0).workBytes(p.outSize, es));
  const perThread = workBytes + align16(p.colRows * p.outSize * es);
  const xPtr = threadSlots(parts) * perThread;
  const indexPtr = align16(xPtr + x.length * es);
  const wPtr = align16(indexPtr + tableLength(p) * 4);
  const yPtr = align16(wPtr + w.length * es);
  const biasPtr = align16(yPtr + y.length * es);
  const wasm = reserve(biasPtr + (bias ? bias.length * es : 0));
  const heap = heapFloats(es);
  heap.set(x, xPtr / es);
  writeTable(p, indexPtr);
  heap.set(w, wPtr / es);
  const { groups, inPerGroup, inSize, outPerGroup, outSize, kSize } = p;
  // part t: images [t·per, (t+1)·per), with slot 0's scratch (arguments 12, 13), moved by runSplit
  const per = Math.ceil(p.batch / parts);
  const args = (t: number) => {
    const [n0, n1] = [t * per, Math.min(p.batch, (t + 1) * per)];
    return [n0, n1, groups, inPerGroup, inSize, outPerGroup, outSize, kSize, xPtr, indexPtr, wPtr, yPtr].concat([
      workBytes,
      0,
    ]);
  };
  const kernel = es === 8 ? 'convForwardF64' : 'convForwardF32';
  const here = (a: KernelArgs) => wasm[kernel](...(a as Parameters<typeof wasm.convForwardF32>));
  runSplit(kernel, Math.ceil(p.batch / per), args, here, { args: [12, 13], stride: perThread });
  if (bias) {
    heap.set(bias, biasPtr / es);
    (es === 8 ? wasm.addChannelBiasF64 : wasm.addChannelBiasF32)(p.batch, p.outChannels, p.outSize, biasPtr, yPtr);
  }
  y.set(heap.subarray(yPtr / es, yPtr / es + y.length));
}

/**
 * The backward of `convForward` in WebAssembly, with every buffer of one float type: gw += the
 * weight gradient when `gw` is given (as `convBackwardWeight`), gx += the input gradient when `gx`
 * is given (as `convBackwardInput`). In Node, large batches are shared between the kernel threads,
 * a range of images each; the weight gradient is summed in WEIGHT_CHUNKS fixed ranges of images,
 * the first into gw, the others into zeroed partials added to gw in order at the end.
 * Layout: [(gemm scratch | cols) per thread | gw partial per chunk | x | index | w | gy | gw | gx].
 */
export function convBackwardWasm(
  p: ConvPlan,
  gy: Buf,
  weight: { x: Buf; gw: Buf } | null,
  input: { w: Buf; gx: Buf } | null,
): void {
  onThreads(() => convBackwardCall(p, gy, weight, input));
}

/** Parts of a convolution's backward: WEIGHT_CHUNKS fixed ranges with a weight gradient, else as threads allow. */
export function backwardParts(p: ConvPlan, weight: boolean): number {
  if (weight) return convFlops(p) >= WEIGHT_CHUNKS_MIN_FLOPS ? Math.min(p.batch, WEIGHT_CHUNKS) : 1;
  return partsFor(convFlops(p), p.batch);
}

function convBackwardCall(
  p: ConvPlan,
  gy: Buf,
  weight: { x: Buf; gw: Buf } | null,
  input: { w: Buf; gx: Buf } | null,
): void {
  const es = gy.BYTES_PER_ELEMENT;
  const [x, gw] = weight ? [weight.x, weight.gw] : [null, null];
  const [w, gx] = input ? [input.w, input.gx] : [null, null];
  const wLength = p.outChannels * p.colRows;
  const parts = backwardParts(p, gw !== null);
  // the weight gradient's ranges are fixed (its summation order); whether threads take them is not
  const share = parts > 1 && (gw === null || partsFor(convFlops(p), p.batch) > 1);
  const per = Math.ceil(p.batch / parts);
  const blocks = Math.ceil(p.batch / per);
  const workBytes = align16(reserve(0).workBytes(Math.max(p.outSize, p.colRows), es));
  const colsBytes = align16(p.colRows * p.outSize * es);
  const gwBytes = align16(wLength * es);
  const perThread = workBytes + colsBytes;
  const partials = threadSlots(blocks) * perThread;
  const xPtr = partials + (gw ? blocks : 0) * gwBytes;
  const indexPtr = align16(xPtr + (x ? x.length : 0) * es);
  const wPtr = align16(indexPtr + tableLength(p) * 4);
  const gyPtr = align16(wPtr + wLength * es);
  const gwPtr = align16(gyPtr + gy.length * es);
  const gxPtr = align16(gwPtr + wLength * es);
  const wasm = reserve(gxPtr + (gx ? gx.length : 0) * es);
  const heap = heapFloats(es);
  if (x) heap.set(x, xPtr / es);
  writeTable(p, indexPtr);
  if (w) heap.set(w, wPtr / es);
  heap.set(gy, gyPtr / es);
  if (gw) heap.set(gw, gwPtr / es);
  if (gx) heap.set(gx, gxPtr / es);
  const { groups, inPerGroup, inSize, outPerGroup, outSize, kSize } = p;
  // part t: images [t·per, (t+1)·per); part 0 sums into gw itself, part t > 0 into its zeroed
  // partial; the scratch (arguments 14, 15) is slot 0's, moved to each thread's own by runSplit
  const gwTarget = (t: number) => (t === 0 ? gwPtr : partials + t * gwBytes);
  if (gw) heap.fill(0, (partials + gwBytes) / es, (partials + blocks * gwBytes) / es);
  const args = (t: number) =>
    [t * per, Math.min(p.batch, (t + 1) * per), groups, inPerGroup, inSize, outPerGroup, outSize, kSize].concat([
      xPtr,
      indexPtr,
      wPtr,
      gyPtr,
      gw ? gwTarget(t) : 0,
      gx ? gxPtr : 0,
      workBytes,
      0,
    ]);
  const kernel = es === 8 ? 'convBackwardF64' : 'convBackwardF32';
  const here = (a: KernelArgs) => wasm[kernel](...(a as Parameters<typeof wasm.convBackwardF32>));
  runSplit(kernel, blocks, args, here, { args: [14, 15], stride: perThread }, share);
  if (gw) {
    for (let t = 1; t < blocks; t++) {
      const part = gwTarget(t) / es;
      for (let i = 0; i < wLength; i++)
        heap[gwPtr / es + i] = (heap[gwPtr / es + i] as number) + (heap[part + i] as number);
    }
    gw.set(heap.subarray(gwPtr / es, gwPtr / es + wLength));
  }
  if (gx) gx.set(heap.subarray(gxPtr / es, gxPtr / es + gx.length));
}

/** `addChannelBias`'s contract (../conv.ts) with bias and y of one float type. */
export function addChannelBiasWasm(batch: number, channels: number, inner: number, bias: Buf, y: Buf): void {
  const es = y.BYTES_PER_ELEMENT;
  const biasPtr = align16(y.length * es);
  const wasm = reserve(biasPtr + channels * es);
  const heap = heapFloats(es);
  heap.set(y, 0);
  heap.set(bias.subarray(0, channels), biasPtr / es);
  (es === 8 ? wasm.addChannelBiasF64 : wasm.addChannelBiasF32)(batch, channels, inner, biasPtr, 0);
  y.set(heap.subarray(0, y.length));
}

/** `sumChannels`'s contract (../conv.ts) with gy and gb of one float type. */
export function sumChannelsWasm(
  batch: number,
  channels: number,
  inner: number,
  gy: Buf,
  gb: Buf,
  accumulate: boolean,
): void {
  const es = gy.BYTES_PER_ELEMENT;
  const gbPtr = align16(gy.length * es);
  const wasm = reserve(gbPtr + channels * es);
  const heap = heapFloats(es);
  heap.set(gy, 0);
  if (accumulate) heap.set(gb.subarray(0, channels), gbPtr / es);
  (es === 8 ? wasm.sumChannelsF64 : wasm.sumChannelsF32)(batch, channels, inner, 0, gbPtr, accumulate ? 1 : 0);
  gb.set(heap.subarray(gbPtr / es, gbPtr / es + channels));
}

/**
 * `maxPool`'s contract (../conv.ts) with x and y of one float type; a float32 2×2 stride-2 pool
 * without padding, at least four windows wide, takes the kernel that needs no index map. Layout: [x | index | y | arg].
 */
export function maxPoolWasm(p: PoolPlan, x: Buf, y: Buf, arg: Int32Array | null): void {
  const es = x.BYTES_PER_ELEMENT;
  const indexPtr = align16(x.length * es);
  const yPtr = align16(indexPtr + p.index.length * 4);
  const argPtr = align16(yPtr + y.length * es);
  const wasm = reserve(argPtr + y.length * 4);
  const heap = heapFloats(es);
  heap.set(x, 0);
  if (p.twoByTwo && es === 4 && p.outW >= 4)
    wasm.maxPool2x2F32(p.planes, p.inH, p.inW, p.outH, p.outW, 0, yPtr, argPtr);
  else {
    heapI32().set(p.index, indexPtr / 4);
    (es === 8 ? wasm.maxPoolF64 : wasm.maxPoolF32)(p.planes, p.inSize, p.outSize, p.kSize, indexPtr, 0, yPtr, argPtr);
  }
  y.set(heap.subarray(yPtr / es, yPtr / es + y.length));
  // the kernel always writes the argmax in memory; it is copied out only when asked for
  arg?.set(heapI32().subarray(argPtr / 4, argPtr / 4 + arg.length));
}

/**
 * `maxPoolBackward`'s contract (../conv.ts) with gy and gx of one float type; without `accumulate`
 * gx starts from zeros in memory instead of being copied in. Layout: [gx | gy | arg].
 */
export function maxPoolBackwardWasm(arg: Int32Array, gy: Buf, gx: Buf, accumulate = true): void {
  const es = gx.BYTES_PER_ELEMENT;
  const gyPtr = align16(gx.length * es);
  const argPtr = align16(gyPtr + gy.length * es);
  const wasm = reserve(argPtr + arg.length * 4);
  const heap = heapFloats(es);
  if (accumulate) heap.set(gx, 0);
  else heap.fill(0, 0, gx.length);
  heap.set(gy.subarray(0, arg.length), gyPtr / es);
  heapI32().set(arg, argPtr / 4);
  (es === 8 ? wasm.maxPoolBackwardF64 : wasm.maxPoolBackwardF32)(arg.length, argPtr, gyPtr, 0);
  gx.set(heap.subarray(0, gx.length));
}
