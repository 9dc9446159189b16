// Trains one MNIST model in a worker thread, so that the demo can train the CNN on the machine's
// second core while the first runs the other examples. The trained weights come back as
// safetensors bytes, the format a checkpoint uses anyway; the predictions as an Int32Array.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Rng } from '@chainrule/core';
import { loadSafetensors, saveSafetensors } from '@chainrule/nn';
import { type MnistOptions, type MnistResult, makeModel, trainMnist } from './mnist';
import { mnistSplit } from './mnist-data';

interface Message {
  weights: Uint8Array;
  result: Omit<MnistResult, 'model' | 'test'>;
}

/** Starts `trainMnist(opts)` in a worker thread; resolves with the same result as calling it here. */
export function trainMnistInWorker(opts: MnistOptions): Promise<MnistResult> {
  // The worker runs this file again. Under tsx (the examples run from source) a worker thread
  // does not inherit tsx's TypeScript loader on Node 20, so the worker registers it first.
  const self = import.meta.url;
  const code = self.endsWith('.ts')
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })`
    : `import(${JSON.stringify(self)})`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { ...opts, progress: false },
    execArgv: process.execArgv.filter((a) => a.startsWith('--conditions')),
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', ({ weights, result }: Message) => {
      const model = makeModel(result.kind, new Rng(0));
      model.loadStateDict(loadSafetensors(weights));
      const { test } = mnistSplit(opts.trainSize, opts.testSize, opts.seed);
      void worker.terminate();
      resolve({ ...result, model, test });
    });
  });
}

if (!isMainThread && parentPort) {
  const { model, test: _test, ...result } = trainMnist(workerData as MnistOptions);
  const message: Message = { weights: saveSafetensors(model.stateDict()), result };
  parentPort.postMessage(message);
}
