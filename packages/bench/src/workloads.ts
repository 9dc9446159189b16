// The five training workloads of issue 21, one runner per library and workload, for use in a process
// of its own (src/child.ts `workload`): every library computes the same float32 step on the same
// shapes, and the step ends with its result read back into JavaScript memory (tfjs, jax-js) or
// the parameters updated in place (chainrule). PyTorch runs the same steps in src/torch-workloads.py.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { kernelsReady, maxPool2d, noGrad, Rng, randn, setKernels, setNumThreads, type Tensor } from '@chainrule/core';
import { Adam, AdamW, Conv2d, crossEntropyLoss, LayerNorm, Linear, LSTM, MultiheadAttention } from '@chainrule/nn';
import { trainRunner } from './peers';

/** The workloads, in table order; the ids are the child process's arguments. */
export const WORKLOADS = [
  { id: 'mlp', title: 'MLP 784-128-64-10, batch 64, SGD: training step' },
  { id: 'mlp-large', title: 'MLP 784-512-512-10, batch 256, SGD: training step' },
  { id: 'mlp-small', title: 'MLP 2-64-64-2, batch 32, SGD: training step (latency)' },
  { id: 'cnn', title: 'CNN conv(1→16)-ReLU-pool-conv(16→32)-ReLU-pool-linear(1568→10), 28×28, batch 64, Adam: step' },
  { id: 'cnn-forward', title: 'CNN as above: forward alone (loss, no graph)' },
  { id: 'lstm', title: 'LSTM 64→128, 32 steps, batch 32 (all outputs): forward + backward' },
  { id: 'lstm-forward', title: 'LSTM as above: forward alone (no graph)' },
  {
    id: 'transformer',
    title: 'transformer block (pre-LN, d 128, 4 heads, seq 64, batch 16, MLP 4×, causal, AdamW): step',
  },
] as const;
export type WorkloadId = (typeof WORKLOADS)[number]['id'];

const MLPS: Record<string, { sizes: number[]; batch: number }> = {
  mlp: { sizes: [784, 128, 64, 10], batch: 64 },
  'mlp-large': { sizes: [784, 512, 512, 10], batch: 256 },
  'mlp-small': { sizes: [2, 64, 64, 2], batch: 32 },
};

// shapes shared by every library
const CNN = { batch: 64, side: 28, c1: 16, c2: 32, classes: 10 };
const RNN = { batch: 32, steps: 32, input: 64, hidden: 128 };
const TF = { batch: 16, seq: 64, d: 128, heads: 4 };

/**
 * The JavaScript libraries of the workload tables: chainrule with its default threads and on one
 * thread, jax-js (jit(valueAndGrad), wasm), tfjs-wasm (tfjs-cpu where the wasm backend lacks a
 * gradient: the conv filter gradient, so the CNN's training step) and tfjs-cpu for that case.
 */
export const WORKLOAD_LIBRARIES = ['chainrule', 'chainrule-1t', 'jax-js', 'tfjs-wasm'];

/** A function running one step of `id` for `library`, set up once (weights, inputs, optimizer). */
export async function workloadRunner(library: string, id: WorkloadId): Promise<() => void> {
  const mlp = MLPS[id];
  if (mlp) return trainRunner(library, mlp);
  if (library.startsWith('chainrule')) {
    setKernels('wasm');
    if (library.endsWith('-1t')) setNumThreads(1);
    await kernelsReady();
    return chainruleStep(id);
  }
  if (library === 'jax-js') return jaxStep(id);
  return tfjsStep(library, id);
}

// ---------------------------------------------------------------- chainrule

function chainruleStep(id: WorkloadId): () => void {
  const rng = new Rng(11);
  if (id === 'cnn' || id === 'cnn-forward') {
    const { batch, side, c1, c2, classes } = CNN;
    const conv1 = new Conv2d(1, c1, 3, { padding: 1, rng });
    const conv2 = new Conv2d(c1, c2, 3, { padding: 1, rng });
    const fc = new Linear(c2 * (side / 4) ** 2, classes, { rng });
    const params = [...conv1.parameters(), ...conv2.parameters(), ...fc.parameters()];
    const x: Tensor = noGrad(() => randn([batch, 1, side, side], { rng }));
    const labels = Array.from({ length: batch }, (_, i) => i % classes);
    const loss = () => {
      const h = maxPool2d(conv1.forward(x).relu(), 2);
      const z = maxPool2d(conv2.forward(h).relu(), 2);
      return crossEntropyLoss(fc.forward(z.flatten(1)), labels);
    };
    if (id === 'cnn-forward') return () => noGrad(loss).item();
    const opt = new Adam(params, { lr: 1e-3 });
    return () => {
      opt.zeroGrad();
      loss().backward();
      opt.step();
    };
  }
  if (id === 'lstm' || id === 'lstm-forward') {
    const { batch, steps, input, hidden } = RNN;
    const lstm = new LSTM(input, hidden, { batchFirst: true, rng });
    const params = lstm.parameters();
    const x: Tensor = noGrad(() => randn([batch, steps, input], { rng }));
    const probe: Tensor = noGrad(() => randn([batch, steps, hidden], { rng }));
    const loss = () => lstm.forward(x)[0].mul(probe).sum();
    if (id === 'lstm-forward') return () => noGrad(loss).item();
    return () => {
      for (const p of params) p.grad = null;
      loss().backward();
    };
  }
  // transformer block, pre-LN: h = x + attn(ln1(x)), y = h + W2·gelu(W1·ln2(h))
  const { batch, seq, d, heads } = TF;
  const ln1 = new LayerNorm(d);
  const ln2 = new LayerNorm(d);
  const attn = new MultiheadAttention(d, heads, { batchFirst: true, rng });
  const fc1 = new Linear(d, 4 * d, { rng });
  const fc2 = new Linear(4 * d, d, { rng });
  const params = [attn, ln1, ln2, fc1, fc2].flatMap((m) => m.parameters());
  const x: Tensor = noGrad(() => randn([batch, seq, d], { rng }));
  const probe: Tensor = noGrad(() => randn([batch, seq, d], { rng }));
  const opt = new AdamW(params, { lr: 1e-3 });
  return () => {
    const a = ln1.forward(x);
    const h = x.add(attn.forward(a, a, a, { isCausal: true, needWeights: false })[0]);
    const y = h.add(fc2.forward(fc1.forward(ln2.forward(h)).gelu()));
    const loss = y.mul(probe).mean();
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

// ---------------------------------------------------------------- shared by the peers

function randomF32(size: number, rng: Rng, scale = 1): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform(-scale, scale);
  return out;
}
function normalF32(size: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal();
  return out;
}

/** Parameter shapes and PyTorch-like initial values (uniform ±1/√fanIn, LayerNorm ones/zeros). */
interface Param {
  data: Float32Array;
  shape: number[];
}
function uniformParam(shape: number[], fanIn: number, rng: Rng): Param {
  const size = shape.reduce((a, b) => a * b, 1);
  return { data: randomF32(size, rng, 1 / Math.sqrt(fanIn)), shape };
}
function constParam(shape: number[], value: number): Param {
  const size = shape.reduce((a, b) => a * b, 1);
  return { data: new Float32Array(size).fill(value), shape };
}

/** CNN parameters, jax-js layouts: conv kernels OIHW, linear weight [in, out]. */
function cnnParams(rng: Rng): Param[] {
  const { side, c1, c2, classes } = CNN;
  const flat = c2 * (side / 4) ** 2;
  return [
    uniformParam([c1, 1, 3, 3], 9, rng),
    uniformParam([c1], 9, rng),
    uniformParam([c2, c1, 3, 3], c1 * 9, rng),
    uniformParam([c2], c1 * 9, rng),
    uniformParam([flat, classes], flat, rng),
    uniformParam([classes], flat, rng),
  ];
}

/** Transformer parameters, weights [in, out]: ln1 (g, b), Wqkv, bqkv, Wo, bo, ln2 (g, b), W1, b1, W2, b2. */
function transformerParams(rng: Rng): Param[] {
  const { d } = TF;
  return [
    constParam([d], 1),
    constParam([d], 0),
    uniformParam([d, 3 * d], d, rng),
    constParam([3 * d], 0),
    uniformParam([d, d], d, rng),
    constParam([d], 0),
    constParam([d], 1),
    constParam([d], 0),
    uniformParam([d, 4 * d], d, rng),
    uniformParam([4 * d], d, rng),
    uniformParam([4 * d, d], 4 * d, rng),
    uniformParam([d], 4 * d, rng),
  ];
}

// ---------------------------------------------------------------- jax-js

async function jaxStep(id: WorkloadId): Promise<() => void> {
  const jaxjs = await import('@jax-js/jax');
  await jaxjs.init('wasm');
  jaxjs.defaultDevice('wasm');
  const { jit, lax, nn, numpy: np, valueAndGrad } = jaxjs;
  type Arr = InstanceType<typeof np.Array>;
  const rng = new Rng(11);
  const arr = (p: Param): Arr => np.array(p.data).reshape(p.shape);

  /** Adam (decoupled weight decay `wd` for AdamW) over a list of parameters, inside jit. */
  const adam = (ps: Arr[], gs: Arr[], ms: Arr[], vs: Arr[], t: Arr, wd: number) => {
    const lr = 1e-3;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const c1 = np.power(b1, t.ref).mul(-1).add(1); // 1 − β1ᵗ
    const c2 = np.power(b2, t).mul(-1).add(1);
    const next: Arr[] = [];
    const nm: Arr[] = [];
    const nv: Arr[] = [];
    ps.forEach((p, i) => {
      const g = gs[i] as Arr;
      const m = (ms[i] as Arr).mul(b1).add(g.ref.mul(1 - b1));
      const v = (vs[i] as Arr).mul(b2).add(g.mul(g.ref).mul(1 - b2));
      const mHat = m.ref.div(c1.ref);
      const vHat = v.ref.div(c2.ref);
      const decayed = wd > 0 ? p.mul(1 - lr * wd) : p;
      next.push(decayed.sub(mHat.mul(lr).div(np.sqrt(vHat).add(eps))));
      nm.push(m);
      nv.push(v);
    });
    c1.dispose();
    c2.dispose();
    return [next, nm, nv] as const;
  };

  /** A jit(valueAndGrad) step with Adam state threaded through, consuming its inputs each call. */
  const adamStep = (loss: (ps: Arr[], ...data: Arr[]) => Arr, init: Param[], data: Arr[], wd: number) => {
    let params = init.map(arr);
    let ms = init.map((p) => np.zeros(p.shape));
    let vs = init.map((p) => np.zeros(p.shape));
    let t = 0;
    const step = jit((ps: Arr[], m: Arr[], v: Arr[], tt: Arr, ...xs: Arr[]) => {
      const [l, g] = valueAndGrad(loss)(
        ps.map((p) => p.ref),
        ...xs,
      );
      const [np_, nm, nv] = adam(ps, g as Arr[], m, v, tt, wd);
      return [l, np_, nm, nv] as [Arr, Arr[], Arr[], Arr[]];
    });
    return () => {
      t += 1;
      const [l, p2, m2, v2] = step(
        params,
        ms,
        vs,
        np.array(new Float32Array([t])).reshape([]),
        ...data.map((x) => x.ref),
      ) as [Arr, Arr[], Arr[], Arr[]];
      params = p2;
      ms = m2;
      vs = v2;
      l.dataSync();
    };
  };

  if (id === 'cnn' || id === 'cnn-forward') {
    const { batch, side, c1, c2, classes } = CNN;
    const x = np.array(normalF32(batch * side * side, rng)).reshape([batch, 1, side, side]);
    const labels = Int32Array.from({ length: batch }, (_, i) => i % classes);
    const y = nn.oneHot(np.array(labels, { dtype: np.int32 }), classes);
    const pool = (h: Arr) => lax.reduceWindow(h, (w: Arr) => np.max(w), [1, 1, 2, 2], [1, 1, 2, 2]);
    const loss = (ps: Arr[], xb: Arr, yb: Arr) => {
      const [w1, b1, w2, b2, w3, b3] = ps as [Arr, Arr, Arr, Arr, Arr, Arr];
      const conv = (h: Arr, w: Arr, b: Arr, c: number) =>
        nn.relu(lax.conv(h, w, [1, 1], 'SAME').add(b.reshape([1, c, 1, 1])));
      const h1 = pool(conv(xb, w1, b1, c1));
      const h2 = pool(conv(h1, w2, b2, c2));
      const logits = np.matmul(h2.reshape([batch, c2 * (side / 4) ** 2]), w3).add(b3);
      return nn
        .logSoftmax(logits)
        .mul(yb)
        .sum()
        .mul(-1 / batch);
    };
    if (id === 'cnn-forward') {
      const ps = cnnParams(rng).map(arr);
      const f = jit((p: Arr[], xb: Arr, yb: Arr) => loss(p, xb, yb));
      return () =>
        void f(
          ps.map((p) => p.ref),
          x.ref,
          y.ref,
        ).dataSync();
    }
    return adamStep(loss, cnnParams(rng), [x, y], 0);
  }
  if (id === 'lstm' || id === 'lstm-forward') {
    // jax-js has no scan: the 32 steps are unrolled inside jit (gates i, f, g, o as PyTorch)
    const { batch, steps, input, hidden } = RNN;
    const x = np.array(normalF32(batch * steps * input, rng)).reshape([batch, steps, input]);
    const probe = np.array(normalF32(batch * steps * hidden, rng)).reshape([batch, steps, hidden]);
    const init = [
      uniformParam([input, 4 * hidden], hidden, rng),
      uniformParam([hidden, 4 * hidden], hidden, rng),
      uniformParam([4 * hidden], hidden, rng),
    ];
    const loss = (ps: Arr[], xb: Arr, pb: Arr) => {
      const [wx, wh, b] = ps as [Arr, Arr, Arr];
      const xw = np.matmul(xb.reshape([batch * steps, input]), wx).reshape([batch, steps, 4 * hidden]);
      let h = np.zeros([batch, hidden]);
      let c = np.zeros([batch, hidden]);
      const outs: Arr[] = [];
      for (let s = 0; s < steps; s++) {
        const z = xw.ref.slice([], s).add(np.matmul(h, wh.ref)).add(b.ref);
        const [zi, zf, zg, zo] = np.split(z, 4, 1) as [Arr, Arr, Arr, Arr];
        c = nn
          .sigmoid(zf)
          .mul(c)
          .add(nn.sigmoid(zi).mul(np.tanh(zg)));
        h = nn.sigmoid(zo).mul(np.tanh(c.ref));
        outs.push(h.ref);
      }
      xw.dispose();
      wh.dispose();
      b.dispose();
      h.dispose();
      c.dispose();
      return np.stack(outs, 1).mul(pb).sum();
    };
    const ps = init.map(arr);
    if (id === 'lstm-forward') {
      const f = jit((p: Arr[], xb: Arr, pb: Arr) => loss(p, xb, pb));
      return () =>
        void f(
          ps.map((p) => p.ref),
          x.ref,
          probe.ref,
        ).dataSync();
    }
    const f = jit((p: Arr[], xb: Arr, pb: Arr) => {
      const [l, g] = valueAndGrad(loss)(p, xb, pb);
      return [l, g] as [Arr, Arr[]];
    });
    return () => {
      const [l, g] = f(
        ps.map((p) => p.ref),
        x.ref,
        probe.ref,
      ) as [Arr, Arr[]];
      l.dataSync();
      for (const gi of g) gi.dispose();
    };
  }
  // transformer block, pre-LN, as chainrule's above
  const { batch, seq, d, heads } = TF;
  const hd = d / heads;
  const x = np.array(normalF32(batch * seq * d, rng)).reshape([batch, seq, d]);
  const probe = np.array(normalF32(batch * seq * d, rng)).reshape([batch, seq, d]);
  const mask = np
    .array(Float32Array.from({ length: seq * seq }, (_, i) => (i % seq > Math.floor(i / seq) ? -1e9 : 0)))
    .reshape([seq, seq]);
  const layerNorm = (h: Arr, g: Arr, b: Arr) => nn.standardize(h, -1, { epsilon: 1e-5 }).mul(g).add(b);
  const loss = (ps: Arr[], xb: Arr, pb: Arr) => {
    const [g1, be1, wqkv, bqkv, wo, bo, g2, be2, w1, b1, w2, b2] = ps as Arr[] as [
      Arr,
      Arr,
      Arr,
      Arr,
      Arr,
      Arr,
      Arr,
      Arr,
      Arr,
      Arr,
      Arr,
      Arr,
    ];
    const a = layerNorm(xb.ref, g1, be1);
    // [batch, heads, seq, hd] per projection (nn.dotProductAttention needs Iterator.prototype.map:
    // Node 22); the causal mask as an additive −∞ above the diagonal
    const qkv = np.matmul(a, wqkv).add(bqkv).reshape([batch, seq, 3, heads, hd]).transpose([2, 0, 3, 1, 4]);
    const [q, k, v] = np.split(qkv, 3, 0).map((t: Arr) => t.reshape([batch, heads, seq, hd])) as [Arr, Arr, Arr];
    const scores = np
      .matmul(q, k.transpose([0, 1, 3, 2]))
      .mul(1 / Math.sqrt(hd))
      .add(mask.ref);
    const ctx = np.matmul(nn.softmax(scores, -1), v).transpose([0, 2, 1, 3]).reshape([batch, seq, d]);
    const h = xb.add(np.matmul(ctx, wo).add(bo));
    const m = nn.gelu(np.matmul(layerNorm(h.ref, g2, be2), w1).add(b1), { approximate: false });
    const y = h.add(np.matmul(m, w2).add(b2));
    return y.mul(pb).mean();
  };
  return adamStep(loss, transformerParams(rng), [x, probe], 1e-2);
}

// ---------------------------------------------------------------- tfjs

async function tfjsStep(library: string, id: WorkloadId): Promise<() => void> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-cpu');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  // the wasm backend has no gradient for conv2d's filter: the CNN's training step runs on tfjs-cpu
  const backend = library === 'tfjs-cpu' || (id === 'cnn' && library === 'tfjs-wasm') ? 'cpu' : 'wasm';
  await tf.setBackend(backend);
  await tf.ready();
  type T = import('@tensorflow/tfjs').Tensor;
  const rng = new Rng(11);
  const variable = (p: Param, perm?: number[]) => {
    const t = tf.tensor(p.data, p.shape);
    return tf.variable(perm ? tf.transpose(t, perm) : t);
  };
  if (id === 'cnn' || id === 'cnn-forward') {
    const { batch, side, c2, classes } = CNN;
    // NHWC, filters HWIO (tfjs's layouts)
    const [w1, b1, w2, b2, w3, b3] = cnnParams(rng).map((p) =>
      variable(p, p.shape.length === 4 ? [2, 3, 1, 0] : undefined),
    ) as import('@tensorflow/tfjs').Variable[];
    const x = tf.tensor(normalF32(batch * side * side, rng), [batch, side, side, 1]);
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i % classes),
        'int32',
      ),
      classes,
    );
    const loss = () => {
      const conv = (h: T, w: T, b: T) => tf.relu(tf.add(tf.conv2d(h as never, w as never, 1, 'same'), b));
      const h1 = tf.maxPool(conv(x, w1 as T, b1 as T) as never, 2, 2, 'valid');
      const h2 = tf.maxPool(conv(h1, w2 as T, b2 as T) as never, 2, 2, 'valid');
      // flatten in NCHW order is irrelevant for speed: tfjs flattens NHWC
      const logits = tf.add(tf.matMul(tf.reshape(h2, [batch, c2 * (side / 4) ** 2]), w3 as T), b3 as T);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), y), 1))) as import('@tensorflow/tfjs').Scalar;
    };
    if (id === 'cnn-forward') return () => void tf.tidy(() => loss().dataSync());
    const opt = tf.train.adam(1e-3);
    return () =>
      void tf.tidy(() => {
        const l = opt.minimize(loss, true) as T;
        l.dataSync();
      });
  }
  if (id === 'lstm' || id === 'lstm-forward') {
    const { batch, steps, input, hidden } = RNN;
    const lstm = tf.layers.lstm({ units: hidden, returnSequences: true, recurrentActivation: 'sigmoid' });
    const x = tf.tensor(normalF32(batch * steps * input, rng), [batch, steps, input]);
    const probe = tf.tensor(normalF32(batch * steps * hidden, rng), [batch, steps, hidden]);
    const loss = () => tf.sum(tf.mul(lstm.apply(x) as T, probe)) as import('@tensorflow/tfjs').Scalar;
    tf.tidy(loss); // builds the layer (creates its weights)
    if (id === 'lstm-forward') return () => void tf.tidy(() => loss().dataSync());
    const vars = lstm.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs').Variable);
    return () =>
      void tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, vars);
        value.dataSync();
        for (const g of Object.values(grads)) g.dataSync();
      });
  }
  // transformer block, pre-LN, as chainrule's above, written in tfjs ops
  const { batch, seq, d, heads } = TF;
  const hd = d / heads;
  const ps = transformerParams(rng).map((p) => variable(p));
  const [g1, be1, wqkv, bqkv, wo, bo, g2, be2, w1, b1, w2, b2] = ps as unknown as T[] as [
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
  ];
  const x = tf.tensor(normalF32(batch * seq * d, rng), [batch, seq, d]);
  const probe = tf.tensor(normalF32(batch * seq * d, rng), [batch, seq, d]);
  const causal = tf.tensor(
    Float32Array.from({ length: seq * seq }, (_, i) => (i % seq > Math.floor(i / seq) ? -1e9 : 0)),
    [seq, seq],
  );
  const layerNorm = (h: T, g: T, b: T) => {
    const { mean, variance } = tf.moments(h, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const erfGelu = (h: T) => tf.mul(tf.mul(h, 0.5), tf.add(tf.erf(tf.mul(h, Math.SQRT1_2)), 1));
  const loss = () => {
    const a = layerNorm(x, g1, be1);
    const qkv = tf.add(tf.matMul(tf.reshape(a, [batch * seq, d]), wqkv), bqkv);
    const split = (i: number) =>
      tf.transpose(tf.reshape(tf.slice(qkv, [0, i * d], [batch * seq, d]), [batch, seq, heads, hd]), [0, 2, 1, 3]);
    const [q, k, v] = [split(0), split(1), split(2)];
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), causal);
    const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [batch * seq, d]);
    const h = tf.add(tf.reshape(x, [batch * seq, d]), tf.add(tf.matMul(ctx, wo), bo));
    const m = erfGelu(tf.add(tf.matMul(layerNorm(h, g2, be2), w1), b1));
    const y = tf.add(h, tf.add(tf.matMul(m, w2), b2));
    return tf.mean(tf.mul(y, tf.reshape(probe, [batch * seq, d]))) as import('@tensorflow/tfjs').Scalar;
  };
  const opt = tf.train.adam(1e-3); // tfjs has no AdamW: Adam, its update minus the decay term
  return () =>
    void tf.tidy(() => {
      const l = opt.minimize(loss, true) as T;
      l.dataSync();
    });
}
