// kernels/wasm: lays buffers out in WebAssembly memory and copies them in and back: the helpers
// of every wrapper, and the whole layout of the elementwise and update kernels.
import type { Buf } from '../index';
import type { WasmKernels } from './exports';
import { heapF32, heapF64, reserve } from './runtime';

/** `bytes` rounded up to a multiple of 16: every buffer laid out in memory starts 16-byte aligned. */
export const align16 = (bytes: number) => (bytes + 15) & ~15;

/** The float view of memory for elements of `es` bytes (8: float64, 4: float32). */
export const heapFloats = (es: number): Float32Array | Float64Array => (es === 8 ? heapF64() : heapF32());

/**
 * Lays `bufs` (one float type, equal lengths) out in memory, 16-byte aligned, and copies in the
 * first `copied` of them (the others are outputs); returns the kernels and the addresses.
 */
export function copyIn(bufs: readonly Buf[], copied = bufs.length): [WasmKernels, number[]] {
  const es = (bufs[0] as Buf).BYTES_PER_ELEMENT;
  const stride = align16((bufs[0] as Buf).length * es);
  const wasm = reserve(stride * bufs.length);
  const heap = heapFloats(es);
  const ptrs = bufs.map((b, i) => {
    if (i < copied) heap.set(b, (i * stride) / es);
    return i * stride;
  });
  return [wasm, ptrs];
}

/** Copies memory at `ptrs[i]` back into `bufs[i]` for each i. */
export function copyOut(bufs: readonly Buf[], ptrs: readonly number[]): void {
  const es = (bufs[0] as Buf).BYTES_PER_ELEMENT;
  const heap = heapFloats(es);
  bufs.forEach((b, i) => {
    const at = (ptrs[i] as number) / es;
    b.set(heap.subarray(at, at + b.length));
  });
}
