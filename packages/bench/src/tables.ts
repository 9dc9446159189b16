// The gemm and training tables: each library runs in its own child process (src/child.ts), the
// libraries taking turns over BENCH_ROUNDS rounds, and the tables print throughput with ratios
// against the peers of the same run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GEMM_LIBRARIES, type GemmCase, nodeFlags, TRAIN_LIBRARIES, type TrainCase } from './peers';

const child = fileURLToPath(new URL('./child.ts', import.meta.url));

function runChild(task: 'gemm' | 'train', library: string, cases: object[]): number[] {
  const args = [...nodeFlags(library), ...process.execArgv, child, task, library, JSON.stringify(cases)];
  process.stderr.write(`  (${task}: ${library} ...)\n`);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench: ${library} (${task}) failed:\n${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { seconds: number }).seconds);
}

const pad = (s: string, w: number) => s.padStart(w);

/**
 * Rounds of the whole comparison (`BENCH_ROUNDS`, default 2): the libraries take turns, round after
 * round, and each keeps its best time per case, so that a burst of load from other processes on a
 * shared machine penalises one library's turn, not the ratios.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));

/** Best (smallest) seconds per case of each library over ROUNDS interleaved rounds. */
function bestOfRounds(task: 'gemm' | 'train', libraries: string[], casesOf: (lib: string) => object[]) {
  const best: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const lib of libraries) {
      const s = runChild(task, lib, casesOf(lib));
      best[lib] = s.map((v, i) => Math.min(v, best[lib]?.[i] ?? Number.POSITIVE_INFINITY));
    }
  }
  return best;
}

const LEGEND =
  'chainrule: the kernels this Node picks (SIMD128 on Node 20) on every core up to 4 (setNumThreads); -1t: on one ' +
  'thread; chainrule-relaxed: the relaxed-SIMD build (a flag on Node 20, the default from Node 22 and in ' +
  'Chromium); chainrule-ts: the TypeScript kernels. The peers run on one thread.';

const SLOW = ['chainrule-ts', 'tfjs-cpu'];
const SLOW_MAX_N = 512;

/** Square products at each N in the three layouts, then the products of two MLP training steps. */
export function gemmCases(sizes = [64, 128, 256, 512, 1024]): GemmCase[] {
  const square = sizes.flatMap((n) =>
    (['AB', 'AtB', 'ABt'] as const).map((layout) => ({ label: `${n}`, m: n, n, k: n, layout })),
  );
  // the first layer of each MLP: forward x·Wᵀ, ∂L/∂W = Δᵀ·x, ∂L/∂x = Δ·W
  const mlp: GemmCase[] = [
    { label: 'x·Wᵀ 64×784→128', m: 64, n: 128, k: 784, layout: 'ABt' },
    { label: 'Δᵀ·x 128×64→784', m: 128, n: 784, k: 64, layout: 'AtB' },
    { label: 'Δ·W 64×128→784', m: 64, n: 784, k: 128, layout: 'AB' },
    { label: 'x·Wᵀ 256×512→512', m: 256, n: 512, k: 512, layout: 'ABt' },
    { label: 'Δᵀ·x 512×256→512', m: 512, n: 512, k: 256, layout: 'AtB' },
    { label: 'Δ·W 256×512→512', m: 256, n: 512, k: 512, layout: 'AB' },
  ];
  return [...square, ...mlp];
}

/** GFLOP/s (2mnk flops per product) of every library at every case, and the table. */
export function benchGemm(cases = gemmCases(), log: (line: string) => void = console.log) {
  // the pure-JavaScript libraries take seconds per product at N = 1024: they stop at SLOW_MAX_N
  const casesOf = (lib: string) =>
    SLOW.includes(lib) ? cases.filter((c) => c.m * c.n * c.k <= SLOW_MAX_N ** 3) : cases;
  const seconds = bestOfRounds('gemm', GEMM_LIBRARIES, casesOf);
  const gflops: Record<string, number[]> = {};
  for (const lib of GEMM_LIBRARIES) {
    const mine = casesOf(lib);
    gflops[lib] = cases.map((c) => {
      const i = mine.indexOf(c);
      return i < 0 ? Number.NaN : (2 * c.m * c.n * c.k) / (seconds[lib]?.[i] ?? Number.NaN) / 1e9;
    });
  }
  log(`float32 gemm, GFLOP/s (higher is better); each library in its own process, best of ${ROUNDS} rounds`);
  log(LEGEND);
  const ratio = (x: number, y: number) => pad(`${(x / y).toFixed(2)}x`, 9);
  log(
    `${pad('case', 19)} | ${pad('op', 3)} | ${GEMM_LIBRARIES.map((l) => pad(l, 9)).join(' | ')} | ` +
      'one thread: chainrule vs jax-js, vs tfjs-wasm; relaxed vs jax-js, vs tfjs-wasm; threads: all vs 1t',
  );
  cases.forEach((c, i) => {
    const v = (lib: string) => gflops[lib]?.[i] ?? Number.NaN;
    const cells = GEMM_LIBRARIES.map((l) => pad(Number.isNaN(v(l)) ? '-' : v(l).toFixed(2), Math.max(9, l.length)));
    log(
      `${pad(c.label, 19)} | ${pad(c.layout, 3)} | ${cells.join(' | ')} | ` +
        `${ratio(v('chainrule-1t'), v('jax-js'))} ${ratio(v('chainrule-1t'), v('tfjs-wasm'))} ` +
        `${ratio(v('chainrule-relaxed-1t'), v('jax-js'))} ${ratio(v('chainrule-relaxed-1t'), v('tfjs-wasm'))} ` +
        `${ratio(v('chainrule'), v('chainrule-1t'))}`,
    );
  });
  return gflops;
}

const TRAIN_CASES: TrainCase[] = [
  { sizes: [784, 128, 64, 10], batch: 64 },
  { sizes: [784, 512, 512, 10], batch: 256 },
];

/** PyTorch with one thread (src/torch-mlp.py), when `/usr/bin/python3 -c "import torch"` works. */
function torchSamplesPerSecond(t: TrainCase): number | null {
  const script = fileURLToPath(new URL('./torch-mlp.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, JSON.stringify(t)], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return Number(r.stdout.trim());
}

/** Training samples/s of every library at both MLP sizes, and the table. */
export function benchTrain(log: (line: string) => void = console.log) {
  const seconds = bestOfRounds('train', TRAIN_LIBRARIES, () => TRAIN_CASES);
  log(
    `MLP training, float32, ReLU, softmax cross-entropy, SGD: samples/s (higher is better); each library in its own process, best of ${ROUNDS} rounds`,
  );
  log(LEGEND);
  for (const [i, t] of TRAIN_CASES.entries()) {
    const rate = (lib: string) => t.batch / (seconds[lib]?.[i] ?? Number.NaN);
    const ours = rate('chainrule');
    log(`  ${t.sizes.join('-')}, batch ${t.batch}`);
    for (const lib of TRAIN_LIBRARIES) {
      const r = rate(lib);
      const vs = lib === 'chainrule' ? '' : `   chainrule ${(ours / r).toFixed(2)}x`;
      log(`    ${lib.padEnd(18)} ${pad(r.toFixed(0), 8)}${vs}`);
    }
    let torch = torchSamplesPerSecond(t);
    for (let r = 1; r < ROUNDS && torch !== null; r++) torch = Math.max(torch, torchSamplesPerSecond(t) ?? 0);
    log(
      torch === null
        ? '    pytorch (1 thread) skipped (no /usr/bin/python3 with torch)'
        : `    ${'pytorch (1 thread)'.padEnd(18)} ${pad(torch.toFixed(0), 8)}   chainrule ${(ours / torch).toFixed(2)}x`,
    );
  }
  return seconds;
}
