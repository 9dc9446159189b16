// WebAssembly SIMD elementwise kernels (AssemblyScript): ReLU forward and backward, a bias broadcast
// over rows and its gradient (column sums), in float32 and float64, on byte addresses. In SIMD,
// ReLU is branch-free: a JavaScript loop mispredicts a branch on half the elements of a layer's
// random-signed pre-activations.

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

/** Every one of `rows` rows of C (n elements, contiguous) set to v: a bias before gemm adds A·B. */
@inline
function fillRows<T>(rows: i32, n: i32, v: usize, c: usize): void {
  const rowBytes = <usize>n * sizeof<T>();
  for (let r = 0; r < rows; r++) memory.copy(c + <usize>r * rowBytes, v, rowBytes);
}

/** out[j] (+)= Σ_r x[r·n + j]: the column sums of a rows×n matrix (a bias's gradient). */
@inline
function sumRows<T>(rows: i32, n: i32, x: usize, out: usize, accumulate: bool): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  let j = 0;
  for (; j + lanes <= n; j += lanes) {
    const o = <usize>j * es;
    let s = accumulate ? v128.load(out + o) : v128.splat<T>(0);
    for (let r = 0; r < rows; r++) s = v128.add<T>(s, v128.load(x + <usize>r * <usize>n * es + o));
    v128.store(out + o, s);
  }
  for (; j < n; j++) {
    const o = <usize>j * es;
    let s: T = accumulate ? load<T>(out + o) : 0;
    for (let r = 0; r < rows; r++) s += load<T>(x + <usize>r * <usize>n * es + o);
    store<T>(out + o, s);
  }
}

export function fillRowsF32(rows: i32, n: i32, v: usize, c: usize): void {
  fillRows<f32>(rows, n, v, c);
}
export function fillRowsF64(rows: i32, n: i32, v: usize, c: usize): void {
  fillRows<f64>(rows, n, v, c);
}
export function sumRowsF32(rows: i32, n: i32, x: usize, out: usize, accumulate: bool): void {
  sumRows<f32>(rows, n, x, out, accumulate);
}
export function sumRowsF64(rows: i32, n: i32, x: usize, out: usize, accumulate: bool): void {
  sumRows<f64>(rows, n, x, out, accumulate);
}
