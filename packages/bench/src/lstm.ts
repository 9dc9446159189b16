// An LSTM's training step: a batch of 32 sequences of 32 steps of 64 features through one LSTM
// layer of 128 units (all steps' outputs kept), then a fixed linear read-out as the loss. Timed:
// forward and backward (gradients of every weight and bias), and the forward alone, float32.
// chainrule's `LSTM` (each step a handful of core ops on the tape, backpropagation through time
// by replaying it) against TensorFlow.js `tf.layers.lstm` on its CPU and WebAssembly backends,
// in the same run. Both take [batch, seq, feature] inputs (batchFirst for chainrule) and use
// logistic sigmoid gates (tfjs's default recurrentActivation is hardSigmoid: set to sigmoid).
import { noGrad, Rng, randn, type Tensor } from '@chainrule/core';
import { LSTM } from '@chainrule/nn';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { benchLayer, type LayerBenchResult, type TfjsStep } from './layer-bench';

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

function tfjsStep(): TfjsStep {
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

/** Milliseconds per step of chainrule, tfjs-cpu and tfjs-wasm, in one run. */
export type LstmTrainResult = LayerBenchResult;

export function benchLstm(log: (line: string) => void = console.log): Promise<LstmTrainResult> {
  return benchLayer({
    title: `LSTM ${INPUT}→${HIDDEN}, ${STEPS} steps, batch ${BATCH} (all steps' outputs), float32`,
    chainruleStep,
    tfjsStep,
    minSamples: 3,
    log,
  });
}
