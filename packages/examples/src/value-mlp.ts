// A 2-16-16-1 tanh MLP built from scalar Values, trained by plain gradient descent on two moons:
// every weight is a Value and every multiply-add is a node of the graph that backward() walks.
import { Rng, topoSort, Value } from '@chainrule/core';
import { makeMoons } from './moons';

class Neuron {
  readonly w: Value[];
  readonly b: Value;
  constructor(
    nin: number,
    readonly act: 'tanh' | 'linear',
    rng: Rng,
  ) {
    const bound = 1 / Math.sqrt(nin);
    this.w = Array.from({ length: nin }, () => new Value(rng.uniform(-bound, bound)));
    this.b = new Value(rng.uniform(-bound, bound));
  }
  forward(x: Value[]): Value {
    let z = this.b;
    for (let i = 0; i < x.length; i++) z = z.add((this.w[i] as Value).mul(x[i] as Value));
    return this.act === 'tanh' ? z.tanh() : z;
  }
}

export class ValueMLP {
  readonly layers: Neuron[][];
  constructor(sizes: number[], rng: Rng) {
    this.layers = [];
    for (let l = 1; l < sizes.length; l++) {
      const act = l === sizes.length - 1 ? 'linear' : 'tanh';
      this.layers.push(Array.from({ length: sizes[l] as number }, () => new Neuron(sizes[l - 1] as number, act, rng)));
    }
  }
  forward(x: Value[]): Value[] {
    let h = x;
    for (const layer of this.layers) h = layer.map((n) => n.forward(h));
    return h;
  }
  parameters(): Value[] {
    return this.layers.flat().flatMap((n) => [...n.w, n.b]);
  }
}

/** Trains the Value MLP; returns the loss curve, the final accuracy and the size of one step's graph. */
export function trainValueMlp(
  steps: number,
  log: (line: string) => void,
): { losses: number[]; accuracy: number; graphNodes: number } {
  const data = makeMoons(100, 0.1, 1);
  const model = new ValueMLP([2, 16, 16, 1], new Rng(0));
  const params = model.parameters();
  const inputs = data.x.map((p) => p.map((v) => new Value(v)));
  const losses: number[] = [];
  let accuracy = 0;
  let graphNodes = 0;
  for (let step = 0; step < steps; step++) {
    // binary cross-entropy on the logit z: softplus(z) − t·z, summed then averaged
    let loss = new Value(0);
    let correct = 0;
    for (let i = 0; i < inputs.length; i++) {
      const z = model.forward(inputs[i] as Value[])[0] as Value;
      const t = data.y[i] as number;
      loss = loss.add(z.exp().add(1).log().sub(z.mul(t)));
      if (z.data > 0 === (t === 1)) correct++;
    }
    loss = loss.div(inputs.length);
    if (step === 0) graphNodes = topoSort(loss).length;
    for (const p of params) p.grad = 0;
    loss.backward();
    const lr = 0.5;
    for (const p of params) p.data -= lr * p.grad; // F6: θ := θ − η ∂L/∂θ
    losses.push(loss.data);
    accuracy = correct / inputs.length;
    if (step % 10 === 0 || step === steps - 1) {
      log(`step ${String(step).padStart(3)}  loss ${loss.data.toFixed(4)}  accuracy ${(accuracy * 100).toFixed(0)}%`);
    }
  }
  return { losses, accuracy, graphNodes };
}
