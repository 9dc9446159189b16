// One side of `pnpm bench cnn-ops` in a process of its own: `cnn-ops-child.ts chainrule|tfjs-wasm|floor`.
// Prints one JSON line: the median ms of each op of the CNN forward (src/cnn-ops.ts), each op timed
// alone on inputs computed once, for ~0.6 s after a warm-up. `floor` times what GC'd storage asks
// of any op, whatever its kernel: a fresh Float32Array of the op's output size, written once.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { kernelsReady, maxPool2d, noGrad, Rng, randn, setNumThreads } from '@chainrule/core';
import { Conv2d } from '@chainrule/nn';
import { CNN_OPS } from './cnn-ops';

/** Elements of each op's output: 64 images, 16 × 28 × 28 after the first conv, 32 × 14 × 14 after the second. */
const [C1, P1, C2, P2] = [64 * 16 * 28 * 28, 64 * 16 * 14 * 14, 64 * 32 * 14 * 14, 64 * 32 * 7 * 7];
const OUTPUT_SIZE = [C1, C1, P1, C2, C2, P2];

function median(run: () => void): number {
  for (let i = 0; i < 20; i++) run();
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < 600 || times.length < 10) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] as number;
}

async function chainrule(): Promise<(() => void)[]> {
  setNumThreads(1);
  await kernelsReady();
  const rng = new Rng(1);
  const c1 = new Conv2d(1, 16, 3, { padding: 1, rng });
  const c2 = new Conv2d(16, 32, 3, { padding: 1, rng });
  return noGrad(() => {
    const x = randn([64, 1, 28, 28], { rng });
    const a1 = c1.forward(x);
    const r1 = a1.relu();
    const p1 = maxPool2d(r1, 2);
    const a2 = c2.forward(p1);
    const r2 = a2.relu();
    const ops = [() => c1.forward(x), () => a1.relu(), () => maxPool2d(r1, 2)];
    ops.push(
      () => c2.forward(p1),
      () => a2.relu(),
      () => maxPool2d(r2, 2),
    );
    return ops.map((op) => () => void noGrad(op));
  });
}

async function tfjsWasm(): Promise<(() => void)[]> {
  const tf = await import('@tensorflow/tfjs');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  // the .wasm binaries come from the installed package, never from the network
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  await tf.setBackend('wasm');
  await tf.ready();
  type T4 = import('@tensorflow/tfjs').Tensor4D;
  // NHWC and HWIO, tfjs's layouts; the bias is its own op in tfjs (tf.add), as in bench workloads
  const x = tf.randomNormal([64, 28, 28, 1]) as T4;
  const [w1, b1] = [tf.randomNormal([3, 3, 1, 16]) as T4, tf.randomNormal([16])];
  const [w2, b2] = [tf.randomNormal([3, 3, 16, 32]) as T4, tf.randomNormal([32])];
  const conv = (h: T4, w: T4, b: import('@tensorflow/tfjs').Tensor) => tf.add(tf.conv2d(h, w, 1, 'same'), b) as T4;
  const a1 = conv(x, w1, b1);
  const r1 = tf.relu(a1);
  const p1 = tf.maxPool(r1, 2, 2, 'valid');
  const a2 = conv(p1, w2, b2);
  const r2 = tf.relu(a2);
  const ops = [() => conv(x, w1, b1), () => tf.relu(a1), () => tf.maxPool(r1, 2, 2, 'valid')];
  ops.push(
    () => conv(p1, w2, b2),
    () => tf.relu(a2),
    () => tf.maxPool(r2, 2, 2, 'valid'),
  );
  // tidy frees the op's intermediates, dispose its result: the memory is reused, as in a model
  return ops.map((op) => () => tf.tidy(op).dispose());
}

function floor(): (() => void)[] {
  return OUTPUT_SIZE.map((n) => {
    const src = new Float32Array(n).fill(0.5);
    return () => void new Float32Array(n).set(src);
  });
}

const side = process.argv[2];
const ops = side === 'chainrule' ? await chainrule() : side === 'tfjs-wasm' ? await tfjsWasm() : floor();
console.log(JSON.stringify(Object.fromEntries(CNN_OPS.map((name, i) => [name, median(ops[i] as () => void)]))));
