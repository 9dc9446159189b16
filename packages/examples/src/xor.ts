// XOR with the network of the second source document, §5: 2 inputs, 2 ReLU hidden units, 1 sigmoid
// output, binary cross-entropy, plain gradient descent (F6). Two hidden units are just enough:
// one seed finds the solution, another leaves a hidden unit dead and the net stuck at 3 of 4.
import { grad, linear, noGrad, Rng, type Tensor, tensor } from '@chainrule/core';
import { bceWithLogitsLoss, Linear, ReLU, Sequential, SGD } from '@chainrule/nn';
import { isMain } from './main';

/** The four inputs (x₁, x₂) ∈ {0, 1}². */
export const xorInputs = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
/** t = x₁ XOR x₂ for each input. */
export const xorLabels = [0, 1, 1, 0];

/** A seed whose initial weights lead gradient descent to the solution. */
export const XOR_SOLVED_SEED = 1;
/** A seed whose initial weights leave hidden unit 2 dead, so that the net gets stuck at 3 of 4. */
export const XOR_STUCK_SEED = 2;

/** One training run from one seed. */
export interface XorResult {
  seed: number;
  /** Loss (mean BCE) after each step. */
  losses: number[];
  /** σ(z⁽²⁾) for each of the four inputs. */
  probabilities: number[];
  accuracy: number;
  /** The hidden units whose pre-activation z⁽¹⁾ is ≤ 0 on all four inputs: ReLU'(z) = 0 (F9), so they never learn. */
  deadUnits: number[];
  /** The hidden activations a⁽¹⁾, one row per input. */
  hidden: number[][];
  model: Sequential;
}

/** Full-batch gradient descent on the four points; the loss is F11's sigmoid + BCE on logits. */
export function trainXor(seed = XOR_SOLVED_SEED, steps = 1500, lr = 0.5): XorResult {
  const rng = new Rng(seed);
  const hiddenLayer = new Linear(2, 2, { rng });
  const model = new Sequential(hiddenLayer, new ReLU(), new Linear(2, 1, { rng }));
  const x = tensor(xorInputs);
  const t = tensor(xorLabels.map((v) => [v]));
  const opt = new SGD(model.parameters(), { lr });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = bceWithLogitsLoss(model.forward(x) as Tensor, t);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  const { probabilities, z1 } = noGrad(() => ({
    probabilities: Array.from((model.forward(x) as Tensor).sigmoid().data),
    z1: hiddenLayer.forward(x),
  }));
  const z = z1.toArray() as number[][];
  const deadUnits = [0, 1].filter((j) => z.every((row) => (row[j] as number) <= 0));
  const correct = probabilities.filter((p, i) => Number(p > 0.5) === xorLabels[i]).length;
  return {
    seed,
    losses,
    probabilities,
    accuracy: correct / xorLabels.length,
    deadUnits,
    hidden: z.map((row) => row.map((v) => Math.max(0, v))),
    model,
  };
}

/** The four points, the target, σ(z) and whether the prediction is right, as text lines. */
export function xorTable(r: XorResult): string[] {
  const lines = [' x1 x2 | t | a⁽¹⁾ (hidden)    | σ(z⁽²⁾)  ok'];
  xorInputs.forEach(([a, b], i) => {
    const p = r.probabilities[i] as number;
    const h = (r.hidden[i] as number[]).map((v) => v.toFixed(3).padStart(6)).join(' ');
    lines.push(
      `  ${a}  ${b} | ${xorLabels[i]} | ${h}    | ${p.toFixed(4)}  ${Number(p > 0.5) === xorLabels[i] ? 'yes' : 'NO'}`,
    );
  });
  return lines;
}

/** One row of the worked example of docs/backprop.md: one input and what the pass computes for it. */
export interface XorWorkedRow {
  x: number[];
  t: number;
  z1: number[];
  a1: number[];
  z2: number;
  y: number;
  /** ∂L/∂z⁽²⁾ for this example: (y − t)/4 (F11). */
  delta2: number;
  reluPrime: number[];
  /** ∂L/∂z⁽¹⁾ for this example: w⁽²⁾δ⁽²⁾ ∘ ReLU′(z⁽¹⁾) (F5, F9). */
  delta1: number[];
}

/** The worked example: its rows, the loss and the four parameter gradients, all by autodiff. */
export interface XorWorked {
  rows: XorWorkedRow[];
  loss: number;
  gradW1: number[][];
  gradB1: number[];
  gradW2: number[];
  gradB2: number;
}

/**
 * One forward and backward pass of the hand-chosen network of docs/backprop.md's worked example:
 * W⁽¹⁾ = [[1, 1], [1, 1]], b⁽¹⁾ = (0, −1), w⁽²⁾ = (1, −2), b⁽²⁾ = 0, in float64. The error terms
 * δ⁽¹⁾, δ⁽²⁾ come from grad(loss, [z1, z2]) (t.retainGrad() on z1 and z2 is the alternative).
 */
export function xorWorkedExample(): XorWorked {
  const f64 = { dtype: 'float64', requiresGrad: true } as const;
  const W1 = tensor(
    [
      [1, 1],
      [1, 1],
    ],
    f64,
  );
  const b1 = tensor([0, -1], f64);
  const w2 = tensor([[1, -2]], f64);
  const b2 = tensor([0], f64);
  const x = tensor(xorInputs, { dtype: 'float64' });
  const t = tensor(
    xorLabels.map((v) => [v]),
    { dtype: 'float64' },
  );
  const z1 = linear(x, W1, b1);
  const a1 = z1.relu();
  const z2 = linear(a1, w2, b2);
  const loss = bceWithLogitsLoss(z2, t);
  const [d1, d2] = grad(loss, [z1, z2], { retainGraph: true });
  loss.backward();
  const rowsOf = (u: Tensor) => u.toArray() as number[][];
  const [Z1, A1, Z2, D1, D2] = [z1, a1, z2, d1 as Tensor, d2 as Tensor].map(rowsOf) as [
    number[][],
    number[][],
    number[][],
    number[][],
    number[][],
  ];
  const rows = xorInputs.map((xi, n) => {
    const z = Z1[n] as number[];
    const z2n = (Z2[n] as number[])[0] as number;
    return {
      x: xi,
      t: xorLabels[n] as number,
      z1: z,
      a1: A1[n] as number[],
      z2: z2n,
      y: 1 / (1 + Math.exp(-z2n)),
      delta2: (D2[n] as number[])[0] as number,
      reluPrime: z.map((v) => (v > 0 ? 1 : 0)),
      delta1: D1[n] as number[],
    };
  });
  return {
    rows,
    loss: loss.item(),
    gradW1: (W1.grad as Tensor).toArray() as number[][],
    gradB1: Array.from((b1.grad as Tensor).data),
    gradW2: Array.from((w2.grad as Tensor).data),
    gradB2: (b2.grad as Tensor).item(),
  };
}

/** The worked example as text lines, in the columns of the doc's table. */
export function xorWorkedTable(w: XorWorked = xorWorkedExample()): string[] {
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));
  const pair = (v: number[]) => `(${v.map(f).join(', ')})`;
  const lines = [' x      | t | z⁽¹⁾    | a⁽¹⁾   | z⁽²⁾ | y      | δ⁽²⁾    | ReLU′  | δ⁽¹⁾'];
  for (const r of w.rows) {
    lines.push(
      [
        pair(r.x),
        r.t,
        pair(r.z1).padEnd(7),
        pair(r.a1).padEnd(6),
        String(r.z2).padEnd(4),
        f(r.y),
        f(r.delta2).padEnd(7),
        pair(r.reluPrime),
        pair(r.delta1),
      ].join(' | '),
    );
  }
  lines.push(
    `L = ${w.loss.toFixed(4)}; ∂L/∂b⁽²⁾ = ${w.gradB2.toFixed(4)}, ∂L/∂w⁽²⁾ = ${pair(w.gradW2)}, ` +
      `∂L/∂W⁽¹⁾ = (${w.gradW1.map(pair).join(', ')}), ∂L/∂b⁽¹⁾ = ${pair(w.gradB1)}`,
  );
  return lines;
}

/** Runs the solved seed and the stuck seed and explains the difference. */
export function runXor(log: (line: string) => void = console.log): { solved: XorResult; stuck: XorResult } {
  const solved = trainXor(XOR_SOLVED_SEED);
  const stuck = trainXor(XOR_STUCK_SEED);
  for (const r of [solved, stuck]) {
    const last = r.losses[r.losses.length - 1] as number;
    log(
      `seed ${r.seed}: loss ${(r.losses[0] as number).toFixed(4)} -> ${last.toFixed(4)} after ${r.losses.length} steps, ` +
        `${r.accuracy * 4} of 4 right${r.accuracy === 1 ? ' (solved)' : ' (stuck)'}`,
    );
    for (const line of xorTable(r)) log(`  ${line}`);
  }
  if (stuck.deadUnits.length > 0) {
    const unit = stuck.deadUnits.map((j) => j + 1).join(', ');
    log(`why seed ${stuck.seed} is stuck: hidden unit ${unit} is dead. Its z⁽¹⁾ ≤ 0 on all four inputs, so`);
    log('  ReLU′(z⁽¹⁾) = 0 (F9), δ⁽¹⁾ = (W⁽²⁾ᵀδ⁽²⁾) ∘ ReLU′(z⁽¹⁾) = 0 (F5), and its weights never move again.');
    log('  One live unit makes the output a monotone function of one affine p(x) = w·x + b, and since');
    log('  p(0,0) + p(1,1) = p(0,1) + p(1,0), no threshold puts both 1s above and both 0s below: 3 of 4 at best.');
  } else {
    log(`seed ${stuck.seed} is stuck in a flat region: both units stay alive but see the inputs alike.`);
  }
  return { solved, stuck };
}

if (isMain('xor')) {
  console.log('The worked example of docs/backprop.md (one forward and backward pass, by autodiff):\n');
  for (const line of xorWorkedTable()) console.log(`  ${line}`);
  console.log(
    '\nTraining it: the network of §5, 2 inputs, 2 ReLU hidden units, 1 sigmoid output, BCE, gradient descent lr 0.5\n',
  );
  runXor();
}
