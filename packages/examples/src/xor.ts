// The smallest example: a 2-8-1 tanh MLP learns XOR with Adam and binary cross-entropy on logits.
import { noGrad, Rng, tensor } from '@chainrule/core';
import { Adam, bceWithLogitsLoss, MLP } from '@chainrule/nn';
import { isMain } from './main';

export const xorInputs = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
export const xorLabels = [0, 1, 1, 0];

/** Trains on the four XOR points; returns the loss curve and the predicted probability of 1 for each point. */
export function trainXor(steps = 300, seed = 0): { losses: number[]; probabilities: number[]; accuracy: number } {
  const x = tensor(xorInputs);
  const t = tensor(xorLabels.map((v) => [v]));
  const model = new MLP(2, [8, 1], { activation: 'tanh', rng: new Rng(seed) });
  const opt = new Adam(model.parameters(), { lr: 0.05 });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = bceWithLogitsLoss(model.forward(x), t);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  const probabilities = Array.from(noGrad(() => model.forward(x).sigmoid()).data);
  const correct = probabilities.filter((p, i) => Number(p > 0.5) === xorLabels[i]).length;
  return { losses, probabilities, accuracy: correct / xorLabels.length };
}

if (isMain('xor')) {
  const { losses, probabilities, accuracy } = trainXor();
  console.log(`XOR, 2-8-1 tanh MLP, Adam lr 0.05, ${losses.length} steps`);
  console.log(`loss ${losses[0]?.toFixed(4)} -> ${losses[losses.length - 1]?.toFixed(4)}\n`);
  console.log(' a  b | a xor b | p(1)    prediction');
  xorInputs.forEach(([a, b], i) => {
    const p = probabilities[i] as number;
    const ok = Number(p > 0.5) === xorLabels[i] ? 'right' : 'WRONG';
    console.log(` ${a}  ${b} |    ${xorLabels[i]}    | ${p.toFixed(4)}  ${Number(p > 0.5)} ${ok}`);
  });
  console.log(`\naccuracy ${(accuracy * 100).toFixed(0)}%`);
}
