import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { broadcastPlan, broadcastShape, normalizeDims, stridesOf } from '../src/plans/index';
import { broadcastPair, ravelBroadcast, unravel } from './tensor/helpers';

describe('shape logic', () => {
  it('broadcastShape follows PyTorch', () => {
    expect(broadcastShape('add', [3, 1], [1, 4])).toEqual([3, 4]);
    expect(broadcastShape('add', [5, 1, 4], [3, 1])).toEqual([5, 3, 4]);
    expect(broadcastShape('add', [], [2])).toEqual([2]);
    expect(() => broadcastShape('add', [2, 3], [4])).toThrow(
      'add: shapes [2,3] and [4] cannot broadcast (dim -1: 3 vs 4)',
    );
  });

  it('strides are row-major', () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
  });

  it('normalizeDims sorts, wraps negatives and means "all" for undefined or []', () => {
    expect(normalizeDims('sum', [-1, 0], 3)).toEqual([0, 2]);
    expect(normalizeDims('sum', undefined, 2)).toEqual([0, 1]);
    expect(normalizeDims('sum', [], 2)).toEqual([0, 1]);
    expect(normalizeDims('sum', 0, 0)).toEqual([]);
  });

  it('merges dims: same shapes become one row, a bias becomes rows × inner', () => {
    const same = broadcastPlan('add', [4, 5, 6], [4, 5, 6]);
    expect([same.rows, same.inner, same.aStep, same.bStep]).toEqual([1, 120, 1, 1]);
    const scalar = broadcastPlan('add', [4, 5], []);
    expect([scalar.rows, scalar.inner, scalar.aStep, scalar.bStep]).toEqual([1, 20, 1, 0]);
    const bias = broadcastPlan('add', [8, 3], [3]);
    expect([bias.rows, bias.inner, bias.aStep, bias.bStep]).toEqual([8, 3, 1, 1]);
    expect(Array.from(bias.bOffset)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('property: the plan visits exactly the naive broadcast index pairs, in output order', () => {
    fc.assert(
      fc.property(broadcastPair, ([sa, sb]) => {
        const p = broadcastPlan('add', sa, sb);
        expect(p.rows * p.inner).toBe(p.size);
        for (let r = 0; r < p.rows; r++) {
          for (let j = 0; j < p.inner; j++) {
            const idx = unravel(r * p.inner + j, p.shape);
            expect((p.aOffset[r] as number) + j * p.aStep).toBe(ravelBroadcast(idx, sa));
            expect((p.bOffset[r] as number) + j * p.bStep).toBe(ravelBroadcast(idx, sb));
          }
        }
      }),
      { numRuns: 300, seed: 1 },
    );
  });
});
