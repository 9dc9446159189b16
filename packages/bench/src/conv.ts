// A convolutional block's training step on MNIST-sized images: a batch of 64 images 1×28×28
// through Conv2d 1→16 (3×3, padding 1), ReLU, max-pool 2, Conv2d 16→32 (3×3, padding 1), ReLU,
// max-pool 2, then a fixed linear read-out as the loss. Timed: forward and backward (gradients
// of both convolutions' weights and biases), and the forward alone, float32. chainrule against
// TensorFlow.js `tf.layers.conv2d` on its CPU and WebAssembly backends, in the same run. Each
// library gets its default layout: NCHW for chainrule (PyTorch's), NHWC for tfjs.
import { maxPool2d, noGrad, Rng, randn, type Tensor } from '@chainrule/core';
import { Conv2d } from '@chainrule/nn';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { benchLayer, type LayerBenchResult, type TfjsStep } from './layer-bench';

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

function tfjsStep(): TfjsStep {
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

/** Milliseconds per step of chainrule, tfjs-cpu and tfjs-wasm, in one run. */
export type ConvTrainResult = LayerBenchResult;

export function benchConv(log: (line: string) => void = console.log): Promise<ConvTrainResult> {
  return benchLayer({
    title: `Conv2d ${CHANNELS.join('→')} (3×3, padding 1, ReLU, max-pool 2) on ${BATCH}×1×${SIDE}×${SIDE}, float32`,
    chainruleStep,
    tfjsStep,
    minSamples: 2,
    log,
  });
}
