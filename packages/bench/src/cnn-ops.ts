// `pnpm bench cnn-ops`: the CNN forward of `bench workloads` op by op, chainrule on one thread
// against tfjs-wasm (one thread in Node), each in a process of its own (src/cnn-ops-child.ts), over
// BENCH_ROUNDS interleaved rounds (default 3); printed, the medians over rounds. The third column is
// the floor that garbage-collected storage sets for any op, whatever its kernel: a fresh
// Float32Array of the op's output size, written once (tfjs reuses memory it owns instead: its
// tensors are disposed). What chainrule spends above that floor and above tfjs is the kernel and
// the copies in and out of WebAssembly memory.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './measure';

/** The ops of the CNN forward, in order (the read-out and loss left out). */
export const CNN_OPS = ['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2'] as const;
const child = fileURLToPath(new URL('./cnn-ops-child.ts', import.meta.url));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SIDES = ['chainrule', 'tfjs-wasm', 'floor'] as const;

type Times = Record<(typeof CNN_OPS)[number], number>;

function runSide(side: string): Times {
  const r = spawnSync(process.execPath, [...process.execArgv, child, side], { encoding: 'utf8' });
  const line = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (r.status !== 0 || !line) throw new Error(`bench cnn-ops: ${side} failed:\n${r.stderr}`);
  return JSON.parse(line) as Times;
}

export function benchCnnOps(log: (line: string) => void = console.log): void {
  log(`CNN forward op by op (batch 64, 28×28), ms, median of ${ROUNDS} interleaved rounds, one thread each`);
  const runs: Record<string, Times[]> = { chainrule: [], 'tfjs-wasm': [], floor: [] };
  const loads: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push((loadavg()[0] ?? 0).toFixed(2));
    const order = r % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const side of order) runs[side]?.push(runSide(side));
  }
  const cell = (side: string, op: (typeof CNN_OPS)[number]) => median((runs[side] ?? []).map((t) => t[op]));
  log(
    `  ${'op'.padEnd(7)} ${'chainrule'.padStart(10)} ${'tfjs-wasm'.padStart(10)} ${'ratio'.padStart(7)} ${'fresh output'.padStart(13)}`,
  );
  let [sumC, sumT, sumF] = [0, 0, 0];
  for (const op of CNN_OPS) {
    const [c, t, f] = [cell('chainrule', op), cell('tfjs-wasm', op), cell('floor', op)];
    [sumC, sumT, sumF] = [sumC + c, sumT + t, sumF + f];
    log(
      `  ${op.padEnd(7)} ${c.toFixed(3).padStart(10)} ${t.toFixed(3).padStart(10)} ${(t / c).toFixed(2).padStart(6)}× ${f.toFixed(3).padStart(13)}`,
    );
  }
  log(
    `  ${'all'.padEnd(7)} ${sumC.toFixed(3).padStart(10)} ${sumT.toFixed(3).padStart(10)} ${(sumT / sumC).toFixed(2).padStart(6)}× ${sumF.toFixed(3).padStart(13)}`,
  );
  log(`  ratio: tfjs-wasm ÷ chainrule (above 1: chainrule is faster); load average per round: ${loads.join(', ')}`);
}
