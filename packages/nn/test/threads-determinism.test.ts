// Results do not depend on the thread count, nor on whether kernelsReady() was awaited: a CNN and
// an MLP trained for a few steps give the same losses and weights, bit for bit, on 1, 2 and 3
// threads, with the pool still starting or up. (Each output element of a split kernel is summed
// in the same order whatever the split; a convolution's weight gradient is summed in fixed ranges
// of images.)
import {
  getNumThreads,
  kernelBackend,
  kernelsReady,
  noGrad,
  Rng,
  randn,
  setNumThreads,
  type Tensor,
} from '@chainrule/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// the pool's policy off: every large product splits, however busy the machine running the tests
import { KernelThreads } from '../../core/src/kernels/wasm/threads';
import {
  Adam,
  Conv2d,
  crossEntropyLoss,
  Flatten,
  Linear,
  MaxPool2d,
  MLP,
  type Module,
  ReLU,
  Sequential,
} from '../src/index';

/** Losses of `steps` Adam steps of `model` on (x, labels) with cross-entropy, then its weights. */
function train(model: Module, x: Tensor, labels: number[], steps: number): unknown[] {
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = crossEntropyLoss(model.forward(x), labels);
    losses.push(loss.item());
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  return [...losses, ...model.parameters().map((p) => p.data)];
}

/** A small CNN (two 3×3 convolutions, pools, a linear read-out), batch 32. */
function trainCnn(steps: number): unknown[] {
  const rng = new Rng(11);
  const model = new Sequential(
    new Conv2d(1, 16, 3, { padding: 1, rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1, rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(32 * 7 * 7, 4, { rng }),
  );
  const x = noGrad(() => randn([32, 1, 28, 28], { rng }));
  return train(
    model,
    x,
    Array.from({ length: 32 }, (_, i) => i % 4),
    steps,
  );
}

/** An MLP 784-256-256-10 at batch 128 (products split across threads). */
function trainMlp(steps: number): unknown[] {
  const rng = new Rng(12);
  const model = new MLP(784, [256, 256, 10], { rng });
  const x = noGrad(() => randn([128, 784], { rng }));
  return train(
    model,
    x,
    Array.from({ length: 128 }, (_, i) => i % 10),
    steps,
  );
}

describe('thread count and kernelsReady() change no result', () => {
  const before = getNumThreads();
  beforeAll(() => {
    KernelThreads.adaptive = false;
  });
  afterAll(() => {
    KernelThreads.adaptive = true;
    setNumThreads(before);
  });

  it(`CNN and MLP: 1 thread = 2 threads (pool starting) = 2 threads (ready) = 3 threads, bit for bit (${kernelBackend()})`, async () => {
    setNumThreads(1);
    const cnn = trainCnn(3);
    const mlp = trainMlp(3);
    setNumThreads(2); // not awaited: the first products run while the workers start
    expect(trainCnn(3)).toEqual(cnn);
    expect(trainMlp(3)).toEqual(mlp);
    await kernelsReady();
    expect(trainCnn(3)).toEqual(cnn);
    expect(trainMlp(3)).toEqual(mlp);
    setNumThreads(3);
    await kernelsReady();
    expect(trainCnn(3)).toEqual(cnn);
    expect(trainMlp(3)).toEqual(mlp);
  });
});
