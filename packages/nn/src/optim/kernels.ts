// Optimizer kernels: the in-place update loops of SGD, Adam/AdamW and RMSprop on typed arrays.
// No graph code, no allocation; θ, g and the state buffers are flat and of equal length, so the
// loop bounds guarantee every index (hence the `!` after reads). Branches on flags are loop-invariant.
import type { Buf } from '@chainrule/core';

/** Plain SGD: θ ← θ − γ(g + λθ). */
export function sgd(theta: Buf, g: Buf, lr: number, weightDecay: number): void {
  for (let i = 0; i < theta.length; i++) {
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
  for (let i = 0; i < theta.length; i++) {
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
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  const stepSize = lr / (1 - beta1 ** t);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
  for (let i = 0; i < theta.length; i++) {
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

/**
 * The index of the first NaN or ±Infinity in `g`, or −1 (the nonFinite guard of `step()`).
 * x·0 is 0 for every finite x and NaN otherwise, so one branch-free sum screens the whole array;
 * only a dirty array is searched element by element.
 */
export function firstNonFinite(g: Buf): number {
  let screen = 0;
  for (let i = 0; i < g.length; i++) screen += g[i]! * 0;
  if (screen === 0) return -1;
  for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i]!)) return i;
  return -1;
}

/** Σ|gᵢ|ᵖ (p = 1 and 2 without Math.pow, which is slower and no more exact). */
export function sumAbsPow(g: Buf, p: number): number {
  let s = 0;
  if (p === 2) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  else if (p === 1) for (let i = 0; i < g.length; i++) s += Math.abs(g[i]!);
  else for (let i = 0; i < g.length; i++) s += Math.abs(g[i]!) ** p;
  return s;
}

/** maxᵢ |gᵢ|, or NaN if any gᵢ is NaN (so an ∞-norm reports a NaN gradient too). */
export function maxAbs(g: Buf): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) {
    const a = Math.abs(g[i]!);
    if (a > m) m = a;
    else if (Number.isNaN(a)) return a;
  }
  return m;
}

/** g ← c·g. */
export function scaleInPlace(g: Buf, c: number): void {
  for (let i = 0; i < g.length; i++) g[i] = g[i]! * c;
}

/** g ← min(max(g, −c), c); a NaN stays NaN, as torch.clamp. */
export function clampInPlace(g: Buf, c: number): void {
  for (let i = 0; i < g.length; i++) {
    const x = g[i]!;
    if (x > c) g[i] = c;
    else if (x < -c) g[i] = -c;
  }
}

/**
 * Copies rows `order[start … start + count)` of `src` (rows of `rowSize` elements) into `out`,
 * one after the other: a DataLoader batch.
 */
export function gatherRows(src: Buf, rowSize: number, order: Int32Array, start: number, count: number, out: Buf): void {
  for (let r = 0; r < count; r++) {
    const from = order[start + r]! * rowSize;
    out.set(src.subarray(from, from + rowSize), r * rowSize);
  }
}
