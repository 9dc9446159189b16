// Lane helpers shared by the float32 kernels that compute in float64 (transcendental.ts, norm.ts).
// Not re-exported by index.ts: inlined where used, never a module export.

/** Two float32 at p (one when `pair` is false) widened to f64x2. */
@inline
export function load2(p: usize, pair: bool): v128 {
  return f64x2.promote_low_f32x4(pair ? v128.load64_zero(p) : v128.load32_zero(p));
}

/** Stores the f64x2 `v` at p as two float32 (one when `pair` is false), each rounded once. */
@inline
export function store2(p: usize, v: v128, pair: bool): void {
  const out = f32x4.demote_f64x2_zero(v);
  if (pair) v128.store64_lane(p, out, 0);
  else v128.store32_lane(p, out, 0);
}
