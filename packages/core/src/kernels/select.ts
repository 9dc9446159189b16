// Comparison and selection kernels over broadcast walks (plans/broadcast.ts): comparisons into
// bool, where, clamp, and elementwise maximum/minimum with PyTorch's tie rule.
import type { BroadcastPlan, Walk } from '../plans/broadcast';
import type { Buf } from './index';

/**
 * out = the outcome of comparing a with b: `lt`, `eq` or `gt` (each 0 or 1), and `nan` when
 * either is NaN. One loop serves all six comparisons (eq: 0 1 0 0, lt: 1 0 0 0, ne: 1 0 1 1, …).
 */
export function compare(
  p: BroadcastPlan,
  a: Buf,
  b: Buf,
  lt: number,
  eq: number,
  gt: number,
  nan: number,
  out: Buf,
): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) {
      const u = a[ia]!;
      const v = b[ib]!;
      out[base + j] = u < v ? lt : u > v ? gt : u === v ? eq : nan;
    }
  }
}

/** out = cond ? a : b over a three-operand walk (offsets 0, 1, 2: cond, a, b). */
export function where(w: Walk, cond: Buf, a: Buf, b: Buf, out: Buf): void {
  const [oc, oa, ob] = w.offsets as [Int32Array, Int32Array, Int32Array];
  const [sc, sa, sb] = w.steps as [number, number, number];
  for (let r = 0; r < w.rows; r++) {
    let ic = oc[r]!;
    let ia = oa[r]!;
    let ib = ob[r]!;
    const base = r * w.inner;
    for (let j = 0; j < w.inner; j++, ic += sc, ia += sa, ib += sb) out[base + j] = cond[ic]! !== 0 ? a[ia]! : b[ib]!;
  }
}

/** g += gy where cond is `pick` (1 for where's a, 0 for its b), over operand `k` of the walk. */
export function whereBackward(w: Walk, k: number, cond: Buf, pick: number, gy: Buf, g: Buf): void {
  const oc = w.offsets[0]!;
  const ok = w.offsets[k]!;
  const sc = w.steps[0]!;
  const sk = w.steps[k]!;
  for (let r = 0; r < w.rows; r++) {
    let ic = oc[r]!;
    let ik = ok[r]!;
    const base = r * w.inner;
    for (let j = 0; j < w.inner; j++, ic += sc, ik += sk)
      if ((cond[ic]! !== 0 ? 1 : 0) === pick) g[ik]! += gy[base + j]!;
  }
}

/** y = min(max(x, lo), hi) (lo = −∞ or hi = +∞ for a missing bound); NaN stays NaN. */
export function clamp(x: Buf, lo: number, hi: number, y: Buf): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = v < lo ? lo : Math.min(v, hi); // NaN < lo is false, and Math.min keeps NaN
  }
  if (lo > hi) y.fill(hi); // PyTorch: min > max sets every element to max
}

/** gx += gy where lo ≤ x ≤ hi (the bounds pass the gradient, as PyTorch). */
export function clampBackward(x: Buf, lo: number, hi: number, gy: Buf, gx: Buf): void {
  for (let i = 0; i < x.length; i++) if (x[i]! >= lo && x[i]! <= hi) gx[i]! += gy[i]!;
}

/** out = the larger (sign 1) or smaller (sign −1) of a and b; NaN if either is NaN. */
export function extremum(p: BroadcastPlan, a: Buf, b: Buf, sign: number, out: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) {
      const u = a[ia]!;
      const v = b[ib]!;
      out[base + j] = Number.isNaN(u) || Number.isNaN(v) ? Number.NaN : sign * u >= sign * v ? u : v;
    }
  }
}

/** ga += gy · (1 where a wins, ½ where a and b tie, 0 where b wins). */
export function extremumBackward(p: BroadcastPlan, a: Buf, b: Buf, sign: number, gy: Buf, ga: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) {
      const d = sign * (a[ia]! - b[ib]!);
      if (d > 0) ga[ia]! += gy[base + j]!;
      else if (d === 0) ga[ia]! += 0.5 * gy[base + j]!;
    }
  }
}
