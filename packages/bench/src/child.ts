// One library's side of the gemm or training benchmark, in a process of its own:
// `child.ts gemm <library> <cases JSON>` or `child.ts train <library> <cases JSON>`.
// Prints one JSON line per case: { seconds, kernels }, the seconds per call of the fastest sample
// (on a machine shared with other work, the mean measures the other work too).
import { kernelBackend } from '@chainrule/core';
import { compare } from './measure';
import { type GemmCase, gemmRunner, type TrainCase, trainRunner } from './peers';

const [task, library, json] = process.argv.slice(2);
if (!library || !json || (task !== 'gemm' && task !== 'train')) {
  throw new Error('usage: child.ts gemm|train <library> <cases JSON>');
}
const cases = JSON.parse(json) as (GemmCase | TrainCase)[];
for (const c of cases) {
  const run = task === 'gemm' ? await gemmRunner(library, c as GemmCase) : await trainRunner(library, c as TrainCase);
  for (let i = 0; i < 3; i++) run(); // warm-up: jit compiles, memory reserved, V8 optimised
  const [t] = compare({ [library]: run }, { maxTime: task === 'gemm' ? 0.5 : 2, minSamples: 5 });
  const kernels = library.startsWith('chainrule') ? kernelBackend() : undefined;
  console.log(JSON.stringify({ seconds: t?.best ?? Number.NaN, kernels }));
}
