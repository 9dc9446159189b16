// Plans on their own: each index map checked against the most obvious reference, over random
// shapes and arguments (fast-check). A plan is pure data, so these tests need no tensors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  broadcastPlan3,
  catPlan,
  flipPlan,
  gatherPlan,
  matmulPlan,
  permutePlan,
  repeatPlan,
  slicePlan,
  stridesOf,
} from '../src/plans/index';
import { ravelBroadcast, unravel } from './tensor/helpers';

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
const ravel = (idx: readonly number[], shape: readonly number[]) =>
  idx.reduce((flat, i, d) => flat * (shape[d] as number) + i, 0);
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('plans', () => {
  it('slicePlan with one range per dim equals the nested-loop reference', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.tuple(
              ...shape.map((n) =>
                fc.tuple(
                  fc.integer({ min: -n, max: n }),
                  fc.integer({ min: -n, max: n }),
                  fc.integer({ min: 1, max: 3 }),
                ),
              ),
            ),
          ),
        ),
        ([shape, ranges]) => {
          const p = slicePlan('slice', shape, ranges);
          // reference: Python's range of each slice, then every combination in row-major order
          const picks = ranges.map(([a, b, step], d) => {
            const n = shape[d] as number;
            const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
            const out: number[] = [];
            for (let i = clamp(a); i < clamp(b); i += step) out.push(i);
            return out;
          });
          expect(p.outShape).toEqual(picks.map((q) => q.length));
          for (let i = 0; i < p.src.length; i++) {
            const idx = unravel(i, p.outShape);
            expect(p.src[i]).toBe(
              ravel(
                idx.map((k, d) => picks[d]?.[k] as number),
                shape,
              ),
            );
          }
        },
      ),
      { seed: 17, numRuns: 100 },
    );
  });

  it('permutePlan and flipPlan move each element where the reference says', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.shuffledSubarray(
              shape.map((_, i) => i),
              { minLength: shape.length },
            ),
          ),
        ),
        ([shape, perm]) => {
          const p = permutePlan(shape, perm);
          const f = flipPlan(shape, [0, shape.length - 1]);
          for (let o = 0; o < size(shape); o++) {
            const idx = unravel(o, p.outShape);
            const src = new Array<number>(shape.length);
            perm.forEach((d, i) => {
              src[d] = idx[i] as number;
            });
            const r = Math.floor(o / p.inner);
            expect((p.srcOffsets[r] as number) + (o % p.inner) * p.innerStride).toBe(ravel(src, shape));
            const fi = unravel(o, shape).map((k, d) =>
              d === 0 || d === shape.length - 1 ? (shape[d] as number) - 1 - k : k,
            );
            expect(f.src[o]).toBe(ravel(fi, shape));
          }
        },
      ),
      { seed: 3, numRuns: 60 },
    );
  });

  it('gatherPlan replaces the coordinate along dim with the index (torch.gather)', () => {
    const shape = [3, 4, 2];
    const index = { values: [3, 0, 1, 1, 2, 3, 0, 0, 1, 2, 3, 3], shape: [2, 3, 2] };
    const p = gatherPlan('gather', shape, 1, index);
    for (let i = 0; i < p.src.length; i++) {
      const idx = unravel(i, index.shape);
      idx[1] = index.values[i] as number;
      expect(p.src[i]).toBe(ravel(idx, shape));
    }
  });

  it('repeatPlan reads x at out index mod the input size; catPlan tiles the output', () => {
    const p = repeatPlan('repeat', [2, 3], [2, 1, 2]);
    expect(p.outShape).toEqual([2, 2, 6]);
    for (let i = 0; i < p.src.length; i++) {
      const [, r, c] = unravel(i, p.outShape) as [number, number, number];
      expect(p.src[i]).toBe((r % 2) * 3 + (c % 3));
    }
    const c = catPlan(
      'cat',
      [
        [2, 1, 3],
        [2, 4, 3],
      ],
      1,
    );
    expect(c.outShape).toEqual([2, 5, 3]);
    expect(c.windows.map((w) => [w.dstStart, w.length, w.dstN])).toEqual([
      [0, 1, 5],
      [1, 4, 5],
    ]);
  });

  it("a three-operand walk reads each operand where broadcasting says (where's plan)", () => {
    const [c, a, b] = [[2, 1, 3], [4, 1], [3]];
    const w = broadcastPlan3('where', c, a, b);
    expect(w.shape).toEqual([2, 4, 3]);
    for (let r = 0, o = 0; r < w.rows; r++) {
      for (let j = 0; j < w.inner; j++, o++) {
        const idx = unravel(o, w.shape);
        [c, a, b].forEach((s, k) => {
          expect((w.offsets[k]?.[r] as number) + j * (w.steps[k] as number)).toBe(ravelBroadcast(idx, s));
        });
      }
    }
  });

  it('matmulPlan walks broadcast batches with matrix offsets, and folds a shared B', () => {
    const p = matmulPlan([3, 1, 2, 4], [5, 4, 6]);
    expect(p.outShape).toEqual([3, 5, 2, 6]);
    expect(Array.from(p.aOffsets.slice(0, 6))).toEqual([0, 0, 0, 0, 0, 8]);
    expect(Array.from(p.bOffsets.slice(0, 6))).toEqual([0, 24, 48, 72, 96, 0]);
    expect(Array.from(p.cOffsets.slice(0, 3))).toEqual([0, 12, 24]);
    const folded = matmulPlan([7, 2, 4], [4, 6]);
    expect([folded.m, folded.cOffsets.length]).toEqual([14, 1]);
    expect(stridesOf([2, 3])).toEqual([3, 1]);
  });
});
