// kernels/wasm: layer normalisation's float32 kernels (assembly/norm.ts) with their buffers laid
// out in WebAssembly memory, copied in and the results copied back.
import { align16, heapFloats } from './copy';
import { heapF64, reserve } from './runtime';

/** Lays out buffers of the given byte sizes one after another, 16-byte aligned: their addresses and the total. */
function layout(bytes: readonly number[]): [number[], number] {
  let at = 0;
  const ptrs = bytes.map((n) => {
    const p = at;
    at += align16(n);
    return p;
  });
  return [ptrs, at];
}

/** `layerNorm`'s contract (../norm.ts) for float32 x, w, b and y. */
export function layerNormWasm(
  rows: number,
  d: number,
  eps: number,
  x: Float32Array,
  w: Float32Array | null,
  b: Float32Array | null,
  y: Float32Array,
  stats: Float64Array,
): void {
  const n = rows * d;
  const [[px = 0, pw = 0, pb = 0, py = 0, ps = 0], total] = layout([
    4 * n,
    w ? 4 * d : 0,
    b ? 4 * d : 0,
    4 * n,
    16 * rows,
  ]);
  const wasm = reserve(total);
  const heap = heapFloats(4);
  heap.set(x.subarray(0, n), px / 4);
  if (w) heap.set(w.subarray(0, d), pw / 4);
  if (b) heap.set(b.subarray(0, d), pb / 4);
  wasm.layerNormF32(rows, d, eps, px, pw, w ? 1 : 0, pb, b ? 1 : 0, py, ps);
  y.set(heapFloats(4).subarray(py / 4, py / 4 + n));
  stats.set(heapF64().subarray(ps / 8, ps / 8 + 2 * rows));
}

/** `layerNormBackward`'s contract (../norm.ts) for float32 buffers (stats float64). */
export function layerNormBackwardWasm(
  rows: number,
  d: number,
  x: Float32Array,
  w: Float32Array | null,
  stats: Float64Array,
  gy: Float32Array,
  gx: Float32Array | null,
  gw: Float32Array | null,
  gb: Float32Array | null,
): void {
  const n = rows * d;
  const [[px = 0, pw = 0, ps = 0, pgy = 0, pgx = 0, pgw = 0, pgb = 0], total] = layout([
    4 * n,
    w ? 4 * d : 0,
    16 * rows,
    4 * n,
    gx ? 4 * n : 0,
    gw ? 4 * d : 0,
    gb ? 4 * d : 0,
  ]);
  const wasm = reserve(total);
  const heap = heapFloats(4);
  heap.set(x.subarray(0, n), px / 4);
  if (w) heap.set(w.subarray(0, d), pw / 4);
  heapF64().set(stats.subarray(0, 2 * rows), ps / 8);
  heap.set(gy.subarray(0, n), pgy / 4);
  if (gx) heap.set(gx.subarray(0, n), pgx / 4);
  if (gw) heap.set(gw.subarray(0, d), pgw / 4);
  if (gb) heap.set(gb.subarray(0, d), pgb / 4);
  wasm.layerNormBackwardF32(rows, d, px, pw, w ? 1 : 0, ps, pgy, pgx, gx ? 1 : 0, pgw, gw ? 1 : 0, pgb, gb ? 1 : 0);
  const out = heapFloats(4);
  if (gx) gx.set(out.subarray(pgx / 4, pgx / 4 + n));
  if (gw) gw.set(out.subarray(pgw / 4, pgw / 4 + d));
  if (gb) gb.set(out.subarray(pgb / 4, pgb / 4 + d));
}
