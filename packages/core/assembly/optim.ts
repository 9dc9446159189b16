// WebAssembly SIMD optimizer updates (AssemblyScript): the in-place loops of SGD, SGD with
// momentum and Adam/AdamW, in float32 and float64, on byte addresses of flat buffers of n elements
// that the TypeScript side copied in. Each mirrors its TypeScript reference in
// src/kernels/optim.ts operation for operation; the arithmetic is in the parameters' own type (the
// hyperparameters rounded to it first), as PyTorch computes a float32 update.

/** θ ← θ − γ(g + λθ). */
@inline
function sgd<T>(n: i32, theta: usize, g: usize, lr: f64, weightDecay: f64): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  const vlr = v128.splat<T>(<T>lr);
  const vwd = v128.splat<T>(<T>weightDecay);
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const o = <usize>i * es;
    const t = v128.load(theta + o);
    let gi = v128.load(g + o);
    if (weightDecay != 0) gi = v128.add<T>(gi, v128.mul<T>(vwd, t));
    v128.store(theta + o, v128.sub<T>(t, v128.mul<T>(vlr, gi)));
  }
  for (; i < n; i++) {
    const o = <usize>i * es;
    const t = load<T>(theta + o);
    let gi = load<T>(g + o);
    if (weightDecay != 0) gi += <T>weightDecay * t;
    store<T>(theta + o, t - <T>lr * gi);
  }
}

/**
 * g ← g + λθ; b ← g on the first step, else μb + (1 − τ)g; θ ← θ − γ(g + μb) with Nesterov,
 * θ ← θ − γb without.
 */
@inline
function sgdMomentum<T>(
  n: i32, theta: usize, g: usize, buf: usize, lr: f64, momentum: f64, dampening: f64, weightDecay: f64,
  nesterov: bool, first: bool,
): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  const vlr = v128.splat<T>(<T>lr);
  const vmu = v128.splat<T>(<T>momentum);
  const vkeep = v128.splat<T>(<T>(1 - dampening));
  const vwd = v128.splat<T>(<T>weightDecay);
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const o = <usize>i * es;
    const t = v128.load(theta + o);
    let gi = v128.load(g + o);
    if (weightDecay != 0) gi = v128.add<T>(gi, v128.mul<T>(vwd, t));
    const b = first ? gi : v128.add<T>(v128.mul<T>(vmu, v128.load(buf + o)), v128.mul<T>(vkeep, gi));
    v128.store(buf + o, b);
    const step = nesterov ? v128.add<T>(gi, v128.mul<T>(vmu, b)) : b;
    v128.store(theta + o, v128.sub<T>(t, v128.mul<T>(vlr, step)));
  }
  for (; i < n; i++) {
    const o = <usize>i * es;
    const t = load<T>(theta + o);
    let gi = load<T>(g + o);
    if (weightDecay != 0) gi += <T>weightDecay * t;
    const b: T = first ? gi : <T>momentum * load<T>(buf + o) + <T>(1 - dampening) * gi;
    store<T>(buf + o, b);
    store<T>(theta + o, t - <T>lr * (nesterov ? gi + <T>momentum * b : b));
  }
}

/**
 * Adam / AdamW at step t: θ ← θ(1 − γλ) if decoupled, else g ← g + λθ; m ← β₁m + (1 − β₁)g;
 * v ← β₂v + (1 − β₂)g²; vMax ← max(vMax, v) with AMSGrad; θ ← θ − (γ/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε).
 * `decay`, `l2`, `stepSize` and `bc2Sqrt` come from the caller, computed as in the reference.
 */
@inline
function adam<T>(
  n: i32, theta: usize, g: usize, m: usize, v: usize, vMax: usize, amsgrad: bool, beta1: f64, beta2: f64,
  eps: f64, decay: f64, l2: f64, stepSize: f64, bc2Sqrt: f64,
): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  const vb1 = v128.splat<T>(<T>beta1);
  const vc1 = v128.splat<T>(<T>(1 - beta1));
  const vb2 = v128.splat<T>(<T>beta2);
  const vc2 = v128.splat<T>(<T>(1 - beta2));
  const veps = v128.splat<T>(<T>eps);
  const vdecay = v128.splat<T>(<T>decay);
  const vl2 = v128.splat<T>(<T>l2);
  const vstep = v128.splat<T>(<T>stepSize);
  const vbc2 = v128.splat<T>(<T>bc2Sqrt);
  let i = 0;
  for (; i + lanes <= n; i += lanes) {
    const o = <usize>i * es;
    let th = v128.load(theta + o);
    if (decay != 1) th = v128.mul<T>(th, vdecay);
    let gi = v128.load(g + o);
    if (l2 != 0) gi = v128.add<T>(gi, v128.mul<T>(vl2, th));
    const mi = v128.add<T>(v128.mul<T>(vb1, v128.load(m + o)), v128.mul<T>(vc1, gi));
    let vi = v128.add<T>(v128.mul<T>(vb2, v128.load(v + o)), v128.mul<T>(v128.mul<T>(vc2, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    if (amsgrad) {
      vi = v128.max<T>(v128.load(vMax + o), vi);
      v128.store(vMax + o, vi);
    }
    const denom = v128.add<T>(v128.div<T>(v128.sqrt<T>(vi), vbc2), veps);
    v128.store(theta + o, v128.sub<T>(th, v128.div<T>(v128.mul<T>(vstep, mi), denom)));
  }
  for (; i < n; i++) {
    const o = <usize>i * es;
    let th = load<T>(theta + o);
    if (decay != 1) th *= <T>decay;
    let gi = load<T>(g + o);
    if (l2 != 0) gi += <T>l2 * th;
    const mi: T = <T>beta1 * load<T>(m + o) + <T>(1 - beta1) * gi;
    let vi: T = <T>beta2 * load<T>(v + o) + <T>(1 - beta2) * gi * gi;
    store<T>(m + o, mi);
    store<T>(v + o, vi);
    if (amsgrad) {
      vi = max<T>(load<T>(vMax + o), vi);
      store<T>(vMax + o, vi);
    }
    store<T>(theta + o, th - (<T>stepSize * mi) / (<T>sqrt<T>(vi) / <T>bc2Sqrt + <T>eps));
  }
}

export function sgdF32(n: i32, theta: usize, g: usize, lr: f64, weightDecay: f64): void {
  sgd<f32>(n, theta, g, lr, weightDecay);
}
export function sgdF64(n: i32, theta: usize, g: usize, lr: f64, weightDecay: f64): void {
  sgd<f64>(n, theta, g, lr, weightDecay);
}
export function sgdMomentumF32(
  n: i32, theta: usize, g: usize, buf: usize, lr: f64, momentum: f64, dampening: f64, weightDecay: f64,
  nesterov: bool, first: bool,
): void {
  sgdMomentum<f32>(n, theta, g, buf, lr, momentum, dampening, weightDecay, nesterov, first);
}
export function sgdMomentumF64(
  n: i32, theta: usize, g: usize, buf: usize, lr: f64, momentum: f64, dampening: f64, weightDecay: f64,
  nesterov: bool, first: bool,
): void {
  sgdMomentum<f64>(n, theta, g, buf, lr, momentum, dampening, weightDecay, nesterov, first);
}
export function adamF32(
  n: i32, theta: usize, g: usize, m: usize, v: usize, vMax: usize, amsgrad: bool, beta1: f64, beta2: f64,
  eps: f64, decay: f64, l2: f64, stepSize: f64, bc2Sqrt: f64,
): void {
  adam<f32>(n, theta, g, m, v, vMax, amsgrad, beta1, beta2, eps, decay, l2, stepSize, bc2Sqrt);
}
export function adamF64(
  n: i32, theta: usize, g: usize, m: usize, v: usize, vMax: usize, amsgrad: bool, beta1: f64, beta2: f64,
  eps: f64, decay: f64, l2: f64, stepSize: f64, bc2Sqrt: f64,
): void {
  adam<f64>(n, theta, g, m, v, vMax, amsgrad, beta1, beta2, eps, decay, l2, stepSize, bc2Sqrt);
}
