// The README's demo: train real networks with chainrule and show what they learned.
import pc from 'picocolors';
import { runMoons } from './moons-mlp';
import { trainValueMlp } from './value-mlp';

const log = console.log;
const heading = (title: string) => log(`\n${pc.bold(pc.cyan(title))}\n${pc.cyan('─'.repeat(title.length))}`);
const t0 = performance.now();

log(pc.bold('chainrule demo: reverse-mode autodiff in TypeScript, training real networks'));

heading('1. Tensors: an MLP learns two moons (@chainrule/nn: MLP, Adam, crossEntropyLoss)');
runMoons(log);

heading('2. Scalars: a micrograd-style MLP where every weight is a Value');
const steps = 30;
log(`2-16-16-1 tanh MLP on 100 points, full-batch gradient descent (lr 0.5), ${steps} steps`);
const t1 = performance.now();
const { losses, accuracy, graphNodes } = trainValueMlp(steps, log);
log(
  `loss ${(losses[0] as number).toFixed(4)} -> ${(losses[losses.length - 1] as number).toFixed(4)}, ` +
    `training accuracy ${(accuracy * 100).toFixed(0)}% in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
);
log(
  `each step builds and backpropagates through ${graphNodes.toLocaleString('en-US')} Value nodes: ` +
    'one node per scalar operation, which is why real training uses tensors',
);

heading('More');
log('npx --yes pnpm@10 --filter @chainrule/examples example:xor        the smallest example: XOR');
log('npx --yes pnpm@10 --filter @chainrule/examples example:graph      computation graphs as Graphviz DOT');
log('npx --yes pnpm@10 --filter @chainrule/examples example:save-load  checkpoints: save, load, identical outputs');
log(`\ndemo finished in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
