// Rng: the seeded random source behind randn, rand, init and dropout. Integer arithmetic only
// (Math.imul and 32-bit shifts), so a seed gives the same stream on every platform.
import { ChainruleError, describe, show } from './errors';

/**
 * xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018),
 * its 128-bit state filled from the seed by splitmix32. `next()` builds a 53-bit double in
 * [0, 1) from two outputs; `normal()` is the Box–Muller transform.
 *
 * The integer stream, and so `next()`, `uniform()` and `int()`, is bit-identical on every
 * platform. `normal()` also calls Math.log, Math.sqrt, Math.cos and Math.sin: V8 (Node, Chrome)
 * computes those with the same fdlibm code everywhere; another JavaScript engine may round the
 * last bit differently.
 *
 * @example
 * const rng = new Rng(42);
 * rng.next();   // uniform in [0, 1)
 * rng.normal(); // standard normal
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new ChainruleError(`Rng: seed must be a finite number, got ${describe(seed)}`);
    let z = (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
    const splitmix32 = (): number => {
      z = (z + 0x9e3779b9) | 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32();
  }

  /** The next 32-bit unsigned integer of the stream. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    if (typeof low !== 'number' || typeof high !== 'number' || !(low <= high)) {
      throw new ChainruleError(`uniform: expects numbers low ≤ high, got ${show(low)} and ${show(high)}`);
    }
    return low + (high - low) * this.next();
  }

  /** Standard normal N(0, 1): Box–Muller, z = √(−2 ln u₁)·cos(2πu₂), the sine half kept for the next call. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u1 = 1 - this.next(); // (0, 1]: ln(u1) is finite
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniformly random integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new ChainruleError(`int: n must be a positive integer, got ${show(n)}`);
    return Math.floor(this.next() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
