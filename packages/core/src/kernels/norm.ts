// Kernels of layer normalisation (ops/norm.ts) over rows of d contiguous elements: the row's mean
// and 1/√(var + ε) in float64, saved in `stats` (2 per row) for the backward, which reads them to
// rebuild x̂ = (x − μ)·rstd rather than keep a second copy of the input.
import { elementwiseInWasm } from './dispatch';
import type { Buf } from './index';
import { layerNormBackwardWasm, layerNormWasm } from './wasm/norm';

/** Whether every buffer given is float32 (the WebAssembly kernels' type; float64 stays here). */
const allF32 = (...bufs: (Buf | null)[]): boolean => bufs.every((b) => b === null || b instanceof Float32Array);

/**
 * y = (x − μ)·rstd·w + b per row, μ and the biased variance over the row's d elements (two
 * passes: the centred sum of squares, stabler than E[x²] − μ²); w and b, of length d, optional.
 * Float32 from WASM_MIN_ELEMENTWISE elements in WebAssembly SIMD (float64 lanes, as here).
 */
export function layerNorm(
  rows: number,
  d: number,
  eps: number,
  x: Buf,
  w: Buf | null,
  b: Buf | null,
  y: Buf,
  stats: Float64Array,
): void {
  if (allF32(x, w, b, y) && elementwiseInWasm(rows * d, x, y)) {
    const f = (v: Buf | null) => v as Float32Array | null;
    layerNormWasm(rows, d, eps, x as Float32Array, f(w), f(b), y as Float32Array, stats);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += x[o + j]!;
    const mu = s / d;
    let q = 0;
    for (let j = 0; j < d; j++) {
      const c = x[o + j]! - mu;
      q += c * c;
    }
    const rstd = 1 / Math.sqrt(q / d + eps);
    stats[2 * r] = mu;
    stats[2 * r + 1] = rstd;
    // the affine parts as separate loops: no per-element test for a missing w or b
    if (w !== null && b !== null) for (let j = 0; j < d; j++) y[o + j] = (x[o + j]! - mu) * rstd * w[j]! + b[j]!;
    else if (w !== null) for (let j = 0; j < d; j++) y[o + j] = (x[o + j]! - mu) * rstd * w[j]!;
    else for (let j = 0; j < d; j++) y[o + j] = (x[o + j]! - mu) * rstd + (b === null ? 0 : b[j]!);
  }
}

/**
 * The backward, given gy: with ĝ = gy·w (gy without w), per row
 * gx += rstd·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)), and over rows gw += gy·x̂, gb += gy; each when given.
 * Float32 in WebAssembly SIMD as the forward.
 */
export function layerNormBackward(
  rows: number,
  d: number,
  x: Buf,
  w: Buf | null,
  stats: Float64Array,
  gy: Buf,
  gx: Buf | null,
  gw: Buf | null,
  gb: Buf | null,
): void {
  if (allF32(x, w, gy, gx, gw, gb) && elementwiseInWasm(rows * d, x as Float32Array, gy as Float32Array)) {
    const f = (b: Buf | null) => b as Float32Array | null;
    layerNormBackwardWasm(rows, d, x as Float32Array, f(w), stats, gy as Float32Array, f(gx), f(gw), f(gb));
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    const mu = stats[2 * r]!;
    const rstd = stats[2 * r + 1]!;
    if (gx !== null) {
      let sg = 0;
      let sgx = 0;
      for (let j = 0; j < d; j++) {
        const g = w === null ? gy[o + j]! : gy[o + j]! * w[j]!;
        sg += g;
        sgx += g * (x[o + j]! - mu) * rstd;
      }
      const mg = sg / d;
      const mgx = sgx / d;
      for (let j = 0; j < d; j++) {
        const g = w === null ? gy[o + j]! : gy[o + j]! * w[j]!;
        gx[o + j]! += rstd * (g - mg - (x[o + j]! - mu) * rstd * mgx);
      }
    }
    if (gw !== null) for (let j = 0; j < d; j++) gw[j]! += gy[o + j]! * (x[o + j]! - mu) * rstd;
    if (gb !== null) for (let j = 0; j < d; j++) gb[j]! += gy[o + j]!;
  }
}
