// Elementwise unary kernels, one forward/backward pair per op. Backward kernels read the saved
// input x or output y, whichever the formula needs more cheaply, and add into gx.
import { elementwiseInWasm } from './dispatch';
import type { Buf } from './index';
import { geluBackwardWasm, geluWasm, reluBackwardWasm, reluWasm, unaryWasm } from './wasm/elementwise';

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
/** gx += gy · n·xⁿ⁻¹; for n = 0 the derivative is 0 everywhere (x⁰ = 1), also at x = 0 (0·0⁻¹ would be NaN). */
export function powBackward(x: Buf, exponent: number, gy: Buf, gx: Buf): void {
  if (exponent === 0) return;
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * (exponent * x[i]! ** (exponent - 1));
}

/** Float32 from WASM_MIN_ELEMENTWISE elements in WebAssembly SIMD (Math.tanh costs ~12 ns an element). */
export function tanh(x: Buf, y: Buf): void {
  if (x instanceof Float32Array && y instanceof Float32Array && elementwiseInWasm(x.length, x, y)) {
    unaryWasm('tanh', x, y);
    return;
  }
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]!);
}
export function tanhBackward(y: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * (1 - y[i]! * y[i]!);
}

/**
 * σ(x) = 1/(1 + e⁻ˣ), with e^x/(1 + e^x) for x < 0 so that neither branch overflows. Float32 from
 * WASM_MIN_ELEMENTWISE elements in WebAssembly SIMD (the same formula in float64 lanes).
 */
export function sigmoid(x: Buf, y: Buf): void {
  if (x instanceof Float32Array && y instanceof Float32Array && elementwiseInWasm(x.length, x, y)) {
    unaryWasm('sigmoid', x, y);
    return;
  }
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

// ReLU runs in WebAssembly SIMD from WASM_MIN_ELEMENTWISE float elements: branch-free there, while
// these loops mispredict on half the elements of random-signed pre-activations (measured 5–6 ns
// an element here against under 1 in WebAssembly, copies included).
export function relu(x: Buf, y: Buf): void {
  if (elementwiseInWasm(x.length, x, y)) reluWasm(x, y);
  else for (let i = 0; i < x.length; i++) y[i] = Math.max(x[i]!, 0);
}
/** gx += gy where x > 0 (0 elsewhere, whatever gy holds); without `accumulate`, gx is written. */
export function reluBackward(x: Buf, gy: Buf, gx: Buf, accumulate = true): void {
  if (elementwiseInWasm(x.length, x, gy, gx)) reluBackwardWasm(x, gy, gx, accumulate);
  else if (accumulate) for (let i = 0; i < gy.length; i++) gx[i]! += x[i]! > 0 ? gy[i]! : 0;
  else for (let i = 0; i < gy.length; i++) gx[i] = x[i]! > 0 ? gy[i]! : 0;
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

/** softplus(x) = ln(1 + eˣ), as max(x, 0) + ln(1 + e^−|x|) so that eˣ never overflows. */
export function softplus(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.max(x[i]!, 0) + Math.log1p(Math.exp(-Math.abs(x[i]!)));
}
/** gx += gy · σ(x): the derivative of softplus is the sigmoid. */
export function softplusBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) {
    const v = x[i]!;
    const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    gx[i]! += gy[i]! * s;
  }
}

/**
 * GELU(x) = x·Φ(x) = ½x(1 + erf(x/√2)), the exact form (PyTorch's default). Float32 data takes
 * Φ from normalCdf32 (relative error ≤ 1.2e-7, one float32 rounding), in WebAssembly SIMD from
 * WASM_MIN_ELEMENTWISE elements (the same formula in float64 lanes); float64 keeps the exact erf.
 */
export function gelu(x: Buf, y: Buf): void {
  if (x instanceof Float32Array && y instanceof Float32Array && elementwiseInWasm(x.length, x, y)) geluWasm(x, y);
  else if (x instanceof Float32Array) for (let i = 0; i < x.length; i++) y[i] = x[i]! * normalCdf32(x[i]!);
  else for (let i = 0; i < x.length; i++) y[i] = 0.5 * x[i]! * (1 + erf(x[i]! * Math.SQRT1_2));
}
/** gx += gy · (Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π). */
export function geluBackward(x: Buf, gy: Buf, gx: Buf): void {
  if (
    x instanceof Float32Array &&
    gy instanceof Float32Array &&
    gx instanceof Float32Array &&
    elementwiseInWasm(x.length, x, gy, gx)
  ) {
    geluBackwardWasm(x, gy, gx);
    return;
  }
  if (x instanceof Float32Array) {
    for (let i = 0; i < gy.length; i++) {
      const v = x[i]!;
      const pdf = Math.exp(-0.5 * v * v) * 0.3989422804014327;
      gx[i]! += gy[i]! * (normalCdf32(v) + v * pdf);
    }
    return;
  }
  for (let i = 0; i < gy.length; i++) {
    const v = x[i]!;
    const cdf = 0.5 * (1 + erf(v * Math.SQRT1_2));
    const pdf = Math.exp(-0.5 * v * v) * 0.3989422804014327;
    gx[i]! += gy[i]! * (cdf + v * pdf);
  }
}

/**
 * Φ(x), the standard normal CDF, to float32 precision: ½·erfc(−x/√2) with erfc from the Chebyshev
 * fit of Numerical Recipes (Press et al., 2nd ed., §6.2, `erfcc`), whose relative error is below
 * 1.2e-7 for every argument. Φ(x) = ½erfc(|x|/√2) for x < 0 keeps that relative error in the
 * tail, where 1 + erf(x/√2) would cancel; for x ≥ 0, Φ = 1 − ½erfc(x/√2) ≥ ½ is within 6e-8.
 * One exp per element against erf's series of up to 100 terms (the float32 GELU's cost).
 */
export function normalCdf32(x: number): number {
  const z = Math.abs(x) * Math.SQRT1_2;
  const t = 1 / (1 + 0.5 * z);
  const p =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const half = 0.5 * t * Math.exp(-z * z + p); // ½·erfc(z)
  return x < 0 ? half : 1 - half;
}

/** y = erf(x), elementwise. */
export function erfForward(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = erf(x[i]!);
}
/** gx += gy · 2/√π · e^(−x²). */
export function erfBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * 1.1283791670955126 * Math.exp(-x[i]! * x[i]!);
}

/**
 * The error function to ~1e-15 relative: its Maclaurin series 2/√π Σ (−1)ⁿx²ⁿ⁺¹/(n!(2n+1)) for
 * |x| < 2.5, and erfc's continued fraction (evaluated by Lentz's method) beyond.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1.1283791670955126 * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = ax + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = ax + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * 1.7724538509055159);
  return Math.sign(x) * (1 - erfc);
}

export function sin(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.sin(x[i]!);
}
export function sinBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += gy[i]! * Math.cos(x[i]!);
}

export function cos(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.cos(x[i]!);
}
export function cosBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! -= gy[i]! * Math.sin(x[i]!);
}

export function square(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i]! * x[i]!;
}
export function squareBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) gx[i]! += 2 * x[i]! * gy[i]!;
}

/** silu(x) = x·σ(x), with σ computed on the branch that cannot overflow. */
export function silu(x: Buf, y: Buf): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = v >= 0 ? v / (1 + Math.exp(-v)) : (v * Math.exp(v)) / (1 + Math.exp(v));
  }
}
/** gx += gy · σ(x)(1 + x(1 − σ(x))). */
export function siluBackward(x: Buf, gy: Buf, gx: Buf): void {
  for (let i = 0; i < gy.length; i++) {
    const v = x[i]!;
    const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    gx[i]! += gy[i]! * s * (1 + v * (1 - s));
  }
}
