// Two moons, learned by a 2-32-32-2 ReLU MLP (tensors, @chainrule/nn) with Adam on shuffled
// mini-batches; prints the loss curve, the accuracies and the learned decision boundary.
// Libraries, rather than hand-written terminal code:
//   asciichart: the loss curve as a line chart; no dependencies, maintained since 2016, widely used.
//   picocolors: the colours; no dependencies, and plain text under NO_COLOR or when stdout is not a TTY (CI, pipes).
//   No progress bar (cli-progress and the like): training takes about a second, so a bar would only add noise.
import { noGrad, Rng, type Tensor, tensor } from '@chainrule/core';
import { Adam, crossEntropyLoss, MLP } from '@chainrule/nn';
import { plot } from 'asciichart';
import pc from 'picocolors';
import { isMain } from './main';
import { makeMoons, type Points } from './moons';

export interface MoonsOptions {
  trainSize?: number;
  testSize?: number;
  noise?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Seeds the data (seed, seed + 1), the initial weights (seed + 2) and the shuffling (seed + 3). */
  seed?: number;
  /** Called after each epoch with its mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface MoonsResult {
  model: MLP;
  train: Points;
  test: Points;
  /** Mean training loss of each epoch. */
  losses: number[];
  steps: number;
  trainAccuracy: number;
  testAccuracy: number;
}

export const moonsDefaults = {
  trainSize: 600,
  testSize: 300,
  noise: 0.12,
  epochs: 60,
  batchSize: 32,
  lr: 0.01,
  seed: 7,
};

/** Trains the MLP on two moons and returns its loss curve and its train and held-out accuracy. */
export function trainMoonsMlp(opts: MoonsOptions = {}): MoonsResult {
  const { trainSize, testSize, noise, epochs, batchSize, lr, seed } = { ...moonsDefaults, ...opts };
  const train = makeMoons(trainSize, noise, seed);
  const test = makeMoons(testSize, noise, seed + 1);
  const model = new MLP(2, [32, 32, 2], { rng: new Rng(seed + 2) });
  const opt = new Adam(model.parameters(), { lr });
  const shuffle = new Rng(seed + 3);
  const order = train.y.map((_, i) => i);
  const losses: number[] = [];
  let steps = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, shuffle);
    let total = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const x = tensor(batch.map((i) => train.x[i] as number[]));
      const loss = crossEntropyLoss(
        model.forward(x),
        batch.map((i) => train.y[i] as number),
      );
      opt.zeroGrad();
      loss.backward();
      opt.step();
      total += loss.item() * batch.length;
      steps++;
    }
    losses.push(total / order.length);
    opts.onEpoch?.(epoch, total / order.length);
  }
  model.eval();
  return {
    model,
    train,
    test,
    losses,
    steps,
    trainAccuracy: accuracy(model, train),
    testAccuracy: accuracy(model, test),
  };
}

function shuffleInPlace(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
}

/** The predicted class (argmax of the two logits) of each point. */
export function predict(model: MLP, x: number[][]): number[] {
  const logits: Tensor = noGrad(() => model.forward(tensor(x)));
  return x.map((_, i) => Number((logits.data[2 * i + 1] as number) > (logits.data[2 * i] as number)));
}

export function accuracy(model: MLP, points: Points): number {
  const pred = predict(model, points.x);
  return pred.filter((p, i) => p === points.y[i]).length / pred.length;
}

/** The loss curve as an ASCII line chart, at most `width` columns of data. */
export function lossChart(losses: number[], height = 10, width = 60): string {
  const stride = Math.max(1, Math.ceil(losses.length / width));
  const series = losses.filter((_, i) => i % stride === 0 || i === losses.length - 1);
  return plot(series, { height, format: (v: number) => v.toFixed(3).padStart(7) });
}

/**
 * The plane coloured by the model's predicted class, with `points` drawn on top (o: class 0,
 * x: class 1, *: both in one cell). Without colour, class-0 regions are dotted and class-1 regions blank.
 */
export function decisionBoundary(model: MLP, points: Points, width = 64, height = 22): string {
  const xs = points.x.map((p) => p[0] as number);
  const ys = points.x.map((p) => p[1] as number);
  const [x0, x1] = [Math.min(...xs) - 0.2, Math.max(...xs) + 0.2];
  const [y0, y1] = [Math.min(...ys) - 0.2, Math.max(...ys) + 0.2];
  const centres: number[][] = [];
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      centres.push([x0 + ((c + 0.5) * (x1 - x0)) / width, y1 - ((r + 0.5) * (y1 - y0)) / height]);
    }
  }
  const region = predict(model, centres);
  // bit 0: a class-0 point falls in the cell, bit 1: a class-1 point does
  const marks = new Uint8Array(width * height);
  points.x.forEach((p, i) => {
    const c = Math.min(width - 1, Math.floor((((p[0] as number) - x0) / (x1 - x0)) * width));
    const r = Math.min(height - 1, Math.floor(((y1 - (p[1] as number)) / (y1 - y0)) * height));
    marks[r * width + c] = (marks[r * width + c] as number) | (1 << (points.y[i] as number));
  });
  const colour = pc.isColorSupported;
  const paint = (cls: number, run: string) => (cls === 0 ? pc.bgBlue(pc.white(run)) : pc.bgRed(pc.white(run)));
  const rows: string[] = [];
  for (let r = 0; r < height; r++) {
    let line = '';
    let run = '';
    for (let c = 0; c < width; c++) {
      const k = r * width + c;
      const m = marks[k] as number;
      const cls = region[k] as number;
      run += m === 1 ? 'o' : m === 2 ? 'x' : m === 3 ? '*' : colour || cls === 1 ? ' ' : '.';
      // one colour escape per run of cells of the same predicted class
      if (c === width - 1 || region[k + 1] !== cls) {
        line += paint(cls, run);
        run = '';
      }
    }
    rows.push(line);
  }
  return rows.join('\n');
}

/** The whole example: train, then print the chart, the accuracies and the decision boundary. */
export function runMoons(log: (line: string) => void = console.log, opts: MoonsOptions = {}): MoonsResult {
  const o = { ...moonsDefaults, ...opts };
  log(
    `${o.trainSize} training and ${o.testSize} held-out points (noise ${o.noise}); ` +
      `MLP 2-32-32-2 (ReLU), Adam lr ${o.lr}, batches of ${o.batchSize}, ${o.epochs} epochs`,
  );
  const t0 = performance.now();
  const r = trainMoonsMlp(opts);
  const seconds = (performance.now() - t0) / 1000;
  const first = r.losses[0] as number;
  const last = r.losses[r.losses.length - 1] as number;
  log(`\n${pc.bold('training loss (cross-entropy), mean per epoch')}`);
  log(pc.cyan(lossChart(r.losses)));
  log(`epoch 1: ${first.toFixed(4)}  ->  epoch ${r.losses.length}: ${last.toFixed(4)}  (${r.steps} Adam steps)`);
  log(
    `\naccuracy: train ${pc.bold(pct(r.trainAccuracy))}, held-out ${pc.bold(pct(r.testAccuracy))}  ` +
      `(trained in ${seconds.toFixed(2)} s)`,
  );
  const legend = pc.isColorSupported
    ? `${pc.bgBlue(' ')} predicted 0  ${pc.bgRed(' ')} predicted 1`
    : '. predicted 0  (blank) predicted 1';
  log(`\n${pc.bold('decision boundary')} on the held-out points (o: class 0, x: class 1; ${legend})`);
  log(decisionBoundary(r.model, r.test));
  return r;
}

export function pct(a: number): string {
  return `${(a * 100).toFixed(1)}%`;
}

if (isMain('moons-mlp')) runMoons();
