// One workload of `pnpm bench threads` in a process of its own: `threads-child.ts <workload> <n|default>`.
// Prints one JSON line: the median wall ms per step over ~1 s of steps, the CPU ms per step (all
// threads of the process), the thread count and the threads live at the end.
import { kernelInfo, linear, maxPool2d, noGrad, Rng, randn, setNumThreads, type Tensor } from '@chainrule/core';
import { Adam, Conv2d, crossEntropyLoss, Linear, MLP, SGD } from '@chainrule/nn';

const [workload, threads] = process.argv.slice(2);
if (threads !== 'default') setNumThreads(Number(threads));

/** A training step of an MLP of `sizes` (ReLU) on a batch, cross-entropy and SGD. */
function mlp(sizes: number[], batch: number): () => void {
  const rng = new Rng(3);
  const model = new MLP(sizes[0] as number, sizes.slice(1), { rng });
  const opt = new SGD(model.parameters(), { lr: 0.01 });
  const x: Tensor = noGrad(() => randn([batch, sizes[0] as number], { rng }));
  const classes = sizes[sizes.length - 1] as number;
  const labels = Array.from({ length: batch }, (_, i) => i % classes);
  return () => {
    const loss = crossEntropyLoss(model.forward(x), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

/**
 * The matrix products of that MLP step alone: each layer's linear map (no activation, loss or
 * optimizer) forward, and its backward from a fixed ∂L/∂y: x·Wᵀ, ∂L/∂W = gyᵀ·x and ∂L/∂x = gy·W at
 * the step's shapes, each with its copies into and out of WebAssembly memory.
 */
function products(sizes: number[], batch: number): () => void {
  const rng = new Rng(3);
  const weights = sizes.slice(1).map((out, i) => randn([out, sizes[i] as number], { rng, requiresGrad: true }));
  const x: Tensor = noGrad(() => randn([batch, sizes[0] as number], { rng }));
  const gy: Tensor = noGrad(() => randn([batch, sizes[sizes.length - 1] as number], { rng }));
  return () => {
    for (const w of weights) w.grad = null;
    weights.reduce((h, w) => linear(h, w), x).backward(gy);
  };
}

/** The CNN step of the README: 2 × (conv 3×3, ReLU, max-pool 2), a linear read-out, Adam; 28×28, batch 64. */
function cnn(): () => void {
  const rng = new Rng(5);
  const c1 = new Conv2d(1, 16, 3, { padding: 1, rng });
  const c2 = new Conv2d(16, 32, 3, { padding: 1, rng });
  const fc = new Linear(32 * 7 * 7, 10, { rng });
  const params = [...c1.parameters(), ...c2.parameters(), ...fc.parameters()];
  const opt = new Adam(params, { lr: 1e-3 });
  const x: Tensor = noGrad(() => randn([64, 1, 28, 28], { rng }));
  const labels = Array.from({ length: 64 }, (_, i) => i % 10);
  return () => {
    const h = maxPool2d(c2.forward(maxPool2d(c1.forward(x).relu(), 2)).relu(), 2);
    const loss = crossEntropyLoss(fc.forward(h.reshape([64, 32 * 7 * 7])), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
}

const steps: Record<string, () => () => void> = {
  'mlp-784-512-512-10': () => mlp([784, 512, 512, 10], 256),
  'mlp-784-128-64-10': () => mlp([784, 128, 64, 10], 64),
  'mlp-2-64-64-2': () => mlp([2, 64, 64, 2], 256),
  'products-784-512-512-10': () => products([784, 512, 512, 10], 256),
  'products-784-128-64-10': () => products([784, 128, 64, 10], 64),
  cnn,
};
const make = steps[workload ?? ''];
if (!make) throw new Error(`threads-child: unknown workload '${workload}' (${Object.keys(steps).join(', ')})`);
const step = make();
for (let i = 0; i < 5; i++) step(); // warm-up: V8 optimised, memory reserved, workers up
const times: number[] = [];
const cpu0 = process.cpuUsage();
const start = performance.now();
while (performance.now() - start < 1000 || times.length < 10) {
  const t = performance.now();
  step();
  times.push(performance.now() - t);
}
const cpu = process.cpuUsage(cpu0);
times.sort((a, b) => a - b);
const info = kernelInfo();
console.log(
  JSON.stringify({
    ms: times[times.length >> 1],
    cpuMs: (cpu.user + cpu.system) / 1000 / times.length,
    threads: info.numThreads,
    live: info.liveThreads,
  }),
);
