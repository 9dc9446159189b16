// The README's demo: a tour of chainrule in about a minute. Each section is one of the examples
// (src/<name>.ts, each runnable alone); the pictures go to out/ and are listed at the end.
import { join } from 'node:path';
import pc from 'picocolors';
import { runActivations, writeActivationPictures } from './activations';
import { runGradientPenalty, writePenaltyPicture } from './gradient-penalty';
import { writeGraphs } from './graph';
import { outDir } from './main';
import { type MnistResult, saveAndReload, trainMnist, writeMnistPictures } from './mnist';
import { trainMnistInWorker } from './mnist-worker';
import { pct, runMoons } from './moons-mlp';
import { runNames } from './names';
import { runPinn, writePinnPicture } from './pinn';
import { runTwoLayer } from './two-layer';
import { runXor, xorInputs } from './xor';

const log = console.log;
const dir = outDir();
const t0 = performance.now();
const report: [string, string, number][] = [];
const pictures: string[] = [];

/** Runs one section under a heading and records its one-line outcome and its time. */
async function section(name: string, title: string, run: () => string | Promise<string>): Promise<void> {
  log(`\n${pc.bold(pc.cyan(title))}\n${pc.cyan('─'.repeat(title.length))}`);
  const start = performance.now();
  const outcome = await run();
  report.push([name, outcome, (performance.now() - start) / 1000]);
}

log(pc.bold('chainrule demo: reverse-mode autodiff in TypeScript, from XOR to handwritten digits'));
// The CNN is the longest run: it trains in a worker thread, on the second core, from the start.
const cnnRun = trainMnistInWorker({ model: 'cnn' });
cnnRun.catch(() => {}); // awaited in section 4; this keeps an early failure from going unhandled

await section('XOR', '1. XOR: the network of the source document, §5 (2 ReLU hidden units, sigmoid output)', () => {
  const { solved, stuck } = runXor(log);
  return `seed ${solved.seed}: ${solved.accuracy * xorInputs.length}/4 right; seed ${stuck.seed}: stuck at ${stuck.accuracy * 4}/4`;
});

await section('two-layer', '2. Two-layer network: hand-derived gradients (docs/backprop.md F2–F5) vs autodiff', () => {
  const r = runTwoLayer(log);
  return `largest difference ${r.maxDifference.toExponential(1)}`;
});

await section('moons', '3. Two moons: an MLP with Adam on mini-batches (@chainrule/nn)', () => {
  const r = runMoons(log);
  return `held-out accuracy ${pct(r.testAccuracy)}`;
});

const mnist: MnistResult[] = [];
await section(
  'MNIST',
  '4. Handwritten digits (MNIST): an MLP and a CNN, 8,000 digits to learn, 2,000 held out',
  async () => {
    const show = (r: MnistResult) =>
      log(
        `${r.kind.toUpperCase()}: ${pc.bold(pct(r.testAccuracy))} of the held-out digits right ` +
          `(${r.losses.length} epochs in ${r.seconds.toFixed(1)} s, ${r.samplesPerSecond.toFixed(0)} samples/s)`,
      );
    const mlp = trainMnist({ model: 'mlp' });
    show(mlp);
    log('CNN: training in a worker thread since the start of the demo…');
    const cnn = await cnnRun;
    show(cnn);
    mnist.push(mlp, cnn);
    const saved = saveAndReload(cnn, join(dir, 'mnist-cnn.safetensors'));
    log(`CNN weights saved to ${saved.path} (${(saved.bytes / 1024).toFixed(0)} kB), reloaded: ${pct(saved.accuracy)}`);
    pictures.push(...(await writeMnistPictures(dir, mnist, cnn)));
    return (
      `MLP ${pct(mlp.testAccuracy)} (${mlp.seconds.toFixed(0)} s), CNN ${pct(cnn.testAccuracy)} ` +
      `(${cnn.seconds.toFixed(0)} s, in a worker), reloaded ${pct(saved.accuracy)}`
    );
  },
);

await section('names', '5. Names: a character-level language model (Bengio et al., 2003)', () => {
  const r = runNames(log);
  return `held-out loss ${r.validLoss.toFixed(3)} vs uniform ${r.uniformLoss.toFixed(3)}`;
});

await section(
  'activations',
  '6. Activations: derivatives by autodiff, and vanishing gradients in 10 layers',
  async () => {
    const { curves, layers } = runActivations(log);
    pictures.push(...(await writeActivationPictures(dir, curves, layers)));
    const [sigmoid, relu] = layers.map((l) => (l.norms[0] as number) / (l.norms[l.norms.length - 1] as number));
    return `layer 1 / layer 10 gradient: sigmoid ${sigmoid?.toExponential(1)}, ReLU ${relu?.toFixed(2)}`;
  },
);

await section('graph', '7. Graph: a neuron’s computation graph with data and gradients, rendered to SVG', async () => {
  const files = await writeGraphs(dir);
  pictures.push(...files);
  return `${files.length} graphs drawn`;
});

await section('PINN', '8. Differentiating twice: a network that learns sin x from u″ + u = 0 alone', async () => {
  const r = runPinn(log);
  pictures.push(await writePinnPicture(dir, r));
  return `largest |u − sin x| on [0, 2π]: ${r.maxError.toFixed(4)}`;
});

await section('penalty', '9. A WGAN-GP gradient penalty: ‖∇ₓf‖ held at 1 by a loss made of a gradient', async () => {
  const r = runGradientPenalty(log);
  pictures.push(await writePenaltyPicture(dir, r));
  const last = (t: { gradNorm: number }[]) => (t[t.length - 1] as { gradNorm: number }).gradNorm.toFixed(2);
  return `mean ‖∇ₓf‖ after 300 steps: ${last(r.penalised.trace)} with the penalty, ${last(r.unpenalised.trace)} without`;
});

log(`\n${pc.bold(pc.cyan('Report'))}`);
for (const [name, outcome, seconds] of report) {
  log(`  ${name.padEnd(12)} ${outcome.padEnd(66)} ${seconds.toFixed(1).padStart(5)} s`);
}
log(`\n${pc.bold('Pictures')} (SVG, open them in a browser):`);
for (const p of pictures) log(`  ${p}`);
log(`\ndemo finished in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
log('each example runs alone too: npx --yes pnpm@10 --filter @chainrule/examples example:mnist (or xor, two-layer,');
log('moons, names, activations, graph, save-load, pinn, gradient-penalty)');
