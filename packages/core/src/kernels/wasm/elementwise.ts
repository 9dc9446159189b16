// kernels/wasm: ReLU, the float32 sigmoid, tanh and GELU, and the bias's column sums through the WebAssembly SIMD kernels
// (assembly/elementwise.ts), with their buffers copied in and out.
import type { Buf } from '../index';
import { align16, copyIn, copyOut, heapFloats } from './copy';
import { reserve } from './runtime';

/** `relu`'s contract (../unary.ts) with x and y of one float type. */
export function reluWasm(x: Buf, y: Buf): void {
  const [wasm, [px = 0, py = 0]] = copyIn([x, y], 1);
  (x instanceof Float64Array ? wasm.reluF64 : wasm.reluF32)(x.length, px, py);
  copyOut([y], [py]);
}

/** `reluBackward`'s contract (../unary.ts) with x, gy and gx of one float type. */
export function reluBackwardWasm(x: Buf, gy: Buf, gx: Buf, accumulate: boolean): void {
  const [wasm, [px = 0, pg = 0, pgx = 0]] = accumulate ? copyIn([x, gy, gx]) : copyIn([x, gy, gx], 2);
  (x instanceof Float64Array ? wasm.reluBackwardF64 : wasm.reluBackwardF32)(x.length, px, pg, pgx, accumulate ? 1 : 0);
  copyOut([gx], [pgx]);
}

/** `sigmoid`'s or `tanh`'s contract (../unary.ts) for float32 x and y (assembly/transcendental.ts). */
export function unaryWasm(op: 'sigmoid' | 'tanh', x: Float32Array, y: Float32Array): void {
  const [wasm, [px = 0, py = 0]] = copyIn([x, y], 1);
  (op === 'sigmoid' ? wasm.sigmoidF32 : wasm.tanhF32)(x.length, px, py);
  copyOut([y], [py]);
}

/** `gelu`'s contract (../unary.ts) for float32 x and y (assembly/transcendental.ts). */
export function geluWasm(x: Float32Array, y: Float32Array): void {
  const [wasm, [px = 0, py = 0]] = copyIn([x, y], 1);
  wasm.geluF32(x.length, px, py);
  copyOut([y], [py]);
}

/** `geluBackward`'s contract (../unary.ts) for float32 x, gy and gx. */
export function geluBackwardWasm(x: Float32Array, gy: Float32Array, gx: Float32Array): void {
  const [wasm, [px = 0, pg = 0, pgx = 0]] = copyIn([x, gy, gx]);
  wasm.geluBackwardF32(x.length, px, pg, pgx);
  copyOut([gx], [pgx]);
}

/** `sumRows`'s contract (../reduce.ts) with x and out of one float type. */
export function sumRowsWasm(rows: number, n: number, x: Buf, out: Buf, accumulate: boolean): void {
  const es = x.BYTES_PER_ELEMENT;
  const outPtr = align16(rows * n * es);
  const wasm = reserve(outPtr + n * es);
  const heap = heapFloats(es);
  heap.set(x.subarray(0, rows * n), 0);
  if (accumulate) heap.set(out.subarray(0, n), outPtr / es);
  (es === 8 ? wasm.sumRowsF64 : wasm.sumRowsF32)(rows, n, 0, outPtr, accumulate ? 1 : 0);
  out.set(heap.subarray(outPtr / es, outPtr / es + n));
}
