// Fused loss kernels whose backward is a closed form rather than a chain of ops: binary
// cross-entropy on probabilities and on logits. `tStep` is 1 for a full target, 0 for a scalar one.
import type { Buf } from './index';

/** The index of the first element of x outside [lo, hi] (NaN included), or −1. */
export function firstOutside(x: Buf, lo: number, hi: number): number {
  for (let i = 0; i < x.length; i++) if (!(x[i]! >= lo && x[i]! <= hi)) return i;
  return -1;
}

/** loss[i] = −(t ln p + (1 − t) ln(1 − p)), each log clamped at −100 as PyTorch does. */
export function bce(p: Buf, t: Buf, loss: Buf): void {
  for (let i = 0; i < p.length; i++) {
    const logP = Math.max(Math.log(p[i]!), -100);
    const log1mP = Math.max(Math.log(1 - p[i]!), -100);
    loss[i] = -(t[i]! * logP + (1 - t[i]!) * log1mP);
  }
}

/** gp += g_i · (p − t) / max(p(1 − p), 1e-12), g_i = gy[i·gyStep]·scale (PyTorch's eps). */
export function bceBackward(p: Buf, t: Buf, gy: Buf, gyStep: number, scale: number, gp: Buf): void {
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    gp[i]! += (gy[i * gyStep]! * scale * (v - t[i]!)) / Math.max(v * (1 - v), 1e-12);
  }
}

/**
 * loss[i] = softplus(z) − t·z = max(z, 0) − t·z + ln(1 + e^−|z|): finite for any finite z. At
 * infinite z, PyTorch's values, from its form (1 − t)·z + m + ln(e^−m + e^(−z−m)), m = max(−z, 0):
 * (1 − t)·∞ at z = +∞ (NaN where t = 1), and NaN at z = −∞.
 */
export function bceWithLogits(z: Buf, t: Buf, loss: Buf): void {
  for (let i = 0; i < z.length; i++) {
    const v = z[i]!;
    if (v === Number.POSITIVE_INFINITY) loss[i] = (1 - t[i]!) * v;
    else if (v === Number.NEGATIVE_INFINITY) loss[i] = Number.NaN;
    else loss[i] = Math.max(v, 0) - t[i]! * v + Math.log1p(Math.exp(-Math.abs(v)));
  }
}

/** gz += g_i · (σ(z) − t). */
export function bceWithLogitsBackward(z: Buf, t: Buf, gy: Buf, gyStep: number, scale: number, gz: Buf): void {
  for (let i = 0; i < z.length; i++) {
    const v = z[i]!;
    const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    gz[i]! += gy[i * gyStep]! * scale * (s - t[i]!);
  }
}

/**
 * loss[i] = ½d² where |d| < δ, else δ(|d| − ½δ), with d = p − t. The branch is selected, never
 * multiplied by a mask, so an overflowing or infinite unused branch cannot turn into NaN.
 */
export function huber(p: Buf, t: Buf, delta: number, loss: Buf): void {
  for (let i = 0; i < p.length; i++) {
    const d = p[i]! - t[i]!;
    const a = Math.abs(d);
    loss[i] = a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
  }
}

/** gp += g_i · (d where |d| < δ, else δ·sign(d)), g_i = gy[i·gyStep]·scale. */
export function huberBackward(p: Buf, t: Buf, delta: number, gy: Buf, gyStep: number, scale: number, gp: Buf): void {
  for (let i = 0; i < p.length; i++) {
    const d = p[i]! - t[i]!;
    const slope = Math.abs(d) < delta ? d : delta * Math.sign(d);
    gp[i]! += gy[i * gyStep]! * scale * slope;
  }
}
