import { describe, expect, it } from 'vitest';
import { ChainruleError, Rng } from '../src/index';

describe('Rng', () => {
  it('is xoshiro128**: from state [1,2,3,4] it gives the reference C implementation outputs', () => {
    const rng = new Rng(0);
    Object.assign(rng, { s0: 1, s1: 2, s2: 3, s3: 4 });
    // printed by Blackman & Vigna's xoshiro128starstar.c compiled with gcc, state {1,2,3,4}
    expect([1, 2, 3, 4, 5].map(() => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
  });

  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('next() is uniform on [0, 1): mean 1/2, variance 1/12', () => {
    const rng = new Rng(123);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      s += u;
      s2 += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = s / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it('normal() has mean 0, variance 1 and ~68.3% of its mass within one sigma', () => {
    const rng = new Rng(99);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let within = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
      if (Math.abs(z) < 1) within++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(within / n - 0.6827)).toBeLessThan(0.005);
  });

  it('int(n) covers [0, n) evenly', () => {
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const k = rng.int(4);
      counts[k] = (counts[k] as number) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Rng(Number.NaN)).toThrow(ChainruleError);
    expect(() => new Rng(Number.NaN)).toThrow('Rng: seed must be a finite number, got number NaN');
  });
});
