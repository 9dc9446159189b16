// The training side of the playground: an MLP features → hidden… → 1 on a toy data set, a
// classifier (sigmoid output, binary cross-entropy) or a regressor (linear output, mean squared
// error), with the same @chainrule/core and @chainrule/nn calls a user's program would make. It
// runs in the Web Worker (worker.ts) and, unchanged, in the Node tests.
import { grad, noGrad, Rng, type Tensor, tensor } from '@chainrule/core';
import { Adam, bceWithLogitsLoss, MLP, mseLoss, type Optimizer, RMSprop, SGD } from '@chainrule/nn';
import { domainOf, makeDataset, type Points } from './datasets';
import { type FeatureName, featureRow } from './features';
import { type OptimizerName, type PlaygroundState, type Regularization, split } from './state';

/** One Linear layer's parameters and their gradients from the last step, as plain numbers. */
export interface LayerSnapshot {
  /** W [out][in] (F1: z = W a + b). */
  weight: number[][];
  bias: number[];
  /** ∂L/∂W and ∂L/∂b of the last mini-batch; null before the first step. */
  weightGrad: number[][] | null;
  biasGrad: number[] | null;
}

/** One layer of the forward and backward pass for a single example. */
export interface LayerTrace {
  /** Pre-activations z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ (F1). */
  z: number[];
  /** Activations a⁽ˡ⁾ = σ(z⁽ˡ⁾); for the output layer, σ(z) (classification) or z itself (regression). */
  a: number[];
  /** Error terms δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ of that example's own loss, computed by autodiff (grad()). */
  delta: number[];
}

/** The forward and backward pass of one training example through the current network. */
export interface ExampleTrace {
  index: number;
  /** The point (x₁, x₂). */
  x: [number, number];
  /** The network's input: the chosen features of the point. */
  input: number[];
  /** The label t ∈ {0, 1}, or the regression target. */
  t: number;
  /** Its own loss: binary cross-entropy (F11) or squared error (F10), N = 1. */
  loss: number;
  layers: LayerTrace[];
}

/** Mini-batch training of an MLP on one of the data sets, as the playground's state describes. */
export class Trainer {
  readonly train: Points;
  readonly test: Points;
  readonly model: MLP;
  readonly domain: [number, number, number, number];
  readonly features: readonly FeatureName[];
  readonly regression: boolean;
  steps = 0;
  private readonly opt: Optimizer;
  private readonly shuffle: Rng;
  private readonly order: number[];
  private cursor = 0;
  private reg: Regularization;
  private regRate: number;

  constructor(readonly state: PlaygroundState) {
    // seed, seed + 1, seed + 2, seed + 3: training points, held-out points, initial weights, batch order
    const n = split(state.ratio);
    this.train = makeDataset(state.data, n.train, state.noise, state.seed);
    this.test = makeDataset(state.data, n.test, state.noise, state.seed + 1);
    this.domain = domainOf(this.train);
    this.features = state.features;
    this.regression = state.problem === 'regression';
    this.model = new MLP(state.features.length, [...state.hidden, 1], {
      activation: state.act,
      rng: new Rng(state.seed + 2),
    });
    this.opt = makeOptimizer(state.opt, this.model.parameters(), state.lr);
    this.reg = state.reg;
    this.regRate = state.regRate;
    this.shuffle = new Rng(state.seed + 3);
    this.order = this.train.y.map((_, i) => i);
    shuffleInPlace(this.order, this.shuffle);
  }

  /** Changes the learning rate from the next step on. */
  setLr(lr: number): void {
    this.opt.lr = lr;
  }

  /** Changes the weight penalty from the next step on. */
  setRegularization(reg: Regularization, rate: number): void {
    this.reg = reg;
    this.regRate = rate;
  }

  /** The network's input rows for points of the plane. */
  inputs(points: readonly (readonly [number, number])[]): Tensor {
    return tensor(points.map((p) => featureRow(this.features, p)));
  }

  /** The data loss of the logits (classification) or outputs (regression) against the targets (F11, F10). */
  private dataLoss(out: Tensor, t: Tensor): Tensor {
    return this.regression ? mseLoss(out, t) : bceWithLogitsLoss(out, t);
  }

  /** λ Σ|W| (L1) or λ Σ W² (L2) over every layer's weights; null without a penalty. */
  private penalty(): Tensor | null {
    if (this.reg === 'none' || this.regRate === 0) return null;
    const terms = this.model.layers.map((layer) =>
      (this.reg === 'l1' ? layer.weight.abs() : layer.weight.square()).sum(),
    );
    return terms.reduce((s, term) => s.add(term)).mul(this.regRate);
  }

  /**
   * One optimizer step on the next mini-batch (reshuffled after each epoch); returns the batch's
   * data loss (without the penalty, so that it compares with the held-out loss).
   */
  step(): number {
    if (this.cursor >= this.order.length) {
      shuffleInPlace(this.order, this.shuffle);
      this.cursor = 0;
    }
    const batch = this.order.slice(this.cursor, this.cursor + this.state.batch);
    this.cursor += batch.length;
    const x = this.inputs(batch.map((i) => this.train.x[i] as [number, number]));
    const t = tensor(batch.map((i) => [this.train.y[i] as number]));
    const data = this.dataLoss(this.model.forward(x), t); // F11 or F10
    const penalty = this.penalty();
    const loss = penalty === null ? data : data.add(penalty);
    this.opt.zeroGrad();
    loss.backward();
    this.opt.step();
    this.steps++;
    return data.item();
  }

  /** The network's output for each point: P(label 1) = σ(z⁽ᴸ⁾), or the regression value z⁽ᴸ⁾. */
  predict(points: readonly (readonly [number, number])[]): Float32Array {
    const out = noGrad(() => {
      const z = this.model.forward(this.inputs(points));
      return this.regression ? z : z.sigmoid();
    });
    return Float32Array.from(out.data);
  }

  /** The mean data loss over `points`, without the penalty. */
  loss(points: Points): number {
    return noGrad(() =>
      this.dataLoss(this.model.forward(this.inputs(points.x)), tensor(points.y.map((y) => [y]))).item(),
    );
  }

  /** The fraction of `points` whose label is the predicted one (P(1) > 0.5); NaN for regression. */
  accuracy(points: Points): number {
    if (this.regression) return Number.NaN;
    const p = this.predict(points.x);
    return points.y.filter((label, i) => Number((p[i] as number) > 0.5) === label).length / points.y.length;
  }

  /** The centres of a `res × res` grid over the domain, row by row from the top (largest x₂) down. */
  centres(res: number): [number, number][] {
    const [x0, x1, y0, y1] = this.domain;
    const out: [number, number][] = [];
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        out.push([x0 + ((c + 0.5) * (x1 - x0)) / res, y1 - ((r + 0.5) * (y1 - y0)) / res]);
      }
    }
    return out;
  }

  /** The output over the grid (`predict` at its centres): the heat map of the decision boundary. */
  grid(res: number): Float32Array {
    return this.predict(this.centres(res));
  }

  /**
   * Every neuron's value over a `res × res` grid: column 0 holds the features, column l + 1 the
   * activations a⁽ˡ⁺¹⁾ of Linear layer l (the output: as `predict`); `maps[c][j]` is a res²
   * array in grid order.
   */
  neuronMaps(res: number): Float32Array[][] {
    const centres = this.centres(res);
    const x = this.inputs(centres);
    const columns: Tensor[] = [x];
    noGrad(() => {
      let h = x;
      this.model.layers.forEach((layer, l) => {
        const z = layer.forward(h);
        const last = l === this.model.layers.length - 1;
        h = last ? (this.regression ? z : z.sigmoid()) : z[this.state.act]();
        columns.push(h);
      });
    });
    return columns.map((t) => {
      const [n, width] = t.shape as [number, number];
      return Array.from({ length: width }, (_, j) => {
        const map = new Float32Array(n);
        for (let k = 0; k < n; k++) map[k] = t.data[k * width + j] as number;
        return map;
      });
    });
  }

  /** ‖∂L/∂W⁽ˡ⁾‖ (Frobenius) of each layer from the last step; 0 before the first. */
  gradNorms(): number[] {
    return this.model.layers.map((layer) => {
      const g = layer.weight.grad;
      if (g === null) return 0;
      let s = 0;
      for (const v of g.data as Float32Array) s += v * v;
      return Math.sqrt(s);
    });
  }

  /** Each layer's parameters and their last gradients. */
  snapshot(): LayerSnapshot[] {
    return this.model.layers.map((layer) => ({
      weight: rows(layer.weight),
      bias: Array.from(layer.bias?.data ?? []),
      weightGrad: layer.weight.grad ? rows(layer.weight.grad) : null,
      biasGrad: layer.bias?.grad ? Array.from(layer.bias.grad.data) : null,
    }));
  }

  /**
   * The forward pass of training example `index` alone, and the error terms δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ of
   * its own data loss, by autodiff: grad() of the loss with respect to every layer's z. The
   * inspector sets them beside F2/F5, evaluated from the same numbers.
   */
  trace(index: number): ExampleTrace {
    const x = this.train.x[index] as [number, number];
    const t = this.train.y[index] as number;
    const input = featureRow(this.features, x);
    const zs: Tensor[] = [];
    const as: number[][] = [];
    let h = tensor([input]);
    const last = this.model.layers.length - 1;
    this.model.layers.forEach((layer, l) => {
      const z = layer.forward(h);
      zs.push(z);
      h = l < last ? z[this.state.act]() : z;
      as.push(Array.from(l < last ? h.data : this.regression ? z.data : z.sigmoid().data));
    });
    const loss = this.dataLoss(h, tensor([[t]]));
    const deltas = grad(loss, zs);
    return {
      index,
      x,
      input,
      t,
      loss: loss.item(),
      layers: zs.map((z, l) => ({
        z: Array.from(z.data),
        a: as[l] as number[],
        delta: Array.from((deltas[l] as Tensor).data),
      })),
    };
  }
}

function makeOptimizer(name: OptimizerName, params: Tensor[], lr: number): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD(params, { lr });
    case 'momentum':
      return new SGD(params, { lr, momentum: 0.9 });
    case 'adam':
      return new Adam(params, { lr });
    case 'rmsprop':
      return new RMSprop(params, { lr });
  }
}

function rows(t: Tensor): number[][] {
  const [out, inp] = t.shape as [number, number];
  return Array.from({ length: out }, (_, j) => Array.from(t.data.subarray(j * inp, (j + 1) * inp)));
}

function shuffleInPlace(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
}
