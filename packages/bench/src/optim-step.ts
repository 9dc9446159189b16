// One Adam update of the parameters of a 784-128-64-10 MLP (109,386 float32 values), gradients
// given: chainrule's Adam.step (as PyTorch, and with the opt-in nonFinite: 'error' guard, which
// screens every gradient first) and clipGradNorm, against TensorFlow.js's Adam on its CPU and
// WebAssembly backends, in the same run.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng } from '@chainrule/core';
import { Adam, clipGradNorm, MLP } from '@chainrule/nn';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { compare } from './measure';

const SIZES = [784, 128, 64, 10];

function chainrule(): Record<string, () => void> {
  const model = new MLP(SIZES[0] as number, SIZES.slice(1), { rng: new Rng(0) });
  const params = model.parameters();
  for (const p of params) p.grad = p.detach().mul(1e-3);
  // lr 0: the parameters stay put however many times the benchmark calls step()
  const plain = new Adam(params, { lr: 0 });
  const guarded = new Adam(params, { lr: 0, nonFinite: 'error' });
  return {
    'chainrule Adam.step': () => plain.step(),
    "chainrule Adam.step, nonFinite: 'error'": () => guarded.step(),
    'chainrule clipGradNorm (no clipping)': () => clipGradNorm(params, 1e9),
  };
}

function tfjs(): { step: () => void; dispose: () => void } {
  const vars: tf.Variable[] = [];
  const grads: { name: string; tensor: tf.Tensor }[] = [];
  for (let l = 1; l < SIZES.length; l++) {
    for (const shape of [[SIZES[l - 1] as number, SIZES[l] as number], [SIZES[l] as number]]) {
      const v = tf.variable(tf.randomUniform(shape, -0.05, 0.05));
      vars.push(v);
      grads.push({ name: v.name, tensor: tf.mul(v, 1e-3) });
    }
  }
  const opt = tf.train.adam(0);
  const step = () => {
    opt.applyGradients(grads);
    (vars[0] as tf.Variable).dataSync();
  };
  return {
    step,
    dispose: () => {
      tf.dispose([...vars, ...grads.map((g) => g.tensor)]);
      opt.dispose();
    },
  };
}

export async function benchOptimStep(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  const ours = chainrule();
  const ms: Record<string, number> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const theirs = tfjs();
    const cases: Record<string, () => void> = { [`tfjs-${backend} adam.applyGradients`]: theirs.step };
    if (backend === 'cpu') Object.assign(cases, ours);
    for (const t of compare(cases, { maxTime: 2, minSamples: 5 })) ms[t.name] = t.seconds * 1e3;
    theirs.dispose();
  }
  const base = ms['chainrule Adam.step'] as number;
  log(`Adam update of an MLP ${SIZES.join('-')}'s parameters (109,386 float32), gradients given`);
  for (const [name, t] of Object.entries(ms)) {
    log(`  ${name.padEnd(42)} ${t.toFixed(3)} ms   ${(t / base).toFixed(2)}x chainrule Adam.step's time`);
  }
  return ms;
}
