// kernels/wasm: ReLU, the float32 sigmoid, tanh, GELU and LSTM cell, and the bias's column sums through the WebAssembly SIMD kernels
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

/** `lstmCell`'s contract (../recurrent.ts) for float32 buffers (assembly/transcendental.ts). */
export function lstmCellWasm(
  rows: number,
  hidden: number,
  gi: Float32Array,
  gh: Float32Array,
  c: Float32Array,
  act: Float32Array | null,
  cNext: Float32Array,
  h: Float32Array,
): void {
  // gi, gh (rows·4H), c (rows·H) copied in; cNext, h (rows·H) and act (rows·5H, the kernel's
  // working space) written, act copied out only when wanted
  const sizes = [gi.length, gh.length, c.length, cNext.length, h.length, 5 * rows * hidden];
  const ptrs: number[] = [];
  let bytes = 0;
  for (const n of sizes) {
    ptrs.push(bytes);
    bytes += align16(n * 4);
  }
  const wasm = reserve(bytes);
  const heap = heapFloats(4);
  const [pgi = 0, pgh = 0, pc = 0, pcn = 0, ph = 0, pact = 0] = ptrs;
  heap.set(gi, pgi / 4);
  heap.set(gh, pgh / 4);
  heap.set(c, pc / 4);
  wasm.lstmCellF32(rows, hidden, pgi, pgh, pc, pact, pcn, ph);
  copyOut(act ? [cNext, h, act] : [cNext, h], [pcn, ph, pact]);
}
