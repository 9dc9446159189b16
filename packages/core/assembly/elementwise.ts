// WebAssembly SIMD elementwise kernels (AssemblyScript): ReLU forward and backward, in float32 and
// float64, on n elements at byte addresses. In SIMD they are branch-free: a JavaScript loop
// mispredicts a branch on half the elements of a layer's random-signed pre-activations.

/** y = max(x, 0) (wasm's max: NaN stays NaN, max(−0, 0) = 0, as Math.max). */
@inline
function relu<T>(n: i32, x: usize, y: usize): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  const zero = v128.splat<T>(0);
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const o = <usize>i * es;
    v128.store(y + o, v128.max<T>(v128.load(x + o), zero));
  }
  for (; i < n; i++) {
    const o = <usize>i * es;
    const v = load<T>(x + o);
    store<T>(y + o, v > 0 || v != v ? v : 0);
  }
}

/**
 * gx (+)= gy where x > 0, else 0 (a mask, so an infinite or NaN gy at x ≤ 0 contributes 0, as
 * PyTorch's threshold_backward). Without `accumulate`, gx is written.
 */
@inline
function reluBackward<T>(n: i32, x: usize, gy: usize, gx: usize, accumulate: bool): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  const zero = v128.splat<T>(0);
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const o = <usize>i * es;
    const g = v128.and(v128.load(gy + o), v128.gt<T>(v128.load(x + o), zero));
    v128.store(gx + o, accumulate ? v128.add<T>(v128.load(gx + o), g) : g);
  }
  for (; i < n; i++) {
    const o = <usize>i * es;
    const g: T = load<T>(x + o) > 0 ? load<T>(gy + o) : 0;
    store<T>(gx + o, accumulate ? load<T>(gx + o) + g : g);
  }
}

export function reluF32(n: i32, x: usize, y: usize): void {
  relu<f32>(n, x, y);
}
export function reluF64(n: i32, x: usize, y: usize): void {
  relu<f64>(n, x, y);
}
export function reluBackwardF32(n: i32, x: usize, gy: usize, gx: usize, accumulate: bool): void {
  reluBackward<f32>(n, x, gy, gx, accumulate);
}
export function reluBackwardF64(n: i32, x: usize, gy: usize, gx: usize, accumulate: bool): void {
  reluBackward<f64>(n, x, gy, gx, accumulate);
}
