// WebAssembly SIMD transcendental kernels (AssemblyScript): float32 sigmoid, tanh, and GELU forward
// and backward (the backward of sigmoid and tanh reads y: no transcendental, it stays in JavaScript).
// Each pair of float32 elements is widened to f64x2 and computed in float64 arithmetic, so that the
// result is the one the JavaScript reference (src/kernels/unary.ts normalCdf32) computes: Φ from
// Numerical Recipes' erfc fit (relative error ≤ 1.2e-7) and e^a from a range-reduced polynomial
// (relative error ≤ 3e-10), then rounded once to float32. V8's Math.exp costs ~8 ns an element;
// this runs both exps and the fit in a few.

/**
 * e^a for a ≤ 0 lane-wise: a = n·ln2 + r, |r| ≤ ln2/2, e^r by Taylor to r⁹ (error < 3e-10), times 2ⁿ; 0 below
 * −708 (and for −∞, as Math.exp: then x·φ(x) at x = ±∞ is NaN, as in the TypeScript loop and PyTorch).
 */
@inline
function exp2x(a: v128): v128 {
  const x = f64x2.max(a, f64x2.splat(-708)); // 2ⁿ stays a normal double
  // n = nearest(x·log2 e) by adding 1.5·2⁵²: the sum's low mantissa bits then hold n itself
  const shifter = f64x2.splat(6755399441055744.0);
  const kd = f64x2.add(f64x2.mul(x, f64x2.splat(1.4426950408889634)), shifter);
  const n = f64x2.sub(kd, shifter);
  // r = x − n·ln2 with ln2 split in two, so that n·ln2_hi is exact
  let r = f64x2.sub(x, f64x2.mul(n, f64x2.splat(0.6931471803691238)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(1.9082149292705877e-10)));
  // Σ rᵏ/k! for k ≤ 9 by Estrin's scheme (pairs, then powers r², r⁴, r⁸): four dependent steps
  // instead of Horner's ten, so the lanes' latency chain is short (this loop is latency-bound)
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const q01 = f64x2.add(f64x2.splat(1), r);
  const q23 = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, f64x2.splat(1.0 / 6)));
  const q45 = f64x2.add(f64x2.splat(1.0 / 24), f64x2.mul(r, f64x2.splat(1.0 / 120)));
  const q67 = f64x2.add(f64x2.splat(1.0 / 720), f64x2.mul(r, f64x2.splat(1.0 / 5040)));
  const q89 = f64x2.add(f64x2.splat(1.0 / 40320), f64x2.mul(r, f64x2.splat(1.0 / 362880)));
  const low = f64x2.add(q01, f64x2.mul(r2, q23));
  const high = f64x2.add(q45, f64x2.mul(r2, q67));
  const p = f64x2.add(f64x2.add(low, f64x2.mul(r4, high)), f64x2.mul(f64x2.mul(r4, r4), q89));
  // 2ⁿ: the exponent field n + 1023 (in 1..1023 here), shifted into place; the shift drops kd's own
  // exponent and the high mantissa bits
  const bits = i64x2.shl(i64x2.add(kd, i64x2.splat(1023)), 52);
  return v128.bitselect(f64x2.splat(0), f64x2.mul(p, bits), f64x2.lt(a, f64x2.splat(-708)));
}

/** Φ(v) lane-wise: ½·erfc(|v|/√2) for v < 0, 1 − that for v ≥ 0 (normalCdf32 in ../src/kernels/unary.ts). */
@inline
function normalCdf2x(v: v128): v128 {
  const z = f64x2.mul(f64x2.abs(v), f64x2.splat(0.7071067811865476));
  const t = f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), f64x2.mul(f64x2.splat(0.5), z)));
  // the fit's degree-9 polynomial in t, by Estrin's scheme as in exp2x
  const t2 = f64x2.mul(t, t);
  const t4 = f64x2.mul(t2, t2);
  const c01 = f64x2.add(f64x2.splat(-1.26551223), f64x2.mul(t, f64x2.splat(1.00002368)));
  const c23 = f64x2.add(f64x2.splat(0.37409196), f64x2.mul(t, f64x2.splat(0.09678418)));
  const c45 = f64x2.add(f64x2.splat(-0.18628806), f64x2.mul(t, f64x2.splat(0.27886807)));
  const c67 = f64x2.add(f64x2.splat(-1.13520398), f64x2.mul(t, f64x2.splat(1.48851587)));
  const c89 = f64x2.add(f64x2.splat(-0.82215223), f64x2.mul(t, f64x2.splat(0.17087277)));
  const low = f64x2.add(c01, f64x2.mul(t2, c23));
  const high = f64x2.add(c45, f64x2.mul(t2, c67));
  const p = f64x2.add(f64x2.add(low, f64x2.mul(t4, high)), f64x2.mul(f64x2.mul(t4, t4), c89));
  const half = f64x2.mul(f64x2.mul(f64x2.splat(0.5), t), exp2x(f64x2.sub(p, f64x2.mul(z, z))));
  return v128.bitselect(half, f64x2.sub(f64x2.splat(1), half), f64x2.lt(v, f64x2.splat(0)));
}

/** σ(v) lane-wise: 1/(1 + e^−v) for v ≥ 0 and e^v/(1 + e^v) for v < 0, as the TypeScript loop (no overflow). */
@inline
function sigmoid2x(v: v128): v128 {
  const e = exp2x(f64x2.neg(f64x2.abs(v))); // e^−|v| ≤ 1
  const r = f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), e));
  return v128.bitselect(f64x2.mul(e, r), r, f64x2.lt(v, f64x2.splat(0)));
}

/**
 * tanh(v) lane-wise: sign(v)·(1 − e)/(1 + e) with e = e^−2|v| ≤ 1 (the cancellation in 1 − e costs
 * at most 1e-12 relative from |v| = 1e-4 up); below that, v(1 − v²/3) (relative error < 4e-9).
 */
@inline
function tanh2x(v: v128): v128 {
  const a = f64x2.abs(v);
  const e = exp2x(f64x2.mul(f64x2.splat(-2), a));
  const t = f64x2.div(f64x2.sub(f64x2.splat(1), e), f64x2.add(f64x2.splat(1), e));
  const big = v128.or(t, v128.and(v, f64x2.splat(-0.0))); // the sign of v on |tanh v|
  const small = f64x2.mul(v, f64x2.sub(f64x2.splat(1), f64x2.mul(f64x2.mul(v, v), f64x2.splat(1.0 / 3))));
  return v128.bitselect(small, big, f64x2.lt(a, f64x2.splat(1e-4)));
}

// The loops below are written out per function: a function passed as an argument would be an
// indirect call through a table, which this module (no runtime) does not set up.

/** y = σ(x), float32 widened to float64 lanes and rounded once, n elements (an odd last one too). */
export function sigmoidF32(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i += 2) {
    const o = <usize>i << 2;
    const pair = i + 2 <= n;
    const out = f32x4.demote_f64x2_zero(
      sigmoid2x(f64x2.promote_low_f32x4(pair ? v128.load64_zero(x + o) : v128.load32_zero(x + o))),
    );
    if (pair) v128.store64_lane(y + o, out, 0);
    else v128.store32_lane(y + o, out, 0);
  }
}

/** y = tanh(x), as sigmoidF32. */
export function tanhF32(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i += 2) {
    const o = <usize>i << 2;
    const pair = i + 2 <= n;
    const out = f32x4.demote_f64x2_zero(
      tanh2x(f64x2.promote_low_f32x4(pair ? v128.load64_zero(x + o) : v128.load32_zero(x + o))),
    );
    if (pair) v128.store64_lane(y + o, out, 0);
    else v128.store32_lane(y + o, out, 0);
  }
}

/** y = x·Φ(x), float32, n elements (a last odd element through the same lanes). */
export function geluF32(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i += 2) {
    const o = <usize>i << 2;
    const v = f64x2.promote_low_f32x4(i + 2 <= n ? v128.load64_zero(x + o) : v128.load32_zero(x + o));
    const out = f32x4.demote_f64x2_zero(f64x2.mul(v, normalCdf2x(v)));
    if (i + 2 <= n) v128.store64_lane(y + o, out, 0);
    else v128.store32_lane(y + o, out, 0);
  }
}

/** gx += gy·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π), float32, n elements. */
export function geluBackwardF32(n: i32, x: usize, gy: usize, gx: usize): void {
  for (let i = 0; i < n; i += 2) {
    const o = <usize>i << 2;
    const pair = i + 2 <= n;
    const v = f64x2.promote_low_f32x4(pair ? v128.load64_zero(x + o) : v128.load32_zero(x + o));
    const g = f64x2.promote_low_f32x4(pair ? v128.load64_zero(gy + o) : v128.load32_zero(gy + o));
    const acc = f64x2.promote_low_f32x4(pair ? v128.load64_zero(gx + o) : v128.load32_zero(gx + o));
    const pdf = f64x2.mul(exp2x(f64x2.mul(f64x2.splat(-0.5), f64x2.mul(v, v))), f64x2.splat(0.3989422804014327));
    const d = f64x2.add(normalCdf2x(v), f64x2.mul(v, pdf));
    // as the JavaScript loop: gx + gy·d in float64, rounded once to float32
    const add = f32x4.demote_f64x2_zero(f64x2.add(acc, f64x2.mul(g, d)));
    if (pair) v128.store64_lane(gx + o, add, 0);
    else v128.store32_lane(gx + o, add, 0);
  }
}
