import { describe, expect, it } from 'vitest';
import { erf } from '../../src/kernels/unary';

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
