// A curve over a run of any length in bounded memory: values are averaged into buckets of
// `width` consecutive steps, and when the buckets fill their capacity, neighbours are merged in
// pairs and the width doubles. Drawing it costs O(capacity), however long the run.

/** One bucket: the mean of `count` values of steps in [first, first + width). */
export interface Bucket {
  first: number;
  count: number;
  mean: number;
}

/** A downsampled series of (step, value) pairs, pushed in increasing step order. */
export class Series {
  private buckets: Bucket[] = [];
  /** Steps per bucket: 1, 2, 4, … */
  width = 1;

  constructor(readonly capacity = 512) {
    if (!Number.isInteger(capacity) || capacity < 2) {
      throw new RangeError(`Series: capacity must be an integer ≥ 2, got ${capacity}`);
    }
  }

  /** The last step pushed. */
  lastStep = Number.NEGATIVE_INFINITY;

  /** Adds the value of `step`; steps must increase. */
  push(step: number, value: number): void {
    if (!(step > this.lastStep)) {
      throw new RangeError(`Series.push: step ${step} is not after the last one (${this.lastStep})`);
    }
    this.lastStep = step;
    if (!this.into(step, value)) {
      if (this.buckets.length === this.capacity) {
        this.halve();
        if (this.into(step, value)) return;
      }
      this.buckets.push({ first: Math.floor(step / this.width) * this.width, count: 1, mean: value });
    }
  }

  /** The buckets, oldest first (at most `capacity`). */
  get points(): readonly Bucket[] {
    return this.buckets;
  }

  /** The smallest and largest finite bucket mean, or null if there is none: O(capacity). */
  get range(): [number, number] | null {
    let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const b of this.buckets) {
      if (!Number.isFinite(b.mean)) continue;
      if (b.mean < lo) lo = b.mean;
      if (b.mean > hi) hi = b.mean;
    }
    return hi >= lo ? [lo, hi] : null;
  }

  clear(): void {
    this.buckets = [];
    this.width = 1;
    this.lastStep = Number.NEGATIVE_INFINITY;
  }

  /** Adds the value to the last bucket if `step` falls in it. */
  private into(step: number, value: number): boolean {
    const last = this.buckets[this.buckets.length - 1];
    if (last === undefined || Math.floor(step / this.width) * this.width !== last.first) return false;
    last.count++;
    last.mean += (value - last.mean) / last.count;
    return true;
  }

  /** Merges neighbours in pairs (weighted by their counts) and doubles the width. */
  private halve(): void {
    const merged: Bucket[] = [];
    this.width *= 2;
    for (const b of this.buckets) {
      const first = Math.floor(b.first / this.width) * this.width;
      const m = merged[merged.length - 1];
      if (m !== undefined && m.first === first) {
        m.mean = (m.mean * m.count + b.mean * b.count) / (m.count + b.count);
        m.count += b.count;
      } else merged.push({ ...b, first });
    }
    this.buckets = merged;
  }
}
