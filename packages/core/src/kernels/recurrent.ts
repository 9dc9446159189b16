// Kernels of the fused LSTM cell step (ops/recurrent.ts): the four gates' activations, the cell
// update and the output in one pass, and the two backwards. Rows are the batch, `hidden` the
// state width H; a row of gates holds the i, f, g, o pre-activations, H each (PyTorch's order).
// The saved activations `act` hold per row, 5H wide: σ(i), σ(f), tanh(g), σ(o), tanh(c').
import { elementwiseInWasm } from './dispatch';
import type { Buf } from './index';
import { lstmCellWasm } from './wasm/elementwise';

/** σ(v) without overflow on either side (the sigmoid kernel's formula). */
function sigma(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * Forward: a = gi + gh; c' = σ(a_f)∘c + σ(a_i)∘tanh(a_g); h = σ(a_o)∘tanh(c'); writes cNext, h
 * and, when given (a graph will need them), act. Float32 from WASM_MIN_ELEMENTWISE gate elements in WebAssembly SIMD, in float32
 * lanes (assembly/recurrent.ts: σ within 3 ulp, tanh within 2 ulp of the exact values).
 */
export function lstmCell(
  rows: number,
  hidden: number,
  gi: Buf,
  gh: Buf,
  c: Buf,
  act: Buf | null,
  cNext: Buf,
  h: Buf,
): void {
  if (
    gi instanceof Float32Array &&
    gh instanceof Float32Array &&
    c instanceof Float32Array &&
    (act === null || act instanceof Float32Array) &&
    cNext instanceof Float32Array &&
    h instanceof Float32Array &&
    elementwiseInWasm(gi.length, gi, gh, c, cNext, h)
  ) {
    lstmCellWasm(rows, hidden, gi, gh, c, act, cNext, h);
    return;
  }
  const H = hidden;
  // row by row: the gate rows at r·4H, the saved activations at r·5H, the states at r·H
  for (let r = 0; r < rows; r++) {
    const g0 = r * 4 * H;
    const a0 = r * 5 * H;
    const s0 = r * H;
    for (let j = 0; j < H; j++) {
      const i = sigma(gi[g0 + j]! + gh[g0 + j]!);
      const f = sigma(gi[g0 + H + j]! + gh[g0 + H + j]!);
      const g = Math.tanh(gi[g0 + 2 * H + j]! + gh[g0 + 2 * H + j]!);
      const o = sigma(gi[g0 + 3 * H + j]! + gh[g0 + 3 * H + j]!);
      cNext[s0 + j] = f * c[s0 + j]! + i * g;
      // from c' as stored, so that h is o·tanh of the state the next step reads
      const t = Math.tanh(cNext[s0 + j]!);
      h[s0 + j] = o * t;
      if (act === null) continue;
      act[a0 + j] = i;
      act[a0 + H + j] = f;
      act[a0 + 2 * H + j] = g;
      act[a0 + 3 * H + j] = o;
      act[a0 + 4 * H + j] = t;
    }
  }
}

/**
 * The cell update's backward, given gy = ∂L/∂c': adds into ga (the gates' gradient, rows × 4H;
 * its o part untouched) and into gc = ∂L/∂c, each when given.
 */
export function lstmCellStateBackward(
  rows: number,
  hidden: number,
  act: Buf,
  c: Buf,
  gy: Buf,
  ga: Buf | null,
  gc: Buf | null,
): void {
  const H = hidden;
  for (let r = 0; r < rows && ga !== null; r++) {
    const g0 = r * 4 * H;
    const a0 = r * 5 * H;
    const s0 = r * H;
    for (let j = 0; j < H; j++) {
      const i = act[a0 + j]!;
      const f = act[a0 + H + j]!;
      const g = act[a0 + 2 * H + j]!;
      const d = gy[s0 + j]!;
      ga[g0 + j]! += d * g * i * (1 - i);
      ga[g0 + H + j]! += d * c[s0 + j]! * f * (1 - f);
      ga[g0 + 2 * H + j]! += d * i * (1 - g * g);
    }
  }
  for (let r = 0; r < rows && gc !== null; r++) {
    const a0 = r * 5 * H + H;
    const s0 = r * H;
    for (let j = 0; j < H; j++) gc[s0 + j]! += gy[s0 + j]! * act[a0 + j]!;
  }
}

/**
 * The output's backward, given gy = ∂L/∂h: adds into ga's o part and into gcNext = ∂L/∂c', each
 * when given.
 */
export function lstmCellOutputBackward(
  rows: number,
  hidden: number,
  act: Buf,
  gy: Buf,
  ga: Buf | null,
  gcNext: Buf | null,
): void {
  const H = hidden;
  for (let r = 0; r < rows && ga !== null; r++) {
    const g0 = r * 4 * H + 3 * H;
    const a0 = r * 5 * H;
    const s0 = r * H;
    for (let j = 0; j < H; j++) {
      const o = act[a0 + 3 * H + j]!;
      ga[g0 + j]! += gy[s0 + j]! * act[a0 + 4 * H + j]! * o * (1 - o);
    }
  }
  for (let r = 0; r < rows && gcNext !== null; r++) {
    const a0 = r * 5 * H;
    const s0 = r * H;
    for (let j = 0; j < H; j++) {
      const o = act[a0 + 3 * H + j]!;
      const t = act[a0 + 4 * H + j]!;
      gcNext[s0 + j]! += gy[s0 + j]! * o * (1 - t * t);
    }
  }
}
