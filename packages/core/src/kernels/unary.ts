// Elementwise unary kernels, one forward/backward pair per op. Backward kernels read the saved
// input x or output y, whichever the formula needs more cheaply, and add into gx.
import type { Buf } from './index';

export function neg(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = -x[i]!;
}
export function negBackward(gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! -= gy[i]!;
}

export function exp(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]!);
}
export function expBackward(y: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * y[i]!;
}

export function log(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]!);
}
export function logBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! / x[i]!;
}

export function sqrt(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]!);
}
export function sqrtBackward(y: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! / (2 * y[i]!);
}

export function abs(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]!);
}
export function absBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * Math.sign(x[i]!);
}

export function pow(x: Buf, exponent: number, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i]! ** exponent;
}
export function powBackward(x: Buf, exponent: number, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * (exponent * x[i]! ** (exponent - 1));
}

export function tanh(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]!);
}
export function tanhBackward(y: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * (1 - y[i]! * y[i]!);
}

/** σ(x) = 1/(1 + e⁻ˣ), with e^x/(1 + e^x) for x < 0 so that neither branch overflows. */
export function sigmoid(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
}
export function sigmoidBackward(y: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * (y[i]! * (1 - y[i]!));
}

export function relu(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.max(x[i]!, 0);
}
export function reluBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) if (x[i]! > 0) gx[i]! += gy[i]!;
}

export function leakyRelu(x: Buf, slope: number, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i]! > 0 ? x[i]! : slope * x[i]!;
}
export function leakyReluBackward(x: Buf, slope: number, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += x[i]! > 0 ? gy[i]! : slope * gy[i]!;
}

/** gx += gy: the backward of every op that only moves or copies elements in order (reshape). */
export function addInto(gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]!;
}
