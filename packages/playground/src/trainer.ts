// The training side of the playground: a binary classifier 2 → hidden… → 1 on a toy data set,
// with the same @chainrule/core and @chainrule/nn calls a user's program would make. It runs in
// the Web Worker (worker.ts) and, unchanged, in the Node tests.
import { grad, noGrad, Rng, type Tensor, tensor } from '@chainrule/core';
import { Adam, bceWithLogitsLoss, MLP, type Optimizer, RMSprop, SGD } from '@chainrule/nn';
import { domainOf, makeDataset, type Points } from './datasets';
import { type OptimizerName, type PlaygroundState, TRAIN_SIZE } from './state';

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
  /** Activations a⁽ˡ⁾ = σ(z⁽ˡ⁾); for the output layer, the probability σ(z) of label 1. */
  a: number[];
  /** Error terms δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ of that example's own loss, computed by autodiff (grad()). */
  delta: number[];
}

/** The forward and backward pass of one training example through the current network. */
export interface ExampleTrace {
  index: number;
  x: [number, number];
  /** The label t ∈ {0, 1}. */
  t: number;
  /** Its binary cross-entropy L = −[t ln σ(z) + (1 − t) ln(1 − σ(z))]. */
  loss: number;
  layers: LayerTrace[];
}

/** Mini-batch training of an MLP on one of the data sets, as the playground's state describes. */
export class Trainer {
  readonly train: Points;
  readonly test: Points;
  readonly model: MLP;
  readonly domain: [number, number, number, number];
  steps = 0;
  private readonly opt: Optimizer;
  private readonly shuffle: Rng;
  private readonly order: number[];
  private cursor = 0;

  constructor(readonly state: PlaygroundState) {
    // seed, seed + 1, seed + 2, seed + 3: training points, held-out points, initial weights, batch order
    this.train = makeDataset(state.data, TRAIN_SIZE, state.noise, state.seed);
    this.test = makeDataset(state.data, TRAIN_SIZE, state.noise, state.seed + 1);
    this.domain = domainOf(this.train);
    this.model = new MLP(2, [...state.hidden, 1], { activation: state.act, rng: new Rng(state.seed + 2) });
    this.opt = makeOptimizer(state.opt, this.model.parameters(), state.lr);
    this.shuffle = new Rng(state.seed + 3);
    this.order = this.train.y.map((_, i) => i);
    shuffleInPlace(this.order, this.shuffle);
  }

  /** One optimizer step on the next mini-batch (reshuffled after each epoch); returns its loss. */
  step(): number {
    if (this.cursor >= this.order.length) {
      shuffleInPlace(this.order, this.shuffle);
      this.cursor = 0;
    }
    const batch = this.order.slice(this.cursor, this.cursor + this.state.batch);
    this.cursor += batch.length;
    const x = tensor(batch.map((i) => this.train.x[i] as [number, number]));
    const t = tensor(batch.map((i) => [this.train.y[i] as number]));
    const loss = bceWithLogitsLoss(this.model.forward(x), t); // F11
    this.opt.zeroGrad();
    loss.backward();
    this.opt.step();
    this.steps++;
    return loss.item();
  }

  /** P(label 1) = σ(z⁽ᴸ⁾) for each point. */
  probabilities(x: readonly (readonly number[])[]): Float32Array {
    const p = noGrad(() => this.model.forward(tensor(x as number[][])).sigmoid());
    return Float32Array.from(p.data);
  }

  /** The fraction of `points` whose label is the predicted one (P(1) > 0.5). */
  accuracy(points: Points): number {
    const p = this.probabilities(points.x);
    return points.y.filter((label, i) => Number((p[i] as number) > 0.5) === label).length / points.y.length;
  }

  /**
   * P(label 1) at the centres of a `res × res` grid over the domain, row by row from the top
   * (largest x₂) down: the heat map of the decision boundary.
   */
  grid(res: number): Float32Array {
    const [x0, x1, y0, y1] = this.domain;
    const centres: number[][] = [];
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        centres.push([x0 + ((c + 0.5) * (x1 - x0)) / res, y1 - ((r + 0.5) * (y1 - y0)) / res]);
      }
    }
    return this.probabilities(centres);
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
   * its own loss, by autodiff: grad() of the loss with respect to every layer's z. The
   * inspector sets them beside F2/F5, evaluated from the same numbers.
   */
  trace(index: number): ExampleTrace {
    const x = this.train.x[index] as [number, number];
    const t = this.train.y[index] as number;
    const zs: Tensor[] = [];
    const as: number[][] = [];
    let h = tensor([x]);
    this.model.layers.forEach((layer, l) => {
      const z = layer.forward(h);
      zs.push(z);
      h = l < this.model.layers.length - 1 ? z[this.state.act]() : z;
      as.push(Array.from(l < this.model.layers.length - 1 ? h.data : z.sigmoid().data));
    });
    const loss = bceWithLogitsLoss(h, tensor([[t]]));
    const deltas = grad(loss, zs);
    return {
      index,
      x,
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
