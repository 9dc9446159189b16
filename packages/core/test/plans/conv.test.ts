import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as kernels from '../../src/kernels/index';
import { convPlan, poolPlan, windowOutputLength, windowPlan } from '../../src/plans/conv';

const window = fc.record({
  inH: fc.integer({ min: 1, max: 8 }),
  inW: fc.integer({ min: 1, max: 8 }),
  kH: fc.integer({ min: 1, max: 4 }),
  kW: fc.integer({ min: 1, max: 4 }),
  sH: fc.integer({ min: 1, max: 3 }),
  sW: fc.integer({ min: 1, max: 3 }),
  pads: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
  dH: fc.integer({ min: 1, max: 3 }),
  dW: fc.integer({ min: 1, max: 3 }),
});

describe('window plan', () => {
  it('the output length is the number of window starts that fit: a count against the formula', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (n, k, s, pb, pa, d) => {
          let count = 0;
          for (let start = -pb; start + d * (k - 1) <= n - 1 + pa; start += s) count++;
          expect(Math.max(windowOutputLength(n, k, s, pb, pa, d), 0)).toBe(count);
        },
      ),
    );
  });

  it('index[t·outSize + o] is the pixel tap t of window o reads, or −1 in the padding (naive loop)', () => {
    fc.assert(
      fc.property(window, (c) => {
        const [pT, pL, pB, pR] = c.pads as [number, number, number, number];
        const outH = windowOutputLength(c.inH, c.kH, c.sH, pT, pB, c.dH);
        const outW = windowOutputLength(c.inW, c.kW, c.sW, pL, pR, c.dW);
        const build = () =>
          windowPlan('test', [c.inH, c.inW], [c.kH, c.kW], [c.sH, c.sW], [pT, pL, pB, pR], [c.dH, c.dW]);
        if (outH < 1 || outW < 1) {
          expect(build).toThrow('test: the padded input');
          return;
        }
        const p = build();
        expect([p.outH, p.outW, p.kSize, p.outSize]).toEqual([outH, outW, c.kH * c.kW, outH * outW]);
        const expected: number[] = [];
        for (let i = 0; i < c.kH; i++)
          for (let j = 0; j < c.kW; j++)
            for (let oh = 0; oh < outH; oh++)
              for (let ow = 0; ow < outW; ow++) {
                const h = oh * c.sH + i * c.dH - pT;
                const w = ow * c.sW + j * c.dW - pL;
                expected.push(h < 0 || h >= c.inH || w < 0 || w >= c.inW ? -1 : h * c.inW + w);
              }
        expect(Array.from(p.index)).toEqual(expected);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('rows, where the width stride is 1, are the index map as runs: expanding them gives the map back', () => {
    let withRows = 0;
    fc.assert(
      fc.property(window, (c) => {
        const [pT, pL, pB, pR] = c.pads as [number, number, number, number];
        const outH = windowOutputLength(c.inH, c.kH, c.sH, pT, pB, c.dH);
        const outW = windowOutputLength(c.inW, c.kW, c.sW, pL, pR, c.dW);
        fc.pre(outH >= 1 && outW >= 1);
        const p = windowPlan('test', [c.inH, c.inW], [c.kH, c.kW], [c.sH, c.sW], [pT, pL, pB, pR], [c.dH, c.dW]);
        if (c.sW !== 1) {
          expect(p.rows).toBeNull();
          return;
        }
        withRows++;
        const rows = p.rows as Int32Array;
        expect(rows.length).toBe(3 * p.kSize * outH);
        const expanded: number[] = [];
        for (let r = 0; r < p.kSize * outH; r++) {
          const [start, lo, hi] = [rows[3 * r], rows[3 * r + 1], rows[3 * r + 2]] as [number, number, number];
          expect(0 <= lo && lo <= hi && hi <= outW).toBe(true);
          for (let ow = 0; ow < outW; ow++) expanded.push(ow >= lo && ow < hi ? start + ow : -1);
        }
        expect(expanded).toEqual(Array.from(p.index));
      }),
      { numRuns: 300, seed: 5 },
    );
    expect(withRows).toBeGreaterThan(50);
  });

  it("'same' keeps the spatial size for odd and even kernels; a 1-D plan is a 2-D one of height 1", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        (h, w, kH, kW, d) => {
          const p = convPlan('conv2d', 2, [1, 1, h, w], [1, 1, kH, kW], null, { padding: 'same', dilation: d });
          expect(p.outShape).toEqual([1, 1, h, w]);
          const q = convPlan('conv1d', 1, [2, 1, w], [3, 1, kW], [3], { padding: 'same', dilation: d });
          expect(q.outShape).toEqual([2, 3, w]);
          expect([q.inH, q.kH, q.outH]).toEqual([1, 1, 1]);
        },
      ),
    );
  });

  it('pool plans count planes over every leading dim and default the stride to the kernel', () => {
    const p = poolPlan('maxPool2d', [2, 3, 7, 6], 2, {});
    expect([p.planes, ...p.outShape]).toEqual([6, 2, 3, 3, 3]);
    expect(poolPlan('avgPool2d', [3, 7, 6], [3, 2], { stride: 1, padding: [1, 0] }).outShape).toEqual([3, 7, 5]);
  });
});

describe('im2col kernels', () => {
  it('col2imAdd is the adjoint of im2col: ⟨U x, c⟩ = ⟨x, Uᵀ c⟩', () => {
    fc.assert(
      fc.property(window, fc.integer({ min: 1, max: 3 }), (c, channels) => {
        const [pT, pL, pB, pR] = c.pads as [number, number, number, number];
        let p: ReturnType<typeof windowPlan>;
        try {
          p = windowPlan('test', [c.inH, c.inW], [c.kH, c.kW], [c.sH, c.sW], [pT, pL, pB, pR], [c.dH, c.dW]);
        } catch {
          return;
        }
        const x = Float64Array.from({ length: channels * p.inSize + 3 }, (_, i) => Math.sin(i + 1));
        const cols = Float64Array.from({ length: channels * p.kSize * p.outSize }, (_, i) => Math.cos(2 * i + 1));
        const ux = new Float64Array(cols.length);
        kernels.im2col(p, channels, x, 3, ux);
        const utc = new Float64Array(x.length);
        kernels.col2imAdd(p, channels, cols, utc, 3);
        let lhs = 0;
        let rhs = 0;
        for (let i = 0; i < cols.length; i++) lhs += (ux[i] as number) * (cols[i] as number);
        for (let i = 0; i < x.length; i++) rhs += (x[i] as number) * (utc[i] as number);
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(lhs)));
        expect(Array.from(utc.subarray(0, 3))).toEqual([0, 0, 0]);
      }),
      { numRuns: 100, seed: 5 },
    );
  });
});
