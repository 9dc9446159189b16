// End to end: an MLP trained with Adam learns XOR and two moons (seeded, so the figures are exact
// for this code; the thresholds are those of the nn issue).
import { noGrad, Rng, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  bceWithLogitsLoss,
  CosineAnnealingLR,
  clipGradNorm,
  crossEntropyLoss,
  DataLoader,
  MLP,
} from '../src/index';

function accuracy(logits: Tensor, labels: number[], binary: boolean): number {
  let correct = 0;
  const c = binary ? 1 : (logits.shape[1] as number);
  labels.forEach((t, i) => {
    const row = Array.from(logits.data.subarray(i * c, (i + 1) * c));
    const pred = binary ? Number((row[0] as number) > 0) : row.indexOf(Math.max(...row));
    if (pred === t) correct++;
  });
  return correct / labels.length;
}

/** Two interleaving half circles with Gaussian noise (as scikit-learn's make_moons). */
function moons(n: number, noise: number, rng: Rng): { x: Tensor; y: number[] } {
  const data: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const a = Math.PI * rng.next();
    const px = label === 0 ? Math.cos(a) : 1 - Math.cos(a);
    const py = label === 0 ? Math.sin(a) : 0.5 - Math.sin(a);
    data.push([px + noise * rng.normal(), py + noise * rng.normal()]);
    y.push(label);
  }
  return { x: tensor(data), y };
}

describe('training', () => {
  it('an MLP with Adam learns XOR to 100% accuracy (bceWithLogits)', () => {
    const x = tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const labels = [0, 1, 1, 0];
    const t = tensor(labels.map((v) => [v]));
    const model = new MLP(2, [8, 1], { activation: 'tanh', rng: new Rng(0) });
    const opt = new Adam(model.parameters(), { lr: 0.05 });
    let loss = Number.POSITIVE_INFINITY;
    for (let step = 0; step < 300; step++) {
      const l = bceWithLogitsLoss(model.forward(x), t);
      opt.zeroGrad();
      l.backward();
      opt.step();
      loss = l.item();
    }
    expect(loss).toBeLessThan(0.05);
    expect(
      accuracy(
        noGrad(() => model.forward(x)),
        labels,
        true,
      ),
    ).toBe(1);
  });

  it('an MLP with Adam reaches ≥ 97% on two moons (crossEntropy, held-out points)', () => {
    const rng = new Rng(42);
    const train = moons(400, 0.1, rng);
    const test = moons(200, 0.1, rng);
    const model = new MLP(2, [32, 32, 2], { activation: 'relu', rng: new Rng(1) });
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    for (let step = 0; step < 400; step++) {
      const l = crossEntropyLoss(model.forward(train.x), train.y);
      opt.zeroGrad();
      l.backward();
      opt.step();
    }
    model.eval();
    const trainAcc = accuracy(
      noGrad(() => model.forward(train.x)),
      train.y,
      false,
    );
    const testAcc = accuracy(
      noGrad(() => model.forward(test.x)),
      test.y,
      false,
    );
    expect(trainAcc).toBeGreaterThanOrEqual(0.97);
    expect(testAcc).toBeGreaterThanOrEqual(0.97);
  });

  it('mini-batches, gradient clipping and a cosine schedule still reach ≥ 97% on two moons', () => {
    const rng = new Rng(42);
    const train = moons(400, 0.1, rng);
    const test = moons(200, 0.1, rng);
    const model = new MLP(2, [32, 32, 2], { activation: 'relu', rng: new Rng(1) });
    const opt = new Adam(model.parameters(), { lr: 0.02, nonFinite: 'error' });
    const loader = new DataLoader([train.x, tensor(train.y)], { batchSize: 50, shuffle: true, rng: new Rng(3) });
    const epochs = 40;
    const sched = new CosineAnnealingLR(opt, { tMax: epochs * loader.length });
    let clipped = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (const [xb, yb] of loader) {
        const loss = crossEntropyLoss(model.forward(xb), yb);
        opt.zeroGrad();
        loss.backward();
        if (clipGradNorm(model.parameters(), 0.5) > 0.5) clipped++;
        opt.step();
        sched.step();
      }
    }
    expect(clipped).toBeGreaterThan(0); // the clipping did act
    expect(sched.getLastLr()[0]).toBeLessThan(1e-12); // annealed to etaMin = 0
    model.eval();
    const testAcc = accuracy(
      noGrad(() => model.forward(test.x)),
      test.y,
      false,
    );
    expect(testAcc).toBeGreaterThanOrEqual(0.97);
  });
});
