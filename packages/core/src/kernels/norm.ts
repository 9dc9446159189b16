// Kernels of layer normalisation (ops/norm.ts) over rows of d contiguous elements: the row's mean
// and 1/√(var + ε) in float64, saved in `stats` (2 per row) for the backward, which reads them to
// rebuild x̂ = (x − μ)·rstd rather than keep a second copy of the input.
import type { Buf } from './index';

/**
 * y = (x − μ)·rstd·w + b per row, μ and the biased variance over the row's d elements (two
 * passes: the centred sum of squares, stabler than E[x²] − μ²); w and b, of length d, optional.
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
