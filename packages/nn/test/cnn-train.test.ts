// End to end: a 2-conv CNN learns to tell four kinds of 28×28 shapes apart. The images are
// synthetic (made here with a seeded Rng), but nothing in them is linearly separable by pixel
// position: each shape lands at a random place, with noise, so the network needs its filters.
import { noGrad, Rng, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { Adam, Conv2d, crossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../src/index';

const SIDE = 28;

/**
 * n images [n, 1, 28, 28] of class i % 4: 0 a horizontal bar, 1 a vertical bar, 2 a diagonal,
 * 3 a hollow square; random position and length, plus uniform noise.
 */
function shapes(n: number, rng: Rng): { x: Tensor; labels: number[] } {
  const data = new Float32Array(n * SIDE * SIDE);
  const labels: number[] = [];
  const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
  for (let i = 0; i < n; i++) {
    const label = i % 4;
    const img = data.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
    for (let p = 0; p < img.length; p++) img[p] = 0.3 * rng.next();
    const set = (r: number, c: number) => {
      img[r * SIDE + c] = 1;
    };
    const len = int(8, 14);
    const r0 = int(2, SIDE - 3 - len);
    const c0 = int(2, SIDE - 3 - len);
    for (let k = 0; k < len; k++) {
      if (label === 0) set(r0 + (len >> 1), c0 + k);
      else if (label === 1) set(r0 + k, c0 + (len >> 1));
      else if (label === 2) set(r0 + k, c0 + k);
      else {
        set(r0, c0 + k);
        set(r0 + len - 1, c0 + k);
        set(r0 + k, c0);
        set(r0 + k, c0 + len - 1);
      }
    }
    labels.push(label);
  }
  return { x: tensor(data, { shape: [n, 1, SIDE, SIDE] }), labels };
}

function accuracy(logits: Tensor, labels: number[]): number {
  let correct = 0;
  labels.forEach((t, i) => {
    const row = Array.from(logits.data.subarray(i * 4, i * 4 + 4));
    if (row.indexOf(Math.max(...row)) === t) correct++;
  });
  return correct / labels.length;
}

describe('training a CNN', () => {
  it('a 2-conv CNN learns 28×28 shapes: the loss falls and held-out accuracy rises', () => {
    const rng = new Rng(7);
    const model = new Sequential(
      new Conv2d(1, 4, 3, { padding: 1, rng }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(4, 8, 3, { padding: 1, rng }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(8 * 7 * 7, 4, { rng }),
    );
    const train = shapes(256, rng);
    const test = shapes(128, rng);
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const before = noGrad(() => accuracy(model.forward(test.x), test.labels));
    const batch = 32;
    const losses: number[] = [];
    for (let epoch = 0; epoch < 6; epoch++) {
      for (let start = 0; start < 256; start += batch) {
        const x = tensor(train.x.data.subarray(start * SIDE * SIDE, (start + batch) * SIDE * SIDE), {
          shape: [batch, 1, SIDE, SIDE],
        });
        const loss = crossEntropyLoss(model.forward(x), train.labels.slice(start, start + batch));
        opt.zeroGrad();
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
    }
    const after = noGrad(() => accuracy(model.forward(test.x), test.labels));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(losses.slice(-8))).toBeLessThan(0.4 * mean(losses.slice(0, 8)));
    expect(before).toBeLessThan(0.5);
    expect(after).toBeGreaterThan(0.9);
  });
});
