// A thin layer over the `benchmark` package: run a named group of functions in one suite, in the
// same process and the same minutes, and read back seconds per call.
import Benchmark from 'benchmark';

export interface Timing {
  name: string;
  /** Mean seconds per call. */
  seconds: number;
  /** Relative margin of error of the mean, in percent. */
  rme: number;
  samples: number;
  /** Seconds per call of the fastest sample: the estimate least disturbed by other processes. */
  best: number;
}

/** Runs every case of one comparison in a single Benchmark.Suite and returns their timings. */
export function compare(
  cases: Record<string, () => void>,
  opts: { maxTime?: number; minSamples?: number } = {},
): Timing[] {
  const suite = new Benchmark.Suite();
  for (const [name, fn] of Object.entries(cases)) {
    suite.add(name, fn, { maxTime: opts.maxTime ?? 2, minSamples: opts.minSamples ?? 5 });
  }
  const out: Timing[] = [];
  suite.on('cycle', (event: Benchmark.Event) => {
    const b = event.target as unknown as Benchmark;
    if (b.error) throw new Error(`bench: '${String(b.name)}' threw: ${String(b.error)}`);
    out.push({
      name: String(b.name),
      seconds: b.stats.mean,
      rme: b.stats.rme,
      samples: b.stats.sample.length,
      best: Math.min(...b.stats.sample),
    });
  });
  suite.run({ async: false });
  return out;
}

/** The median of the finite values (the mean of the middle two for an even count); NaN if there are none. */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
