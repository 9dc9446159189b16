// Broadcasting binary kernels, all driven by a BroadcastPlan (plans/broadcast.ts): output element
// r·inner + j reads a[aOffset[r] + j·aStep] and b[bOffset[r] + j·bStep]. Backward kernels are
// written for operand `a`; the ops call them with swapPlan(p) for `b`. Because they add (+=)
// while walking a broadcast operand with step 0, they sum its gradient back to its shape.
import type { BroadcastPlan } from '../plans/broadcast';
import type { Buf } from './index';

export function add(p: BroadcastPlan, a: Buf, b: Buf, out: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) out[base + j] = a[ia]! + b[ib]!;
  }
}

export function sub(p: BroadcastPlan, a: Buf, b: Buf, out: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) out[base + j] = a[ia]! - b[ib]!;
  }
}

export function mul(p: BroadcastPlan, a: Buf, b: Buf, out: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) out[base + j] = a[ia]! * b[ib]!;
  }
}

export function div(p: BroadcastPlan, a: Buf, b: Buf, out: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) out[base + j] = a[ia]! / b[ib]!;
  }
}

/** ga += scale · gy, summed over the dims where `a` is broadcast (add: scale 1; sub's b: −1). */
export function scaledBackward(p: BroadcastPlan, gy: Buf, scale: number, ga: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep) ga[ia]! += scale * gy[base + j]!;
  }
}

/** ga += gy · b (the product rule for one factor). */
export function mulBackward(p: BroadcastPlan, gy: Buf, b: Buf, ga: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) ga[ia]! += gy[base + j]! * b[ib]!;
  }
}

/** ga += gy / b (the numerator of a quotient). */
export function divBackwardNumerator(p: BroadcastPlan, gy: Buf, b: Buf, ga: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) ga[ia]! += gy[base + j]! / b[ib]!;
  }
}

/** gb −= gy · a/b² (the denominator of a quotient), walking the plan with both offsets. */
export function divBackwardDenominator(p: BroadcastPlan, gy: Buf, a: Buf, b: Buf, gb: Buf): void {
  for (let r = 0; r < p.rows; r++) {
    let ia = p.aOffset[r]!;
    let ib = p.bOffset[r]!;
    const base = r * p.inner;
    for (let j = 0; j < p.inner; j++, ia += p.aStep, ib += p.bStep) {
      gb[ib]! -= (a[ia]! / (b[ib]! * b[ib]!)) * gy[base + j]!;
    }
  }
}
