// `pnpm bench threads`: the kernel threads against one thread, on an idle machine and with two
// CPU-burning neighbour processes (a shared machine, a laptop with a browser open). Each workload
// and thread count runs in a fresh process of its own (src/threads-child.ts) for ~1 s of steps;
// the two counts run back to back, in alternating order, over BENCH_ROUNDS rounds (default 4),
// and each round gives one ratio (one thread's median step time over the default's), so that the
// load of other processes, which drifts over seconds, weighs on both sides of every ratio.
// Printed: the medians over rounds of ms per step, CPU ms per step, and of the ratio (> 1: the
// default is faster). The promise: with neighbours, the default is never more than 10 % slower
// than one thread (ratio ≥ 0.9).
// PyTorch gives the native reference, in the same run and under the same neighbours: the same
// steps (src/torch-workloads.py) on one thread against two, where its two threads are the faster,
// round by round, of two settings: two PyTorch threads over a two-thread OpenBLAS (which can put
// four threads on 2 CPUs), or one PyTorch thread over a two-thread OpenBLAS (only the products
// split). Which is faster depends on the step.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './measure';
import { openblasDir, torchScript } from './workloads-table';

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
/** The steps that PyTorch runs the same way: our workload → its id in src/torch-workloads.py. */
const TORCH_IDS: Partial<Record<(typeof THREAD_WORKLOADS)[number], string>> = {
  'mlp-784-512-512-10': 'mlp-large',
  'mlp-784-128-64-10': 'mlp',
  cnn: 'cnn',
};
/** A PyTorch thread setting: [torch.set_num_threads, OPENBLAS_NUM_THREADS]. */
type TorchSetting = readonly [number, number];
const TORCH_ONE: TorchSetting = [1, 1];
const TORCH_TWO: readonly TorchSetting[] = [
  [2, 2],
  [1, 2],
];

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

/**
 * ms per step of each of PyTorch's `ids` at its `[torch, blas]` threads (its fastest window of
 * 0.1 s or more over 1.5 s), or null where /usr/bin/python3 has no torch.
 */
function runTorch(ids: string[], [torchThreads, blasThreads]: TorchSetting): number[] | null {
  const blas = openblasDir();
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(blasThreads), ...(blas ? { LD_LIBRARY_PATH: blas } : {}) };
  const r = spawnSync('/usr/bin/python3', [torchScript, String(torchThreads), JSON.stringify(ids), '1.5'], {
    encoding: 'utf8',
    env,
  });
  if (r.status !== 0) return null;
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seconds?: number })
    .filter((l) => l.seconds !== undefined)
    .map((l) => (l.seconds as number) * 1000);
}

/** `n` processes that each burn a CPU until killed. */
function neighbours(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
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

/** PyTorch's one thread against its faster two-thread setting, on the same steps: one row per step. */
export interface TorchThreadsRow {
  workload: string;
  neighbours: number;
  /** Medians over rounds of ms per step: one thread, and the faster two-thread setting of each round. */
  oneMs: number;
  twoMs: number;
  /** How many rounds each two-thread setting ('torch 2 × BLAS 2', …) was the faster. */
  faster: Record<string, number>;
  /** The median over rounds of one thread's time over the faster two-thread setting's. */
  speedup: number;
}

/** PyTorch's rows for the current neighbours, or [] (and a line saying so) without torch. */
function torchRows(burners: number, log: (line: string) => void): TorchThreadsRow[] {
  const workloads = Object.keys(TORCH_IDS);
  const ids = Object.values(TORCH_IDS);
  const name = ([t, b]: TorchSetting) => `torch ${t} × BLAS ${b}`;
  const samples = ids.map(() => ({ one: [] as number[], two: [] as number[], ratio: [] as number[] }));
  const faster = ids.map(() => ({}) as Record<string, number>);
  for (let r = 0; r < ROUNDS; r++) {
    const settings = r % 2 === 0 ? [TORCH_ONE, ...TORCH_TWO] : [...TORCH_TWO, TORCH_ONE];
    const ms = new Map(settings.map((s) => [s, runTorch(ids, s)]));
    const one = ms.get(TORCH_ONE);
    if (!one || TORCH_TWO.some((s) => !ms.get(s))) {
      log('  PyTorch did not run (it needs /usr/bin/python3 with torch): no native reference rows');
      return [];
    }
    ids.forEach((_, i) => {
      const at = (s: TorchSetting) => (ms.get(s) as number[])[i] as number;
      const best = TORCH_TWO.reduce((b, s) => (at(s) < at(b) ? s : b));
      const f = faster[i] as Record<string, number>;
      f[name(best)] = (f[name(best)] ?? 0) + 1;
      const x = samples[i] as { one: number[]; two: number[]; ratio: number[] };
      x.one.push(at(TORCH_ONE));
      x.two.push(at(best));
      x.ratio.push(at(TORCH_ONE) / at(best));
    });
  }
  return ids.map((_, i) => {
    const x = samples[i] as { one: number[]; two: number[]; ratio: number[] };
    const row: TorchThreadsRow = {
      workload: workloads[i] as string,
      neighbours: burners,
      oneMs: median(x.one),
      twoMs: median(x.two),
      faster: faster[i] as Record<string, number>,
      speedup: median(x.ratio),
    };
    const settings = Object.entries(row.faster)
      .map(([s, n]) => `${s} in ${n}`)
      .join(', ');
    log(
      `  PyTorch ${row.workload.padEnd(12)} 1 thread ${row.oneMs.toFixed(3).padStart(8)} ms   ` +
        `2 threads ${row.twoMs.toFixed(3).padStart(8)} ms (faster: ${settings})   ` +
        `${row.speedup.toFixed(2)}x one thread's speed`,
    );
    return row;
  });
}

/** chainrule's rows, then PyTorch's native reference rows (empty without torch). */
export function benchThreads(log: (line: string) => void = console.log): {
  rows: ThreadsRow[];
  torch: TorchThreadsRow[];
} {
  const torch: TorchThreadsRow[] = [];
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
      torch.push(...torchRows(burners, log));
    } finally {
      for (const p of busy) p.kill();
    }
  }
  log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  return { rows, torch };
}
