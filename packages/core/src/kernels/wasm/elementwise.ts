// kernels/wasm: ReLU through the WebAssembly SIMD kernels (assembly/elementwise.ts), with its
// buffers copied in and out (wasm/copy.ts).
import type { Buf } from '../index';
import { copyIn, copyOut } from './copy';

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
