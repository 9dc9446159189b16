// The libraries of the gemm and training benchmarks, one runner per library, for use in a process
// of its own (src/child.ts): a detached ArrayBuffer, which tfjs-wasm and jax-js may leave behind,
// slows every typed-array loop in V8 for the rest of a process, so peers never share one.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { kernelsReady, noGrad, Rng, randn, setKernels, setNumThreads, type Tensor } from '@chainrule/core';
import * as kernels from '@chainrule/core/kernels';
import { crossEntropyLoss, MLP, SGD } from '@chainrule/nn';

export type Layout = 'AB' | 'AtB' | 'ABt';
/** One gemm case: C[m×n] = op(A)·op(B) with k the inner dimension. */
export interface GemmCase {
  label: string;
  m: number;
  n: number;
  k: number;
  layout: Layout;
}
/** A training configuration: layer sizes and batch. */
export interface TrainCase {
  sizes: number[];
  batch: number;
}

/**
 * chainrule as a user gets it (the kernels this Node picks, SIMD128 on Node 20, on every core up to
 * 4), on one thread (`-1t`), with the relaxed-SIMD build (a flag on Node 20), and on the TypeScript
 * kernels; then the peers.
 */
export const GEMM_LIBRARIES = [
  'chainrule',
  'chainrule-1t',
  'chainrule-relaxed-1t',
  'chainrule-ts',
  'jax-js',
  'tfjs-wasm',
  'tfjs-cpu',
];
export const TRAIN_LIBRARIES = [
  'chainrule',
  'chainrule-1t',
  'chainrule-relaxed',
  'chainrule-ts',
  'jax-js',
  'tfjs-wasm',
  'tfjs-cpu',
];

/** Node flags a library's process needs: relaxed SIMD is behind a flag on Node 20 (on by default from 22). */
export function nodeFlags(library: string): string[] {
  return library.startsWith('chainrule-relaxed') ? ['--experimental-wasm-relaxed-simd'] : [];
}

/** Chooses chainrule's kernels and threads for `library`, and waits for the worker threads. */
async function chainruleSetup(library: string): Promise<void> {
  setKernels(library === 'chainrule-ts' ? 'ts' : 'wasm');
  if (library.endsWith('-1t')) setNumThreads(1);
  await kernelsReady();
}

function randomF32(size: number, rng: Rng, scale = 1): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform(-scale, scale);
  return out;
}

async function tfjs(backend: 'cpu' | 'wasm') {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-cpu');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  // the .wasm binaries come from the installed package, never from the network
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

async function jax() {
  const jaxjs = await import('@jax-js/jax');
  await jaxjs.init('wasm');
  jaxjs.defaultDevice('wasm');
  return jaxjs;
}

/**
 * A function computing one product of `c` (result read back into JS memory, as every library
 * must to be used), with its operands prepared once.
 */
export async function gemmRunner(library: string, c: GemmCase): Promise<() => void> {
  const rng = new Rng(1);
  const { m, n, k, layout } = c;
  const tA = layout === 'AtB';
  const tB = layout === 'ABt';
  const a = randomF32(m * k, rng);
  const b = randomF32(k * n, rng);
  const aShape = tA ? [k, m] : [m, k];
  const bShape = tB ? [n, k] : [k, n];
  if (library.startsWith('chainrule')) {
    const out = new Float32Array(m * n);
    await chainruleSetup(library);
    return () => kernels.gemm(m, n, k, a, tA, b, tB, out, false);
  }
  if (library === 'jax-js') {
    const { jit, numpy: np } = await jax();
    const x = np.array(a).reshape(aShape);
    const y = np.array(b).reshape(bShape);
    const f = jit((p: InstanceType<typeof np.Array>, q: InstanceType<typeof np.Array>) =>
      np.matmul(tA ? p.transpose() : p, tB ? q.transpose() : q),
    );
    // jax-js arrays are reference-counted: each call consumes one reference (.ref adds one)
    return () => void f(x.ref, y.ref).dataSync();
  }
  const tf = await tfjs(library === 'tfjs-wasm' ? 'wasm' : 'cpu');
  const x = tf.tensor2d(a, aShape as [number, number]);
  const y = tf.tensor2d(b, bShape as [number, number]);
  return () => {
    const z = tf.matMul(x, y, tA, tB);
    z.dataSync();
    z.dispose();
  };
}

/**
 * One training step (forward, softmax cross-entropy, backward, SGD at lr 0.01) of an MLP with ReLU
 * between layers, in float32, on a fixed random batch, for each library.
 */
export async function trainRunner(library: string, t: TrainCase): Promise<() => void> {
  const { sizes, batch } = t;
  const inputs = sizes[0] as number;
  const classes = sizes[sizes.length - 1] as number;
  const labels = Array.from({ length: batch }, (_, i) => i % classes);
  const rng = new Rng(3);
  if (library.startsWith('chainrule')) {
    await chainruleSetup(library);
    const model = new MLP(inputs, sizes.slice(1), { rng });
    const opt = new SGD(model.parameters(), { lr: 0.01 });
    const x: Tensor = noGrad(() => randn([batch, inputs], { rng }));
    return () => {
      const loss = crossEntropyLoss(model.forward(x), labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    };
  }
  // weights [in, out] as x·W + b, initialised as PyTorch's Linear (uniform ±1/√in)
  const init = () =>
    sizes.slice(1).flatMap((out, l) => {
      const fanIn = sizes[l] as number;
      const bound = 1 / Math.sqrt(fanIn);
      return [
        { data: randomF32(fanIn * out, rng, bound), shape: [fanIn, out] },
        { data: randomF32(out, rng, bound), shape: [out] },
      ];
    });
  const xData = randomF32(batch * inputs, rng);
  if (library === 'jax-js') {
    const { jit, nn, numpy: np, valueAndGrad } = await jax();
    type Arr = InstanceType<typeof np.Array>;
    let params: Arr[] = init().map((p) => np.array(p.data).reshape(p.shape));
    const x = np.array(xData).reshape([batch, inputs]);
    const y = nn.oneHot(np.array(Int32Array.from(labels), { dtype: np.int32 }), classes);
    const loss = (ps: Arr[], xb: Arr, yb: Arr) => {
      let h = xb;
      for (let l = 0; l < ps.length; l += 2) {
        h = np.matmul(h, ps[l] as Arr).add(ps[l + 1] as Arr);
        if (l + 2 < ps.length) h = nn.relu(h);
      }
      return nn
        .logSoftmax(h)
        .mul(yb)
        .sum()
        .mul(-1 / batch);
    };
    // the whole step in one jit(valueAndGrad), as jax-js recommends; parameters are consumed by
    // each call (reference counting), so the step returns the new ones
    const step = jit((ps: Arr[], xb: Arr, yb: Arr) => {
      const [l, g] = valueAndGrad(loss)(
        ps.map((p) => p.ref),
        xb,
        yb,
      );
      return [l, ps.map((p, i) => p.sub((g[i] as Arr).mul(0.01)))] as [Arr, Arr[]];
    });
    return () => {
      const [l, next] = step(params, x.ref, y.ref) as [Arr, Arr[]];
      params = next;
      l.dataSync();
    };
  }
  const tf = await tfjs(library === 'tfjs-wasm' ? 'wasm' : 'cpu');
  const weights = init().map((p) => tf.variable(tf.tensor(p.data, p.shape)));
  const x = tf.tensor2d(xData, [batch, inputs]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
  const lr = tf.scalar(0.01);
  const loss = () => {
    let h: import('@tensorflow/tfjs').Tensor = x;
    for (let l = 0; l < weights.length; l += 2) {
      h = tf.add(
        tf.matMul(h, weights[l] as import('@tensorflow/tfjs').Variable),
        weights[l + 1] as import('@tensorflow/tfjs').Variable,
      );
      if (l + 2 < weights.length) h = tf.relu(h);
    }
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(h), y), 1))) as import('@tensorflow/tfjs').Scalar;
  };
  return () => {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, weights);
      for (const w of weights) w.assign(tf.sub(w, tf.mul(lr, grads[w.name] as import('@tensorflow/tfjs').Tensor)));
      value.dataSync();
    });
  };
}
