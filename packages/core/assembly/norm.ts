// WebAssembly SIMD layer normalisation for float32 (src/kernels/norm.ts is the reference): pairs of
// float32 widened to f64x2, so that the row statistics and every result are computed in float64
// as the TypeScript loops compute them, and rounded once. Rows of d elements; stats holds μ and
// rstd = 1/√(σ² + ε) per row as float64.

import { load2, store2 } from './lanes';

/** y = (x − μ)·rstd·w + b per row (w, b read only when hasW, hasB), stats written. */
export function layerNormF32(
  rows: i32,
  d: i32,
  eps: f64,
  x: usize,
  w: usize,
  hasW: i32,
  b: usize,
  hasB: i32,
  y: usize,
  stats: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>d) << 2);
    const out = y + ((<usize>r * <usize>d) << 2);
    let s = f64x2.splat(0);
    for (let j = 0; j < d; j += 2) s = f64x2.add(s, load2(row + (<usize>j << 2), j + 2 <= d));
    const mu = (f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1)) / <f64>d;
    const m = f64x2.splat(mu);
    let q = f64x2.splat(0);
    for (let j = 0; j < d; j += 2) {
      const pair = j + 2 <= d;
      const c = pair ? f64x2.sub(load2(row + (<usize>j << 2), true), m) : f64x2.sub(load2(row + (<usize>j << 2), false), f64x2.replace_lane(m, 1, 0));
      q = f64x2.add(q, f64x2.mul(c, c));
    }
    const rstd = 1 / Math.sqrt((f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1)) / <f64>d + eps);
    store<f64>(stats + ((<usize>r) << 4), mu);
    store<f64>(stats + ((<usize>r) << 4) + 8, rstd);
    const rs = f64x2.splat(rstd);
    for (let j = 0; j < d; j += 2) {
      const pair = j + 2 <= d;
      const o = <usize>j << 2;
      let v = f64x2.mul(f64x2.sub(load2(row + o, pair), m), rs);
      if (hasW) v = f64x2.mul(v, load2(w + o, pair));
      if (hasB) v = f64x2.add(v, load2(b + o, pair));
      store2(out + o, v, pair);
    }
  }
}

/**
 * The backward (layerNormBackward): with ĝ = gy·w, gx += rstd·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)) per row,
 * gw += gy·x̂ and gb += gy over rows; each only when its flag is set.
 */
export function layerNormBackwardF32(
  rows: i32,
  d: i32,
  x: usize,
  w: usize,
  hasW: i32,
  stats: usize,
  gy: usize,
  gx: usize,
  hasGx: i32,
  gw: usize,
  hasGw: i32,
  gb: usize,
  hasGb: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>d) << 2;
    const mu = f64x2.splat(load<f64>(stats + ((<usize>r) << 4)));
    const rs = f64x2.splat(load<f64>(stats + ((<usize>r) << 4) + 8));
    if (hasGx) {
      let sg = f64x2.splat(0);
      let sgx = f64x2.splat(0);
      for (let j = 0; j < d; j += 2) {
        const pair = j + 2 <= d;
        const o = <usize>j << 2;
        let g = load2(gy + off + o, pair);
        if (hasW) g = f64x2.mul(g, load2(w + o, pair));
        sg = f64x2.add(sg, g);
        // an odd last element loads as (v, 0): its second lane's x̂ is −μ·rstd, but g is 0 there
        sgx = f64x2.add(sgx, f64x2.mul(g, f64x2.mul(f64x2.sub(load2(x + off + o, pair), mu), rs)));
      }
      const mg = f64x2.splat((f64x2.extract_lane(sg, 0) + f64x2.extract_lane(sg, 1)) / <f64>d);
      const mgx = f64x2.splat((f64x2.extract_lane(sgx, 0) + f64x2.extract_lane(sgx, 1)) / <f64>d);
      for (let j = 0; j < d; j += 2) {
        const pair = j + 2 <= d;
        const o = <usize>j << 2;
        let g = load2(gy + off + o, pair);
        if (hasW) g = f64x2.mul(g, load2(w + o, pair));
        const xhat = f64x2.mul(f64x2.sub(load2(x + off + o, pair), mu), rs);
        const t = f64x2.mul(rs, f64x2.sub(f64x2.sub(g, mg), f64x2.mul(xhat, mgx)));
        store2(gx + off + o, f64x2.add(load2(gx + off + o, pair), t), pair);
      }
    }
    for (let j = 0; j < d && (hasGw || hasGb); j += 2) {
      const pair = j + 2 <= d;
      const o = <usize>j << 2;
      const g = load2(gy + off + o, pair);
      if (hasGw) {
        const xhat = f64x2.mul(f64x2.sub(load2(x + off + o, pair), mu), rs);
        store2(gw + o, f64x2.add(load2(gw + o, pair), f64x2.mul(g, xhat)), pair);
      }
      if (hasGb) store2(gb + o, f64x2.add(load2(gb + o, pair), g), pair);
    }
  }
}
