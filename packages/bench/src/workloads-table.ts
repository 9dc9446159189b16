// `pnpm bench workloads`: the five training workloads (src/workloads.ts) side by side. Each
// library runs in its own process (src/child.ts; PyTorch in src/torch-workloads.py), the libraries
// take turns over BENCH_ROUNDS interleaved rounds (default 3), and each table prints the median
// over rounds with chainrule ÷ each peer, plus the load average each round ran at.
// BENCH_WORKLOADS=transformer,lstm picks workloads; BENCH_MAX_TIME sets the seconds per case.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './measure';
import { WORKLOAD_LIBRARIES, WORKLOADS, type WorkloadId } from './workloads';

const child = fileURLToPath(new URL('./child.ts', import.meta.url));
export const torchScript = fileURLToPath(new URL('./torch-workloads.py', import.meta.url));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const MAX_TIME = Number(process.env.BENCH_MAX_TIME ?? 1.5);

interface Sample {
  seconds: number;
  cpuSeconds: number;
}

/** Debian's OpenBLAS with threads, where the multiarch directory has it (libopenblas0-pthread). */
export function openblasDir(): string | null {
  for (const arch of ['x86_64-linux-gnu', 'aarch64-linux-gnu']) {
    const dir = `/usr/lib/${arch}/openblas-pthread`;
    if (existsSync(dir)) return dir;
  }
  return null;
}

const TORCH = ['pytorch-1t', 'pytorch-2t'];
let blasMapped: string[] = [];

function runLibrary(library: string, ids: WorkloadId[]): (Sample | null)[] {
  process.stderr.write(`  (workloads: ${library} ...)\n`);
  if (TORCH.includes(library)) {
    // torch's own threads (1 or 2) over a single-threaded OpenBLAS: 2 × 2 would oversubscribe 2 cores
    const blas = openblasDir();
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', ...(blas ? { LD_LIBRARY_PATH: blas } : {}) };
    const threads = library === 'pytorch-2t' ? '2' : '1';
    const r = spawnSync('/usr/bin/python3', [torchScript, threads, JSON.stringify(ids), String(MAX_TIME)], {
      encoding: 'utf8',
      env,
    });
    if (r.status !== 0) return ids.map(() => null); // no /usr/bin/python3 with torch: a dash
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Sample & { blas?: string[] });
    blasMapped = lines.find((l) => l.blas)?.blas ?? blasMapped;
    return lines.filter((l) => !l.blas);
  }
  const args = [...process.execArgv, child, 'workload', library, JSON.stringify(ids)];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, BENCH_MAX_TIME: String(MAX_TIME) },
  });
  if (r.status !== 0) throw new Error(`bench: ${library} (workloads) failed:\n${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Sample);
}

const ms = (s: number) => (Number.isNaN(s) ? '-' : s < 0.01 ? (s * 1e3).toFixed(3) : (s * 1e3).toFixed(1));
const ratio = (peer: number, ours: number) => (Number.isNaN(peer / ours) ? '-' : `${(peer / ours).toFixed(2)}x`);

/** Runs the rounds and prints one table per workload; returns the medians (seconds) per library. */
export function benchWorkloads(log: (line: string) => void = console.log) {
  const chosen = process.env.BENCH_WORKLOADS?.split(',').filter(Boolean);
  const ids = WORKLOADS.map((w) => w.id).filter((id) => !chosen || chosen.includes(id));
  const libraries = [...WORKLOAD_LIBRARIES, ...TORCH];
  const samples: Record<string, (Sample | null)[][]> = Object.fromEntries(libraries.map((l) => [l, []]));
  const loads: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const before = loadavg()[0] as number;
    for (const lib of libraries) samples[lib]?.push(runLibrary(lib, ids));
    loads.push(`round ${r + 1}: ${before.toFixed(2)} -> ${(loadavg()[0] as number).toFixed(2)}`);
  }
  log(
    `Training workloads, float32: ms per step, median of ${ROUNDS} interleaved rounds (each library in its own process, the fastest window of each round)`,
  );
  log(
    'chainrule: its kernels (SIMD128 on Node 20) on every core up to 4; -1t: one thread. jax-js: jit(valueAndGrad), ' +
      'wasm. tfjs-wasm: the CNN training step on tfjs-cpu (the wasm backend has no conv2d filter gradient); the ' +
      'transformer uses Adam (tfjs has no AdamW). PyTorch 1.13: torch threads 1 or 2, OpenBLAS 1 thread.',
  );
  log(`BLAS mapped into PyTorch: ${blasMapped.length > 0 ? blasMapped.join(', ') : '(PyTorch did not run)'}`);
  log(`1-minute load average per round (2 cores here): ${loads.join('; ')}`);
  log(
    'ratios: peer time ÷ chainrule time (above 1: chainrule is faster), on the wall clock and on CPU time ' +
      '(the CPU time per step of the process, all its threads: less inflated by other processes)',
  );
  const medians: Record<string, Record<string, Sample>> = {};
  ids.forEach((id, i) => {
    const title = WORKLOADS.find((w) => w.id === id)?.title ?? id;
    log('');
    log(`  ${title}`);
    log(
      `    ${'library'.padEnd(12)} ${'ms'.padStart(9)} ${'cpu ms'.padStart(9)} | ${'chainrule'.padStart(10)} ${'(cpu)'.padStart(7)} | ${'-1t'.padStart(7)} ${'(cpu)'.padStart(7)}`,
    );
    const med = (lib: string): Sample => ({
      seconds: median((samples[lib] ?? []).map((round) => round[i]?.seconds ?? Number.NaN)),
      cpuSeconds: median((samples[lib] ?? []).map((round) => round[i]?.cpuSeconds ?? Number.NaN)),
    });
    const ours = med('chainrule');
    const one = med('chainrule-1t');
    const row: Record<string, Sample> = {};
    medians[id] = row;
    for (const lib of libraries) {
      const m = med(lib);
      row[lib] = m;
      const vs = lib.startsWith('chainrule')
        ? ''
        : `${ratio(m.seconds, ours.seconds).padStart(10)} ${ratio(m.cpuSeconds, ours.cpuSeconds).padStart(7)} | ` +
          `${ratio(m.seconds, one.seconds).padStart(7)} ${ratio(m.cpuSeconds, one.cpuSeconds).padStart(7)}`;
      log(`    ${lib.padEnd(12)} ${ms(m.seconds).padStart(9)} ${ms(m.cpuSeconds).padStart(9)} | ${vs}`);
    }
  });
  return medians;
}
