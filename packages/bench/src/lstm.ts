// An LSTM's training step: a batch of 32 sequences of 32 steps of 64 features through one LSTM
// layer of 128 units (all steps' outputs kept), then a fixed linear read-out as the loss. Timed:
// forward and backward (gradients of every weight and bias), and the forward alone, float32.
// chainrule's `LSTM` (each step a handful of core ops on the tape, backpropagation through time
// by replaying it) against TensorFlow.js `tf.layers.lstm` on its CPU and WebAssembly backends,
// in the same run. Both take [batch, seq, feature] inputs (batchFirst for chainrule) and use
// logistic sigmoid gates (tfjs's default recurrentActivation is hardSigmoid: set to sigmoid).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { noGrad, Rng, randn, type Tensor } from '@chainrule/core';
import { LSTM } from '@chainrule/nn';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { compare } from './measure';

const BATCH = 32;
const STEPS = 32;
const INPUT = 64;
const HIDDEN = 128;

/** chainrule's step: `train` adds the backward pass (every weight and bias gradient). */
function chainruleStep(train: boolean): () => void {
  const rng = new Rng(7);
  const lstm = new LSTM(INPUT, HIDDEN, { batchFirst: true, rng });
  const params = lstm.parameters();
  const x: Tensor = noGrad(() => randn([BATCH, STEPS, INPUT], { rng }));
  const probe: Tensor = noGrad(() => randn([BATCH, STEPS, HIDDEN], { rng }));
  const loss = () => lstm.forward(x)[0].mul(probe).sum();
  if (!train) return () => noGrad(loss).item();
  return () => {
    for (const p of params) p.grad = null;
    loss().backward();
  };
}

function tfjsStep(): { train: () => void; forward: () => void; dispose: () => void } {
  const lstm = tf.layers.lstm({ units: HIDDEN, returnSequences: true, recurrentActivation: 'sigmoid' });
  const x = tf.randomNormal([BATCH, STEPS, INPUT]);
  const probe = tf.randomNormal([BATCH, STEPS, HIDDEN]);
  const loss = () => tf.sum(tf.mul(lstm.apply(x) as tf.Tensor, probe)) as tf.Scalar;
  tf.tidy(loss); // builds the layer (creates its weights)
  const vars = lstm.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    train: () => {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss, vars);
        (grads[(vars[0] as tf.Variable).name] as tf.Tensor).dataSync();
      });
    },
    forward: () => {
      tf.tidy(() => loss().dataSync());
    },
    dispose: () => {
      lstm.dispose();
      tf.dispose([x, probe]);
    },
  };
}

/** Milliseconds per step; NaN where a backend cannot run the step. */
export interface LstmTrainResult {
  train: { chainrule: number; tfjsCpu: number; tfjsWasm: number };
  forward: { chainrule: number; tfjsCpu: number; tfjsWasm: number };
  /** Why a tfjs backend could not run the training step, if it could not. */
  unsupported: Record<string, string>;
}

export async function benchLstm(log: (line: string) => void = console.log): Promise<LstmTrainResult> {
  // the .wasm binaries come from the installed package, never from the network
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  const ms: Record<string, number> = {};
  const unsupported: Record<string, string> = {};
  const opts = { maxTime: 1, minSamples: 3 };
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const theirs = tfjsStep();
    const train: Record<string, () => void> = {};
    const forward: Record<string, () => void> = { [`tfjs-${backend}`]: theirs.forward };
    if (backend === 'cpu') {
      train.chainrule = chainruleStep(true);
      forward.chainrule = chainruleStep(false);
    }
    try {
      theirs.train();
      train[`tfjs-${backend}`] = theirs.train;
    } catch (e) {
      unsupported[`tfjs-${backend}`] = String(e instanceof Error ? e.message : e);
    }
    for (const t of compare(train, opts)) ms[`train ${t.name}`] = t.seconds * 1e3;
    for (const t of compare(forward, opts)) ms[`forward ${t.name}`] = t.seconds * 1e3;
    theirs.dispose();
  }
  const pick = (kind: string) => ({
    chainrule: ms[`${kind} chainrule`] ?? Number.NaN,
    tfjsCpu: ms[`${kind} tfjs-cpu`] ?? Number.NaN,
    tfjsWasm: ms[`${kind} tfjs-wasm`] ?? Number.NaN,
  });
  const r = { train: pick('train'), forward: pick('forward'), unsupported };
  log(`LSTM ${INPUT}→${HIDDEN}, ${STEPS} steps, batch ${BATCH} (all steps' outputs), float32`);
  for (const kind of ['train', 'forward'] as const) {
    const row = r[kind];
    log(`  ${kind === 'train' ? 'forward + backward' : 'forward only'}`);
    log(`    chainrule   ${row.chainrule.toFixed(1)} ms/step`);
    for (const [name, v] of [
      ['tfjs-cpu', row.tfjsCpu],
      ['tfjs-wasm', row.tfjsWasm],
    ] as const) {
      if (kind === 'train' && unsupported[name]) log(`    ${name.padEnd(11)} cannot run it: ${unsupported[name]}`);
      else
        log(`    ${name.padEnd(11)} ${v.toFixed(1)} ms/step   chainrule ${(v / row.chainrule).toFixed(2)}x its speed`);
    }
  }
  return r;
}
