// Optimizer updates: the in-place loops of SGD, SGD with momentum, Adam/AdamW and RMSprop on flat
// typed arrays (θ, g and the state buffers of equal length). `sgd`, `sgdMomentum` and `adam`
// dispatch to WebAssembly SIMD (wasm/optim.ts) for float arrays of at least WASM_MIN_UPDATE
// elements; the `…Ts` loops are the reference they are tested against and the fallback.
import { elementwiseInWasm, WASM_MIN_ELEMENTWISE } from './dispatch';
import type { Buf } from './index';
import { adamWasm, sgdMomentumWasm, sgdWasm } from './wasm/optim';

/**
 * Elements from which an update runs in WebAssembly (the elementwise threshold): copying θ, g and
 * the state in and out costs less than the TypeScript loop from here on (it runs 3–10× faster per
 * element in float32).
 */
export const WASM_MIN_UPDATE = WASM_MIN_ELEMENTWISE;

const inWasm = (bufs: Buf[]) => elementwiseInWasm((bufs[0] as Buf).length, ...bufs);

/** Plain SGD: θ ← θ − γ(g + λθ). */
export function sgd(theta: Buf, g: Buf, lr: number, weightDecay: number): void {
  if (inWasm([theta, g])) sgdWasm(theta, g, lr, weightDecay);
  else sgdTs(theta, g, lr, weightDecay);
}

/** `sgd` in TypeScript. */
export function sgdTs(theta: Buf, g: Buf, lr: number, weightDecay: number): void {
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    const gi = weightDecay === 0 ? g[i]! : g[i]! + weightDecay * theta[i]!;
    theta[i] = theta[i]! - lr * gi;
  }
}

/**
 * SGD with momentum: g ← g + λθ; b ← g on the first step, else μb + (1 − τ)g;
 * θ ← θ − γ(g + μb) with Nesterov, θ ← θ − γb without.
 */
export function sgdMomentum(
  theta: Buf,
  g: Buf,
  buf: Buf,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: boolean,
  first: boolean,
): void {
  if (inWasm([theta, g, buf])) sgdMomentumWasm(theta, g, buf, lr, momentum, dampening, weightDecay, nesterov, first);
  else sgdMomentumTs(theta, g, buf, lr, momentum, dampening, weightDecay, nesterov, first);
}

/** `sgdMomentum` in TypeScript. */
export function sgdMomentumTs(
  theta: Buf,
  g: Buf,
  buf: Buf,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: boolean,
  first: boolean,
): void {
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    const gi = weightDecay === 0 ? g[i]! : g[i]! + weightDecay * theta[i]!;
    const b = first ? gi : momentum * buf[i]! + (1 - dampening) * gi;
    buf[i] = b;
    theta[i] = theta[i]! - lr * (nesterov ? gi + momentum * b : b);
  }
}

/**
 * Adam / AdamW at step t: θ ← θ(1 − γλ) if decoupled, else g ← g + λθ;
 * m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; vMax ← max(vMax, v) with AMSGrad;
 * θ ← θ − (γ/(1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε), which is θ − γ m̂/(√v̂ + ε) as PyTorch computes it.
 */
export function adam(
  theta: Buf,
  g: Buf,
  m: Buf,
  v: Buf,
  vMax: Buf | null,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decoupled: boolean,
  t: number,
): void {
  const bufs = vMax ? [theta, g, m, v, vMax] : [theta, g, m, v];
  if (inWasm(bufs)) adamWasm(theta, g, m, v, vMax, lr, beta1, beta2, eps, weightDecay, decoupled, t);
  else adamTs(theta, g, m, v, vMax, lr, beta1, beta2, eps, weightDecay, decoupled, t);
}

/** The constants of one Adam step, shared by both implementations. */
export function adamConstants(
  lr: number,
  beta1: number,
  beta2: number,
  weightDecay: number,
  decoupled: boolean,
  t: number,
) {
  return {
    decay: decoupled ? 1 - lr * weightDecay : 1,
    l2: decoupled ? 0 : weightDecay,
    stepSize: lr / (1 - beta1 ** t),
    bc2Sqrt: Math.sqrt(1 - beta2 ** t),
  };
}

/** `adam` in TypeScript. */
export function adamTs(
  theta: Buf,
  g: Buf,
  m: Buf,
  v: Buf,
  vMax: Buf | null,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decoupled: boolean,
  t: number,
): void {
  const { decay, l2, stepSize, bc2Sqrt } = adamConstants(lr, beta1, beta2, weightDecay, decoupled, t);
  const n = theta.length;
  for (let i = 0; i < n; i++) {
    const th = decay === 1 ? theta[i]! : theta[i]! * decay;
    const gi = l2 === 0 ? g[i]! : g[i]! + l2 * th;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    let vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    if (vMax !== null) {
      vi = Math.max(vMax[i]!, vi);
      vMax[i] = vi;
    }
    theta[i] = th - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

/**
 * RMSprop: g ← g + λθ; v ← αv + (1 − α)g²; ṽ ← v, or v − ḡ² with ḡ ← αḡ + (1 − α)g when centered;
 * with momentum b ← μb + g/(√ṽ + ε), θ ← θ − γb; without, θ ← θ − γ g/(√ṽ + ε).
 */
export function rmsprop(
  theta: Buf,
  g: Buf,
  v: Buf,
  gAvg: Buf | null,
  buf: Buf | null,
  lr: number,
  alpha: number,
  eps: number,
  weightDecay: number,
  momentum: number,
): void {
  for (let i = 0; i < theta.length; i++) {
    const gi = weightDecay === 0 ? g[i]! : g[i]! + weightDecay * theta[i]!;
    const vi = alpha * v[i]! + (1 - alpha) * gi * gi;
    v[i] = vi;
    let avg = vi;
    if (gAvg !== null) {
      const ga = alpha * gAvg[i]! + (1 - alpha) * gi;
      gAvg[i] = ga;
      avg = vi - ga * ga;
    }
    const update = gi / (Math.sqrt(avg) + eps);
    if (buf !== null) {
      const b = momentum * buf[i]! + update;
      buf[i] = b;
      theta[i] = theta[i]! - lr * b;
    } else {
      theta[i] = theta[i]! - lr * update;
    }
  }
}
