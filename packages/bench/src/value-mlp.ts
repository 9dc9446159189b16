// Issue benchmark for the scalar engine: forward + backward + SGD step of a 2-16-16-1 tanh MLP of
// Values on 100 points, against a minimal micrograd-style closure engine written here as the
// baseline: the fastest the naive design can be (no checks, recursive topological sort).
import { Rng, Value } from '@chainrule/core';
import { compare } from './measure';

const NO_PREV: Scalar[] = [];

/** The baseline: micrograd's Value, as plain as it gets (leaves share one empty operand list). */
class Scalar {
  grad = 0;
  backwardStep: (() => void) | null = null;
  constructor(
    public data: number,
    readonly prev: Scalar[] = NO_PREV,
  ) {}
  add(o: Scalar | number): Scalar {
    const other = o instanceof Scalar ? o : new Scalar(o);
    const out = new Scalar(this.data + other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += out.grad;
      other.grad += out.grad;
    };
    return out;
  }
  mul(o: Scalar | number): Scalar {
    const other = o instanceof Scalar ? o : new Scalar(o);
    const out = new Scalar(this.data * other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += other.data * out.grad;
      other.grad += this.data * out.grad;
    };
    return out;
  }
  sub(o: Scalar | number): Scalar {
    const other = o instanceof Scalar ? o : new Scalar(o);
    const out = new Scalar(this.data - other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += out.grad;
      other.grad -= out.grad;
    };
    return out;
  }
  tanh(): Scalar {
    const t = Math.tanh(this.data);
    const out = new Scalar(t, [this]);
    out.backwardStep = () => {
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }
  backward(): void {
    const topo: Scalar[] = [];
    const seen = new Set<Scalar>();
    const build = (v: Scalar) => {
      if (seen.has(v)) return;
      seen.add(v);
      for (const p of v.prev) build(p);
      topo.push(v);
    };
    build(this);
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) (topo[i] as Scalar).backwardStep?.();
  }
}

/** The operations both engines share, so one MLP definition drives both. */
interface Num<T> {
  data: number;
  grad: number;
  add(o: T | number): T;
  mul(o: T | number): T;
  sub(o: T | number): T;
  tanh(): T;
  backward(): void;
}

/** One training step's closure over a freshly initialised network; returns the node count too. */
function makeStep<T extends Num<T>>(make: (x: number) => T): { step: () => number } {
  const rng = new Rng(0);
  const sizes = [2, 16, 16, 1];
  const layers: { w: T[][]; b: T[] }[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const nin = sizes[l - 1] as number;
    const bound = 1 / Math.sqrt(nin);
    const w = Array.from({ length: sizes[l] as number }, () =>
      Array.from({ length: nin }, () => make(rng.uniform(-bound, bound))),
    );
    const b = Array.from({ length: sizes[l] as number }, () => make(rng.uniform(-bound, bound)));
    layers.push({ w, b });
  }
  const params = layers.flatMap(({ w, b }) => [...w.flat(), ...b]);
  const data = Array.from({ length: 100 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)] as const);
  const targets = data.map(([x, y]) => (x * y > 0 ? 1 : -1));
  let nodes = 0;
  const step = () => {
    let loss = make(0);
    for (let n = 0; n < data.length; n++) {
      let h: T[] = (data[n] as readonly number[]).map((v) => make(v));
      layers.forEach(({ w, b }, l) => {
        h = w.map((row, j) => {
          let z = b[j] as T;
          for (let i = 0; i < row.length; i++) z = z.add((row[i] as T).mul(h[i] as T));
          return l < layers.length - 1 ? z.tanh() : z;
        });
      });
      const d = (h[0] as T).sub(targets[n] as number);
      loss = loss.add(d.mul(d));
    }
    for (const p of params) p.grad = 0;
    loss.backward();
    for (const p of params) p.data -= 0.01 * p.grad;
    nodes = countNodes(loss);
    return nodes;
  };
  return { step };
}

function countNodes(root: object): number {
  const seen = new Set<object>();
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop() as { children?: readonly object[]; prev?: readonly object[] };
    if (seen.has(v)) continue;
    seen.add(v);
    for (const c of v.children ?? v.prev ?? []) stack.push(c);
  }
  return seen.size;
}

export interface ValueBenchResult {
  nodesPerStep: number;
  chainruleMs: number;
  baselineMs: number;
  /** chainrule speed / baseline speed (baseline time / chainrule time); ≥ 0.8 is the target. */
  ratio: number;
}

export function benchValueMlp(log: (line: string) => void = console.log): ValueBenchResult {
  const ours = makeStep((x) => new Value(x));
  const base = makeStep((x) => new Scalar(x));
  const nodesPerStep = ours.step();
  base.step();
  const [a, b] = compare({ 'chainrule Value': ours.step, 'closure baseline': base.step }, { maxTime: 4 });
  const chainruleMs = (a?.seconds ?? Number.NaN) * 1e3;
  const baselineMs = (b?.seconds ?? Number.NaN) * 1e3;
  const ratio = baselineMs / chainruleMs;
  log('Value MLP 2-16-16-1 (tanh), 100 points: forward + backward + SGD step');
  log(`  graph: ${nodesPerStep.toLocaleString('en-US')} nodes per step`);
  for (const [name, ms, t] of [
    ['chainrule Value ', chainruleMs, a],
    ['closure baseline', baselineMs, b],
  ] as const) {
    const perSec = (nodesPerStep / ms) * 1e3;
    log(`  ${name}  ${ms.toFixed(2)} ms/step  ${(perSec / 1e6).toFixed(2)} M nodes/s  (±${t?.rme.toFixed(1)}%)`);
  }
  log(`  speed ratio chainrule / baseline: ${ratio.toFixed(2)}x (target ≥ 0.80x)`);
  return { nodesPerStep, chainruleMs, baselineMs, ratio };
}
