// Heap of a long training loop: if backward() did not release the graph, or optimizer state
// grew per step, the heap would climb with the step count. It should stay flat.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Rng, randn } from '@chainrule/core';
import * as kernels from '@chainrule/core/kernels';
import { Adam, crossEntropyLoss, MLP } from '@chainrule/nn';

/** A callable full GC, without needing node --expose-gc on the command line. */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface HeapReport {
  steps: number;
  startMiB: number;
  endMiB: number;
  /** JS heap (Tensor objects, closures, graph nodes) and ArrayBuffers (tensor storage), in MiB. */
  samples: { step: number; heapMiB: number; buffersMiB: number; wasmMiB: number }[];
}

/** Forward + backward + Adam step of a 2-64-64-2 MLP on a batch of 64, `steps` times. */
export function heapOfTrainingLoop(steps = 10_000, log: (line: string) => void = console.log): HeapReport {
  const gc = gcFunction();
  const rng = new Rng(7);
  const x = randn([64, 2], { rng });
  const labels = Array.from({ length: 64 }, (_, i) => i % 2);
  const model = new MLP(2, [64, 64, 2], { rng });
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const measure = () => {
    gc();
    const m = process.memoryUsage();
    // tensor storage is ArrayBuffers, outside the JS heap; their count lags a GC a little
    // the WebAssembly kernels' memory (not among process.memoryUsage()'s arrayBuffers), on its own
    return {
      heapMiB: m.heapUsed / 2 ** 20,
      buffersMiB: m.arrayBuffers / 2 ** 20,
      wasmMiB: kernels.wasmMemoryBytes() / 2 ** 20,
    };
  };
  const samples: HeapReport['samples'] = [];
  const every = Math.max(1, Math.floor(steps / 5));
  for (let step = 0; step <= steps; step++) {
    if (step % every === 0) {
      const m = measure();
      samples.push({ step, ...m });
      log(
        `  step ${String(step).padStart(6)}: JS heap ${m.heapMiB.toFixed(2)} MiB, array buffers ${m.buffersMiB.toFixed(2)} MiB, WebAssembly memory ${m.wasmMiB.toFixed(2)} MiB`,
      );
    }
    if (step === steps) break;
    const loss = crossEntropyLoss(model.forward(x), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  const first = samples[1] ?? samples[0]; // after one warm block, when lazy state exists
  const last = samples[samples.length - 1];
  return { steps, startMiB: first?.heapMiB ?? 0, endMiB: last?.heapMiB ?? 0, samples };
}
