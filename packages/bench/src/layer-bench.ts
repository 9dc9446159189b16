// The harness shared by the layer benchmarks (conv, lstm): chainrule's training step and forward
// pass against a TensorFlow.js model of the same layer on its CPU and WebAssembly backends, in
// one run, reported as milliseconds per step and ratios.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { compare } from './measure';

/** A tfjs model's timed steps, built on the current backend. */
export interface TfjsStep {
  train: () => void;
  forward: () => void;
  dispose: () => void;
}

/** Milliseconds per step; NaN where a backend cannot run the step. */
export interface LayerBenchResult {
  train: { chainrule: number; tfjsCpu: number; tfjsWasm: number };
  forward: { chainrule: number; tfjsCpu: number; tfjsWasm: number };
  /** Why a tfjs backend could not run the training step, if it could not. */
  unsupported: Record<string, string>;
}

export async function benchLayer(opts: {
  title: string;
  /** chainrule's step: with backward (true) or the forward alone (false). */
  chainruleStep: (train: boolean) => () => void;
  tfjsStep: () => TfjsStep;
  minSamples: number;
  log: (line: string) => void;
}): Promise<LayerBenchResult> {
  // the .wasm binaries come from the installed package, never from the network
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  const ms: Record<string, number> = {};
  const unsupported: Record<string, string> = {};
  const timing = { maxTime: 1, minSamples: opts.minSamples };
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const theirs = opts.tfjsStep();
    const train: Record<string, () => void> = {};
    const forward: Record<string, () => void> = { [`tfjs-${backend}`]: theirs.forward };
    if (backend === 'cpu') {
      train.chainrule = opts.chainruleStep(true);
      forward.chainrule = opts.chainruleStep(false);
    }
    try {
      theirs.train();
      train[`tfjs-${backend}`] = theirs.train;
    } catch (e) {
      // e.g. tfjs 4.22's WebAssembly backend registers no Conv2DBackpropFilter kernel
      unsupported[`tfjs-${backend}`] = String(e instanceof Error ? e.message : e);
    }
    for (const t of compare(train, timing)) ms[`train ${t.name}`] = t.seconds * 1e3;
    for (const t of compare(forward, timing)) ms[`forward ${t.name}`] = t.seconds * 1e3;
    theirs.dispose();
  }
  const pick = (kind: string) => ({
    chainrule: ms[`${kind} chainrule`] ?? Number.NaN,
    tfjsCpu: ms[`${kind} tfjs-cpu`] ?? Number.NaN,
    tfjsWasm: ms[`${kind} tfjs-wasm`] ?? Number.NaN,
  });
  const r = { train: pick('train'), forward: pick('forward'), unsupported };
  opts.log(opts.title);
  for (const kind of ['train', 'forward'] as const) {
    const row = r[kind];
    opts.log(`  ${kind === 'train' ? 'forward + backward' : 'forward only'}`);
    opts.log(`    chainrule   ${row.chainrule.toFixed(1)} ms/step`);
    for (const [name, v] of [
      ['tfjs-cpu', row.tfjsCpu],
      ['tfjs-wasm', row.tfjsWasm],
    ] as const) {
      if (kind === 'train' && unsupported[name]) opts.log(`    ${name.padEnd(11)} cannot run it: ${unsupported[name]}`);
      else
        opts.log(
          `    ${name.padEnd(11)} ${v.toFixed(1)} ms/step   chainrule ${(v / row.chainrule).toFixed(2)}x its speed`,
        );
    }
  }
  return r;
}
