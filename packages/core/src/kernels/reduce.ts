// Reductions over a BroadcastPlan built from (x's shape, y's keep-dim shape): the output walk of
// the plan is x itself, side `b` is y. Summing x into y and broadcasting y back over x are each
// other's transpose (adjoint), so sum's backward is broadcastAdd and vice versa.
import type { BroadcastPlan } from '../plans/broadcast';
import type { AxisPlan } from '../plans/reduce';
import { elementwiseInWasm } from './dispatch';
import type { Buf } from './index';
import { sumRowsWasm } from './wasm/elementwise';

/** y[ib] += x[…]: sums x into y over the dims where y has size 1. `y` must start zeroed. */
export function sumTo(p: BroadcastPlan, x: Buf, y: Buf): void {
  if (p.bStep === 0) {
    // the inner run all lands on one y element (a full or trailing-dim sum): add it up in a
    // float64 local, so a float32 sum is rounded once per run instead of once per element
    for (let r = 0; r < p.rows; r++) {
      const base = r * p.inner;
      let s = 0;
      for (let j = 0; j < p.inner; j++) s += x[base + j]!;
      y[p.bOffset[r]!]! += s;
    }
    return;
  }
  for (let r = 0; r < p.rows; r++) {
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ib += p.bStep) y[ib]! += x[base + j]!;
  }
}

/** gx[…] += gy[ib]: broadcasts gy over x's shape and adds it in (sum's backward). */
export function broadcastAdd(p: BroadcastPlan, gy: Buf, gx: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ib += p.bStep) gx[base + j]! += gy[ib]!;
  }
}

/**
 * y[ib] = max over the reduced dims, arg[ib] = the flat index in x of the first maximum (x is
 * walked in row-major order and only a strictly greater value replaces the current one).
 * NaN propagates, as in PyTorch: the first NaN wins and stays.
 */
export function maxAlong(p: BroadcastPlan, x: Buf, y: Buf, arg: Int32Array): void {
  y.fill(Number.NEGATIVE_INFINITY);
  arg.fill(-1);
  for (let r = 0; r < p.rows; r++) {
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ib += p.bStep) {
      const v = x[base + j]!;
      const cur = y[ib]!;
      if (v > cur || arg[ib] === -1 || (Number.isNaN(v) && !Number.isNaN(cur))) {
        y[ib] = v;
        arg[ib] = base + j;
      }
    }
  }
}

/** gx[arg[i]] += gy[i]: the whole gradient of each maximum goes to its arg-max element. */
export function maxBackward(arg: Int32Array, gy: Buf, gx: Buf): void {
  for (let i = 0; i < arg.length; i++) gx[arg[i]!]! += gy[i]!;
}

/** out[0] = Σ x, added up in a float64 local. */
export function sumAll(x: Buf, out: Buf): void {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  out[0] = s;
}

/** out[j] += Σ_r x[r·n + j]: sums the rows of an [rows, n] matrix (the bias gradient of `linear`). */
export function sumRows(rows: number, n: number, x: Buf, out: Buf, accumulate = true): void {
  if (elementwiseInWasm(rows * n, x, out)) {
    sumRowsWasm(rows, n, x, out, accumulate);
    return;
  }
  if (!accumulate) out.fill(0, 0, n);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let j = 0; j < n; j++) out[j]! += x[base + j]!;
  }
}

/** out[r·n + j] += v[j]: adds a row vector to every row (the bias of `linear`). */
export function addRowVector(rows: number, n: number, v: Buf, out: Buf): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let j = 0; j < n; j++) out[base + j]! += v[j]!;
  }
}

/**
 * out[o, k] = the index i along the axis of the largest (sign 1) or smallest (sign −1) x[o, i, k];
 * the first one on ties, and the first NaN if there is one (PyTorch treats NaN as the extreme).
 */
export function argExtremum(p: AxisPlan, x: Buf, sign: number, out: Buf): void {
  const { outer, n, inner } = p;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const start = o * n * inner + k;
      let best = 0;
      let bestV = sign * x[start]!;
      for (let i = 1; i < n && !Number.isNaN(bestV); i++) {
        const v = sign * x[start + i * inner]!;
        if (v > bestV || Number.isNaN(v)) {
          best = i;
          bestV = v;
        }
      }
      out[o * inner + k] = best;
    }
  }
}

/** y = the running sum of x along the axis. */
export function cumsum(p: AxisPlan, x: Buf, y: Buf): void {
  const { outer, n, inner } = p;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let s = 0;
      for (let i = 0, at = o * n * inner + k; i < n; i++, at += inner) {
        s += x[at]!;
        y[at] = s;
      }
    }
  }
}

/** gx += the running sum of gy from the end (cumsum's adjoint: x_i enters every y_j with j ≥ i). */
export function cumsumBackward(p: AxisPlan, gy: Buf, gx: Buf): void {
  const { outer, n, inner } = p;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let s = 0;
      for (let i = n - 1, at = (o * n + n - 1) * inner + k; i >= 0; i--, at -= inner) {
        s += gy[at]!;
        gx[at]! += s;
      }
    }
  }
}
