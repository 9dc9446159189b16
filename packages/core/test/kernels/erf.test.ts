import { describe, expect, it } from 'vitest';
import { erf, gelu, geluBackward, normalCdf32 } from '../../src/kernels/unary';

/** a[i] of a typed array, typed as a number (the loop bounds guarantee the index). */
const at = (a: ArrayLike<number>, i: number): number => a[i] as number;

describe('erf', () => {
  it("matches C's erf (printed by Python's math.erf) to a few ulps on both branches", () => {
    const reference: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.49, 0.9995707121322661],
      [2.5, 0.999593047982555],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
      [5.5, 0.9999999999999927],
      [-1.3, -0.9340079449406524],
    ];
    for (const [x, want] of reference) expect(Math.abs(erf(x) - want)).toBeLessThan(1e-15);
    expect(erf(0)).toBe(0);
    expect(erf(10)).toBe(1);
    expect(erf(-10)).toBe(-1);
  });
});

describe('normalCdf32 (the float32 GELU)', () => {
  it("matches Φ(x) = ½erfc(−x/√2) (printed by Python's math.erfc) within 1.2e-7 relative, tail included", () => {
    const reference: [number, number][] = [
      [-12, 1.776482112077702e-33],
      [-8, 6.220960574271819e-16],
      [-5, 2.866515718791946e-7],
      [-3, 0.0013498980316300957],
      [-1.5, 0.06680720126885809],
      [-0.5, 0.3085375387259869],
      [0, 0.5],
      [0.25, 0.5987063256829237],
      [1, 0.8413447460685429],
      [2.5, 0.9937903346742238],
      [4, 0.9999683287581669],
      [9, 1],
    ];
    for (const [x, want] of reference) expect(Math.abs(normalCdf32(x) - want) / want).toBeLessThan(1.2e-7);
  });

  it('float32 GELU and its gradient agree with the float64 exact-erf kernels to float32 precision', () => {
    const n = 4001;
    const x64 = Float64Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
    const x32 = Float32Array.from(x64);
    const y64 = new Float64Array(n);
    const y32 = new Float32Array(n);
    gelu(Float64Array.from(x32), y64);
    gelu(x32, y32);
    const g64 = new Float64Array(n);
    const g32 = new Float32Array(n);
    geluBackward(Float64Array.from(x32), new Float64Array(n).fill(1), g64);
    geluBackward(x32, new Float32Array(n).fill(1), g32);
    for (let i = 0; i < n; i++) {
      // float64's 1 + erf cancels below x ≈ −3: there only the absolute error is meaningful
      const tol = (v: number) => 3e-7 * Math.max(Math.abs(v), 1e-6);
      expect(Math.abs(at(y32, i) - at(y64, i))).toBeLessThan(tol(at(y64, i)));
      // the gradient Φ(x) + x·φ(x) cancels near x ≈ −0.75: the error is relative to its terms' size
      const v = at(x32, i);
      const terms = 0.5 * (1 + erf(v * Math.SQRT1_2)) + Math.abs(v) * Math.exp(-0.5 * v * v) * 0.3989422804014327;
      expect(Math.abs(at(g32, i) - at(g64, i))).toBeLessThan(tol(terms));
    }
  });
});
