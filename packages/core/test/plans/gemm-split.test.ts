// gemmSplit: the blocks of C that threads compute, checked against its contract by enumeration.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemmSplit } from '../../src/plans/matmul';

describe('gemmSplit', () => {
  it('splits rows when n ≤ m and columns otherwise, in blocks that are multiples of 8', () => {
    // 100 rows over 2 threads: ceil(50 / 8)·8 = 56, then the 44 left
    expect([...gemmSplit(100, 30, 2)]).toEqual([0, 56, 0, 30, 56, 44, 0, 30]);
    // 64×128 (a forward x·Wᵀ of an MLP): columns, 64 each
    expect([...gemmSplit(64, 128, 2)]).toEqual([0, 64, 0, 64, 0, 64, 64, 64]);
    // too small to share: one block
    expect([...gemmSplit(5, 3, 4)]).toEqual([0, 5, 0, 3]);
    expect([...gemmSplit(9, 9, 1)]).toEqual([0, 9, 0, 9]);
  });

  it('the blocks tile C exactly once, at most `parts` of them', () => {
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 300 }),
      n: fc.integer({ min: 1, max: 300 }),
      parts: fc.integer({ min: 1, max: 8 }),
    });
    fc.assert(
      fc.property(arb, ({ m, n, parts }) => {
        const s = gemmSplit(m, n, parts);
        const blocks = s.length / 4;
        expect(blocks).toBeGreaterThanOrEqual(1);
        expect(blocks).toBeLessThanOrEqual(parts);
        const seen = new Uint8Array(m * n);
        for (let t = 0; t < blocks; t++) {
          const [i0 = 0, rows = 0, j0 = 0, cols = 0] = s.subarray(4 * t, 4 * t + 4);
          expect(rows).toBeGreaterThan(0);
          expect(cols).toBeGreaterThan(0);
          // the split dimension's blocks, all but the last, are multiples of 8
          if (t + 1 < blocks) expect((n <= m ? rows : cols) % 8).toBe(0);
          for (let i = i0; i < i0 + rows; i++)
            for (let j = j0; j < j0 + cols; j++) seen[i * n + j] = (seen[i * n + j] ?? 0) + 1;
        }
        expect(seen.every((v) => v === 1)).toBe(true);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
