// The fused LSTM cell step for float32 in WebAssembly SIMD (src/kernels/recurrent.ts lstmCell is
// the reference), four float32 lanes at a time: σ and tanh from a float32 exp (range reduction by
// ln 2 in two parts, degree-7 Taylor polynomial: within 2 ulp), tanh near 0 from its Taylor
// series. Each activation is within a few float32 ulp of the exactly rounded value; the gate sums,
// c' = f·c + i·g and h = o·tanh(c') are rounded as the composite of elementwise ops rounds them.

/** n ≤ 4 float32 at p (the lanes past n are 0). */
@inline
function loadN(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  if (n == 3) return v128.load32_lane(p + 8, v128.load64_zero(p), 2);
  return n == 2 ? v128.load64_zero(p) : v128.load32_zero(p);
}

/** Stores the first n ≤ 4 lanes of v at p. */
@inline
function storeN(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v);
  else if (n == 1) v128.store32_lane(p, v, 0);
  else {
    v128.store64_lane(p, v, 0);
    if (n == 3) v128.store32_lane(p + 8, v, 2);
  }
}

/**
 * e^a for a ≤ 0, float32 lanes: a = n·ln2 + r (ln2 as 0.693359375 − 2.12194440e-4, the first
 * part exact in n·ln2), e^r by Horner to r⁷, times 2ⁿ applied as two halves so that results down
 * to the smallest subnormal round once. Below −104 the result is 0 (as float32 e^a).
 */
@inline
function exp4(a: v128): v128 {
  const x = f32x4.max(a, f32x4.splat(-104));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504)));
  const r = f32x4.add(f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375))), f32x4.mul(n, f32x4.splat(2.1219444e-4)));
  let p = f32x4.add(f32x4.splat(1.0 / 720), f32x4.mul(r, f32x4.splat(1.0 / 5040)));
  p = f32x4.add(f32x4.splat(1.0 / 120), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1.0 / 24), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1.0 / 6), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(0.5), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  p = f32x4.add(f32x4.splat(1), f32x4.mul(r, p));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, n1), i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** σ(v) = 1/(1 + e^−v), as e^v/(1 + e^v) for v < 0: e = e^−|v| ≤ 1 on both sides. */
@inline
function sigmoid4(v: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(v)));
  const r = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(f32x4.mul(e, r), r, f32x4.lt(v, f32x4.splat(0)));
}

/**
 * tanh(v) = sign(v)·(1 − e)/(1 + e), e = e^−2|v|, from |v| = 0.55 (there e ≤ 1/3, so 1 − e loses
 * under a bit); below, the Taylor series to v¹⁵ (truncation < 5e-8 relative).
 */
@inline
function tanh4(v: v128): v128 {
  const a = f32x4.abs(v);
  const e = exp4(f32x4.mul(f32x4.splat(-2), a));
  const t = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  const big = v128.or(t, v128.and(v, f32x4.splat(-0.0)));
  const w = f32x4.mul(v, v);
  let q = f32x4.add(f32x4.splat(21844.0 / 6081075), f32x4.mul(w, f32x4.splat(-929569.0 / 638512875)));
  q = f32x4.add(f32x4.splat(-1382.0 / 155925), f32x4.mul(w, q));
  q = f32x4.add(f32x4.splat(62.0 / 2835), f32x4.mul(w, q));
  q = f32x4.add(f32x4.splat(-17.0 / 315), f32x4.mul(w, q));
  q = f32x4.add(f32x4.splat(2.0 / 15), f32x4.mul(w, q));
  q = f32x4.add(f32x4.splat(-1.0 / 3), f32x4.mul(w, q));
  const small = f32x4.add(v, f32x4.mul(f32x4.mul(v, w), q));
  return v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(0.55)));
}

/**
 * Per row of `hidden` H: a = gi + gh (float32), act = σ(a_i), σ(a_f), tanh(a_g), σ(a_o), then
 * c' = f·c + i·g and h = o·tanh(c'), tanh(c') as act's fifth part. Gate by gate, then the
 * update, so that σ is inlined once and tanh twice.
 */
export function lstmCellF32(rows: i32, hidden: i32, gi: usize, gh: usize, c: usize, act: usize, cNext: usize, h: usize): void {
  const H = <usize>hidden << 2; // a gate's bytes in a row
  for (let r = 0; r < rows; r++) {
    const g0 = <usize>r * 4 * H;
    const a0 = act + <usize>r * 5 * H;
    const s0 = <usize>r * H;
    for (let k: usize = 0; k < 4; k++) {
      const p = g0 + k * H;
      for (let j = 0; j < hidden; j += 4) {
        const n = hidden - j;
        const o = <usize>j << 2;
        const x = f32x4.add(loadN(gi + p + o, n), loadN(gh + p + o, n));
        storeN(a0 + k * H + o, k == 2 ? tanh4(x) : sigmoid4(x), n);
      }
    }
    for (let j = 0; j < hidden; j += 4) {
      const n = hidden - j;
      const o = <usize>j << 2;
      const i = loadN(a0 + o, n);
      const f = loadN(a0 + H + o, n);
      const g = loadN(a0 + 2 * H + o, n);
      const cn = f32x4.add(f32x4.mul(f, loadN(c + s0 + o, n)), f32x4.mul(i, g));
      storeN(cNext + s0 + o, cn, n);
      const t = tanh4(cn);
      storeN(a0 + 4 * H + o, t, n);
      storeN(h + s0 + o, f32x4.mul(loadN(a0 + 3 * H + o, n), t), n);
    }
  }
}
