// A convolutional block's training step on MNIST-sized images: a batch of 64 images 1×28×28
// through Conv2d 1→16 (3×3, padding 1), ReLU, max-pool 2, Conv2d 16→32 (3×3, padding 1), ReLU,
// max-pool 2, then a fixed linear read-out as the loss. Timed: forward and backward (gradients
// of both convolutions' weights and biases), and the forward alone, float32. chainrule against
// TensorFlow.js `tf.layers.conv2d` on its CPU and WebAssembly backends, in the same run. Each
// library gets its default layout: NCHW for chainrule (PyTorch's), NHWC for tfjs.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { maxPool2d, noGrad, Rng, randn, type Tensor } from '@chainrule/core';
import { Conv2d } from '@chainrule/nn';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { compare } from './measure';

const BATCH = 64;
const SIDE = 28;
const CHANNELS = [1, 16, 32];

/** chainrule's step: `train` adds the backward pass (both convolutions' weight and bias gradients). */
function chainruleStep(train: boolean): () => void {
  const rng = new Rng(5);
  const c1 = new Conv2d(CHANNELS[0] as number, CHANNELS[1] as number, 3, { padding: 1, rng });
  const c2 = new Conv2d(CHANNELS[1] as number, CHANNELS[2] as number, 3, { padding: 1, rng });
  const params = [...c1.parameters(), ...c2.parameters()];
  const x: Tensor = noGrad(() => randn([BATCH, 1, SIDE, SIDE], { rng }));
  const probe: Tensor = noGrad(() => randn([BATCH, CHANNELS[2] as number, SIDE / 4, SIDE / 4], { rng }));
  const loss = () => {
    const h = maxPool2d(c1.forward(x).relu(), 2);
    return maxPool2d(c2.forward(h).relu(), 2).mul(probe).sum();
  };
  if (!train) return () => noGrad(loss).item();
  return () => {
    for (const p of params) p.grad = null;
    loss().backward();
  };
}

function tfjsStep(): { train: () => void; forward: () => void; dispose: () => void } {
  const c1 = tf.layers.conv2d({ filters: CHANNELS[1] as number, kernelSize: 3, padding: 'same', activation: 'relu' });
  const c2 = tf.layers.conv2d({ filters: CHANNELS[2] as number, kernelSize: 3, padding: 'same', activation: 'relu' });
  const pool1 = tf.layers.maxPooling2d({ poolSize: 2 });
  const pool2 = tf.layers.maxPooling2d({ poolSize: 2 });
  const x = tf.randomNormal([BATCH, SIDE, SIDE, 1]);
  const probe = tf.randomNormal([BATCH, SIDE / 4, SIDE / 4, CHANNELS[2] as number]);
  const loss = () => tf.sum(tf.mul(pool2.apply(c2.apply(pool1.apply(c1.apply(x)))) as tf.Tensor, probe)) as tf.Scalar;
  tf.tidy(loss); // builds the layers (creates their weights)
  const vars = [...c1.trainableWeights, ...c2.trainableWeights].map((w) => w.read() as tf.Variable);
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
      c1.dispose();
      c2.dispose();
      tf.dispose([x, probe]);
    },
  };
}

/** Milliseconds per step; NaN where a backend cannot run the step. */
export interface ConvTrainResult {
  train: { chainrule: number; tfjsCpu: number; tfjsWasm: number };
  forward: { chainrule: number; tfjsCpu: number; tfjsWasm: number };
  /** Why a tfjs backend could not run the training step, if it could not. */
  unsupported: Record<string, string>;
}

export async function benchConv(log: (line: string) => void = console.log): Promise<ConvTrainResult> {
  // the .wasm binaries come from the installed package, never from the network
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  const ms: Record<string, number> = {};
  const unsupported: Record<string, string> = {};
  // tfjs-cpu takes seconds per training step: few samples, each one long, keep the run short
  const opts = { maxTime: 1, minSamples: 2 };
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
      // tfjs 4.22's WebAssembly backend registers no Conv2DBackpropFilter kernel
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
  log(`Conv2d ${CHANNELS.join('→')} (3×3, padding 1, ReLU, max-pool 2) on ${BATCH}×1×${SIDE}×${SIDE}, float32`);
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
