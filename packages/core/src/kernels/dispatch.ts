// When a kernel takes the WebAssembly path: the float-type and size tests shared by the
// dispatching kernels (gemm has its own size rule, in flops).
import type { Buf } from './index';
import { fitsWasm, useWasm } from './wasm/runtime';

/** Elements from which an elementwise kernel (ReLU, bias sums) runs in WebAssembly. */
export const WASM_MIN_ELEMENTWISE = 1024;

/** Whether a, b and c are all Float32Array or all Float64Array (the WebAssembly kernels' types). */
export function sameFloatType(a: Buf, b: Buf, c: Buf): boolean {
  if (c instanceof Float32Array) return a instanceof Float32Array && b instanceof Float32Array;
  return c instanceof Float64Array && a instanceof Float64Array && b instanceof Float64Array;
}

/**
 * Whether an elementwise kernel over `size` elements of `bufs` takes the WebAssembly path: one
 * float type, at least WASM_MIN_ELEMENTWISE elements, and buffers that fit in WebAssembly memory.
 */
export function elementwiseInWasm(size: number, ...bufs: Buf[]): boolean {
  if (size < WASM_MIN_ELEMENTWISE || !useWasm()) return false;
  const one = bufs.every((b) => b instanceof Float32Array) || bufs.every((b) => b instanceof Float64Array);
  return one && fitsWasm(bufs.reduce((bytes, b) => bytes + b.byteLength + 16, 0));
}
