// One library's side of the gemm, training or workload benchmark, in a process of its own:
// `child.ts gemm|train|workload <library> <cases JSON>`.
// Prints one JSON line per case: { seconds, kernels }, the seconds per call of the fastest sample
// (on a machine shared with other work, the mean measures the other work too); for workloads the
// fastest window's, and cpuSeconds: the process's CPU time per call (user + system, all its
// threads), which another process's load inflates far less than the wall clock.
import { kernelBackend } from '@chainrule/core';
import { compare } from './measure';
import { type GemmCase, gemmRunner, type TrainCase, trainRunner } from './peers';
import { type WorkloadId, workloadRunner } from './workloads';

const [task, library, json] = process.argv.slice(2);
if (!library || !json || (task !== 'gemm' && task !== 'train' && task !== 'workload')) {
  throw new Error('usage: child.ts gemm|train|workload <library> <cases JSON>');
}
const cases = JSON.parse(json) as (GemmCase | TrainCase | WorkloadId)[];
const runnerOf = (c: GemmCase | TrainCase | WorkloadId) =>
  task === 'gemm'
    ? gemmRunner(library, c as GemmCase)
    : task === 'train'
      ? trainRunner(library, c as TrainCase)
      : workloadRunner(library, c as WorkloadId);
const maxTime = task === 'gemm' ? 0.5 : task === 'train' ? 2 : Number(process.env.BENCH_MAX_TIME ?? 1.5);
for (const c of cases) {
  const run = await runnerOf(c);
  // warm-up: jit compiles, memory reserved, V8 optimised (one call for steps of seconds)
  const first = performance.now();
  run();
  if (task !== 'workload' || performance.now() - first < 500) for (let i = 0; i < 2; i++) run();
  const kernels = library.startsWith('chainrule') ? kernelBackend() : undefined;
  if (task === 'workload') {
    console.log(JSON.stringify({ ...windows(run, maxTime), kernels }));
    continue;
  }
  const [t] = compare({ [library]: run }, { maxTime, minSamples: 5 });
  console.log(JSON.stringify({ seconds: t?.best ?? Number.NaN, kernels }));
}

/**
 * Seconds and CPU seconds per call of `run`, each the best over windows of at least one call and
 * 0.1 s, for `maxTime` seconds and at least three windows (steps of seconds get three windows of
 * one call; src/torch-workloads.py measures PyTorch the same way).
 */
function windows(run: () => void, maxTime: number): { seconds: number; cpuSeconds: number } {
  let seconds = Number.POSITIVE_INFINITY;
  let cpuSeconds = Number.POSITIVE_INFINITY;
  const begin = performance.now();
  for (let w = 0; w < 3 || performance.now() - begin < maxTime * 1e3; w++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    let calls = 0;
    do {
      run();
      calls++;
    } while (performance.now() - start < 100);
    const used = process.cpuUsage(cpu);
    seconds = Math.min(seconds, (performance.now() - start) / 1e3 / calls);
    cpuSeconds = Math.min(cpuSeconds, (used.user + used.system) / 1e6 / calls);
  }
  return { seconds, cpuSeconds };
}
