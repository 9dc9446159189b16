// `pnpm bench [heap|value|matmul|mlp|gemm|train|conv|cnn-ops|optim|lstm|safetensors|threads|workloads]`: every
// benchmark, or the ones named; `pnpm bench profile` (by name only): where one thread's time goes.
import { benchCnnOps } from './cnn-ops';
import { benchConv } from './conv';
import { heapOfTrainingLoop } from './heap';
import { benchLstm } from './lstm';
import { benchMatmul } from './matmul';
import { benchMlpTrain } from './mlp-train';
import { benchOptimStep } from './optim-step';
import { benchProfile } from './profile';
import { benchSafetensors } from './safetensors';
import { benchGemm, benchTrain } from './tables';
import { benchThreads } from './threads';
import { benchValueMlp } from './value-mlp';
import { benchWorkloads } from './workloads-table';

const all = [
  'heap',
  'value',
  'matmul',
  'mlp',
  'gemm',
  'train',
  'conv',
  'cnn-ops',
  'optim',
  'lstm',
  'safetensors',
  'threads',
  'workloads',
];
const chosen = process.argv.slice(2).filter((a) => a !== '--');
const run = chosen.length > 0 ? chosen : all;
for (const name of run)
  if (!all.includes(name) && name !== 'profile') {
    throw new Error(`bench: unknown benchmark '${name}' (${all.join(', ')}, or profile)`);
  }

console.log(`chainrule benchmarks, Node ${process.version}; ratios compare peers measured in the same run\n`);
// the heap runs first, before the tfjs suites leave their buffers and WebAssembly memory behind
if (run.includes('heap')) {
  console.log('heap of a 10,000-step training loop (MLP 2-64-64-2, batch 64, Adam), after a full GC');
  const r = heapOfTrainingLoop(10_000);
  console.log(
    `  start ${r.startMiB.toFixed(2)} MiB -> end ${r.endMiB.toFixed(2)} MiB (${(r.endMiB - r.startMiB).toFixed(2)} MiB over ${r.steps} steps)`,
  );
  console.log();
}
if (run.includes('value')) {
  benchValueMlp();
  console.log();
}
if (run.includes('matmul')) {
  await benchMatmul();
  console.log();
}
if (run.includes('mlp')) {
  await benchMlpTrain();
  console.log();
}
if (run.includes('gemm')) {
  benchGemm();
  console.log();
}
if (run.includes('train')) {
  benchTrain();
  console.log();
}
if (run.includes('conv')) {
  await benchConv();
  console.log();
}
if (run.includes('cnn-ops')) {
  benchCnnOps();
  console.log();
}
if (run.includes('optim')) {
  await benchOptimStep();
  console.log();
}
if (run.includes('lstm')) {
  await benchLstm();
  console.log();
}
if (run.includes('safetensors')) {
  benchSafetensors();
  console.log();
}
if (run.includes('threads')) {
  benchThreads();
  console.log();
}
if (run.includes('workloads')) {
  benchWorkloads();
  console.log();
}
if (run.includes('profile')) {
  await benchProfile();
  console.log();
}
