// `pnpm bench threads`: the kernel threads against one thread, on an idle machine and with two
// CPU-burning neighbour processes (a shared machine, a laptop with a browser open). Each workload
// and thread count runs in a fresh process of its own (src/threads-child.ts) for ~1 s of steps;
// the two counts run back to back, in alternating order, over BENCH_ROUNDS rounds (default 4),
// and each round gives one ratio (one thread's median step time over the default's), so that the
// load of other processes, which drifts over seconds, weighs on both sides of every ratio.
// Printed: the medians over rounds of ms per step, CPU ms per step, and of the ratio (> 1: the
// default is faster). The promise: with neighbours, the default is never more than 10 % slower
// than one thread (ratio ≥ 0.9).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./threads-child.ts', import.meta.url));
export const THREAD_WORKLOADS = [
  'mlp-784-512-512-10',
  'mlp-784-128-64-10',
  'mlp-2-64-64-2',
  'cnn',
  // the same MLP steps' matrix products alone (forward and backward, no loss or optimizer)
  'products-784-512-512-10',
  'products-784-128-64-10',
] as const;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));

interface Sample {
  ms: number;
  cpuMs: number;
  threads: number;
  live: number;
}

/** One workload at `threads` threads ('default': none set) in a fresh process. */
function runChild(workload: string, threads: string): Sample {
  const r = spawnSync(process.execPath, [...process.execArgv, child, workload, threads], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench threads: ${workload} on ${threads} threads failed:\n${r.stderr}`);
  const line = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  return JSON.parse(line ?? '{}') as Sample;
}

/** `n` processes that each burn a CPU until killed. */
function neighbours(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

function median(values: number[]): number {
  const v = [...values].sort((x, y) => x - y);
  const h = v.length >> 1;
  return v.length % 2 ? (v[h] as number) : ((v[h - 1] as number) + (v[h] as number)) / 2;
}

function medianSample(samples: Sample[]): Sample {
  const first = samples[0] as Sample;
  return {
    ms: median(samples.map((x) => x.ms)),
    cpuMs: median(samples.map((x) => x.cpuMs)),
    threads: first.threads,
    live: Math.min(...samples.map((x) => x.live)),
  };
}

export interface ThreadsRow {
  workload: string;
  neighbours: number;
  one: Sample;
  auto: Sample;
  /** The median over rounds of one thread's time over the default's: > 1 when the default is faster. */
  speedup: number;
}

export function benchThreads(log: (line: string) => void = console.log): ThreadsRow[] {
  const rows: ThreadsRow[] = [];
  log(`kernel threads vs one thread, ${ROUNDS} rounds, fresh process per run, ${availableParallelism()} CPUs`);
  for (const burners of [0, 2]) {
    const busy = neighbours(burners);
    try {
      log(
        burners === 0
          ? `\nno neighbours (load average ${loadavg()[0]?.toFixed(2)} at start)`
          : `\n${burners} CPU-burning neighbour processes (load average ${loadavg()[0]?.toFixed(2)} at start)`,
      );
      for (const workload of THREAD_WORKLOADS) {
        const ones: Sample[] = [];
        const autos: Sample[] = [];
        const ratios: number[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          const [a, b] =
            r % 2 === 0
              ? [runChild(workload, '1'), runChild(workload, 'default')]
              : (([d, o]) => [o, d])([runChild(workload, 'default'), runChild(workload, '1')]);
          ones.push(a as Sample);
          autos.push(b as Sample);
          ratios.push((a as Sample).ms / (b as Sample).ms);
        }
        const o = medianSample(ones);
        const d = medianSample(autos);
        const row = { workload, neighbours: burners, one: o, auto: d, speedup: median(ratios) };
        rows.push(row);
        log(
          `  ${workload.padEnd(20)} 1 thread ${o.ms.toFixed(3).padStart(8)} ms (cpu ${o.cpuMs.toFixed(2)})   ` +
            `default (${d.threads}, ${d.live} live) ${d.ms.toFixed(3).padStart(8)} ms (cpu ${d.cpuMs.toFixed(2)})   ` +
            `${row.speedup.toFixed(2)}x one thread's speed`,
        );
      }
    } finally {
      for (const p of busy) p.kill();
    }
  }
  log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  return rows;
}
