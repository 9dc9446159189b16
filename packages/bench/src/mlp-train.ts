// A training step of a real-sized MLP, 784-128-64-10 on a batch of 64 (an MNIST-shaped network):
// forward, softmax cross-entropy, backward and an SGD update, chainrule against TensorFlow.js
// on its CPU and WebAssembly backends, in the same run.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { noGrad, Rng, randn, type Tensor } from '@chainrule/core';
import { crossEntropyLoss, MLP, SGD } from '@chainrule/nn';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// the gradient functions are registered by the tfjs union package (into the same tfjs-core engine)
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { compare } from './measure';

const SIZES = [784, 128, 64, 10];
const BATCH = 64;

function chainruleStep(): () => void {
  const rng = new Rng(3);
  const model = new MLP(SIZES[0] as number, SIZES.slice(1), { rng });
  const opt = new SGD(model.parameters(), { lr: 0.01 });
  const x: Tensor = noGrad(() => randn([BATCH, SIZES[0] as number], { rng }));
  const labels = Array.from({ length: BATCH }, (_, i) => i % 10);
  return () => {
    const loss = crossEntropyLoss(model.forward(x), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

function tfjsStep(): { step: () => void; dispose: () => void } {
  const weights: tf.Variable[] = [];
  for (let l = 1; l < SIZES.length; l++) {
    const bound = 1 / Math.sqrt(SIZES[l - 1] as number);
    weights.push(tf.variable(tf.randomUniform([SIZES[l - 1] as number, SIZES[l] as number], -bound, bound)));
    weights.push(tf.variable(tf.randomUniform([SIZES[l] as number], -bound, bound)));
  }
  const x = tf.randomNormal([BATCH, SIZES[0] as number]);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: BATCH }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const lr = tf.scalar(0.01);
  const loss = () => {
    let h: tf.Tensor = x;
    for (let l = 0; l < weights.length; l += 2) {
      h = tf.add(tf.matMul(h, weights[l] as tf.Variable), weights[l + 1] as tf.Variable);
      if (l + 2 < weights.length) h = tf.relu(h);
    }
    const logp = tf.logSoftmax(h);
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, y), 1))) as tf.Scalar;
  };
  const step = () => {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, weights);
      for (const w of weights) w.assign(tf.sub(w, tf.mul(lr, grads[w.name] as tf.Tensor)));
    });
    (weights[0] as tf.Variable).dataSync();
  };
  return { step, dispose: () => tf.dispose([...weights, x, y, lr]) };
}

export interface MlpTrainResult {
  chainruleMs: number;
  tfjsCpuMs: number;
  tfjsWasmMs: number;
}

export async function benchMlpTrain(log: (line: string) => void = console.log): Promise<MlpTrainResult> {
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  const ours = chainruleStep();
  const ms: Record<string, number> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const theirs = tfjsStep();
    const cases: Record<string, () => void> = { [`tfjs-${backend}`]: theirs.step };
    if (backend === 'cpu') cases.chainrule = ours;
    for (const t of compare(cases, { maxTime: 3, minSamples: 5 })) ms[t.name] = t.seconds * 1e3;
    theirs.dispose();
  }
  const r = {
    chainruleMs: ms.chainrule ?? Number.NaN,
    tfjsCpuMs: ms['tfjs-cpu'] ?? Number.NaN,
    tfjsWasmMs: ms['tfjs-wasm'] ?? Number.NaN,
  };
  log(`MLP ${SIZES.join('-')} (ReLU), batch ${BATCH}: forward + cross-entropy + backward + SGD step, float32`);
  log(`  chainrule   ${r.chainruleMs.toFixed(2)} ms/step`);
  log(
    `  tfjs-cpu    ${r.tfjsCpuMs.toFixed(2)} ms/step   chainrule ${(r.tfjsCpuMs / r.chainruleMs).toFixed(2)}x its speed`,
  );
  log(
    `  tfjs-wasm   ${r.tfjsWasmMs.toFixed(2)} ms/step   chainrule ${(r.tfjsWasmMs / r.chainruleMs).toFixed(2)}x its speed`,
  );
  return r;
}
