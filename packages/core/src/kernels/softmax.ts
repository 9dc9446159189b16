// Softmax and log-softmax along one dim of a tensor viewed as [outer, n, inner] (an AxisPlan):
// element (o, i, k) sits at (o·n + i)·inner + k and the reduction runs over i. Subtracting the
// maximum first keeps exp() ≤ 1, so logits of ±1000 give finite results.
import type { AxisPlan } from '../plans/reduce';
import type { Buf } from './index';

/** The maximum of x[start], x[start + step], … below `end` (−∞ for an empty run). */
function strideMax(x: Buf, start: number, end: number, step: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = start; i < end; i += step) if (x[i]! > max) max = x[i]!;
  return max;
}

/** y = exp(x − max) / Σ exp(x − max) along the dim. */
export function softmax(p: AxisPlan, x: Buf, y: Buf): void {
  const { outer, n, inner } = p;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const start = o * n * inner + k;
      const end = start + n * inner;
      const max = strideMax(x, start, end, inner);
      let sum = 0;
      for (let i = start; i < end; i += inner) {
        const e = Math.exp(x[i]! - max);
        y[i] = e;
        sum += e;
      }
      for (let i = start; i < end; i += inner) y[i]! /= sum;
    }
  }
}

/** gx += y ∘ (gy − Σ gy∘y): the softmax Jacobian diag(y) − y yᵀ applied to gy. */
export function softmaxBackward(p: AxisPlan, y: Buf, gy: Buf, gx: Buf): void {
  const { outer, n, inner } = p;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const start = o * n * inner + k;
      const end = start + n * inner;
      let dot = 0;
      for (let i = start; i < end; i += inner) dot += gy[i]! * y[i]!;
      for (let i = start; i < end; i += inner) gx[i]! += y[i]! * (gy[i]! - dot);
    }
  }
}

/** y = x − max − ln Σ exp(x − max) along the dim. */
export function logSoftmax(p: AxisPlan, x: Buf, y: Buf): void {
  const { outer, n, inner } = p;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const start = o * n * inner + k;
      const end = start + n * inner;
      const max = strideMax(x, start, end, inner);
      let sum = 0;
      for (let i = start; i < end; i += inner) sum += Math.exp(x[i]! - max);
      // (x − max) − ln Σ, not x − (max + ln Σ): at |max| ≥ 1e13 the sum's rounding would eat ln Σ
      const logSum = Math.log(sum);
      for (let i = start; i < end; i += inner) y[i] = x[i]! - max - logSum;
    }
  }
}

/** gx += gy − softmax(x)·Σ gy, with softmax(x) = exp(y). */
export function logSoftmaxBackward(p: AxisPlan, y: Buf, gy: Buf, gx: Buf): void {
  const { outer, n, inner } = p;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const start = o * n * inner + k;
      const end = start + n * inner;
      let sum = 0;
      for (let i = start; i < end; i += inner) sum += gy[i]!;
      for (let i = start; i < end; i += inner) gx[i]! += gy[i]! - Math.exp(y[i]!) * sum;
    }
  }
}

/**
 * Softmax cross-entropy per row of an [rows, c] matrix of logits: loss[r] = −ln softmax(x_r)[t_r]
 * = ln Σ exp(x_r − max) − (x_r[t_r] − max). Also writes the row softmax into `probs` for the
 * backward.
 */
export function crossEntropy(rows: number, c: number, x: Buf, labels: Int32Array, loss: Buf, probs: Buf): void {
  for (let r = 0; r < rows; r++) {
    const base = r * c;
    const max = strideMax(x, base, base + c, 1);
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(x[base + j]! - max);
      probs[base + j] = e;
      sum += e;
    }
    for (let j = 0; j < c; j++) probs[base + j]! /= sum;
    loss[r] = Math.log(sum) - (x[base + labels[r]!]! - max);
  }
}

/** gx[r, j] += g_r · (probs[r, j] − 1[j = t_r]), with g_r = gy[r·gyStep]·scale. */
export function crossEntropyBackward(
  rows: number,
  c: number,
  probs: Buf,
  labels: Int32Array,
  gy: Buf,
  gyStep: number,
  scale: number,
  gx: Buf,
): void {
  for (let r = 0; r < rows; r++) {
    const g = gy[r * gyStep]! * scale;
    const base = r * c;
    for (let j = 0; j < c; j++) gx[base + j]! += g * probs[base + j]!;
    gx[base + labels[r]!]! -= g;
  }
}

/**
 * Attention's weights from raw scores x, rows of n: y = softmax(scale·x) per row, and with
 * `causal` the row's query q = r mod l sees only keys j ≤ q (the rest get 0, as a −∞ score would):
 * the scale, the causal mask and the softmax of scaledDotProductAttention in one pass.
 */
export function scaledSoftmax(
  rows: number,
  n: number,
  l: number,
  scale: number,
  causal: boolean,
  x: Buf,
  y: Buf,
): void {
  for (let r = 0; r < rows; r++) {
    const start = r * n;
    const end = start + (causal ? Math.min(n, (r % l) + 1) : n); // keys past `end` are masked
    let max = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) if (scale * x[i]! > max) max = scale * x[i]!;
    let sum = 0;
    for (let i = start; i < end; i++) {
      const e = Math.exp(scale * x[i]! - max);
      y[i] = e;
      sum += e;
    }
    for (let i = start; i < end; i++) y[i]! /= sum;
    for (let i = end; i < start + n; i++) y[i] = 0;
  }
}

/** gx += scale · y ∘ (gy − Σ gy∘y) per row of n (masked keys have y = 0, so they get nothing). */
export function scaledSoftmaxBackward(rows: number, n: number, scale: number, y: Buf, gy: Buf, gx: Buf): void {
  for (let r = 0; r < rows; r++) {
    const start = r * n;
    let dot = 0;
    for (let i = start; i < start + n; i++) dot += gy[i]! * y[i]!;
    for (let i = start; i < start + n; i++) gx[i]! += scale * y[i]! * (gy[i]! - dot);
  }
}
