// Training-tool kernels: the non-finite screen of `step()`, the norms and in-place scaling of
// gradient clipping, and the DataLoader's row gather, on typed arrays. No graph code, no
// allocation; the loop bounds guarantee every index (hence the `!` after reads). The optimizers'
// update loops live in @chainrule/core (optimKernels: core/src/kernels/optim.ts), next to their
// WebAssembly versions.
import type { Buf } from '@chainrule/core';

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
