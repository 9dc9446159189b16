// A physics-informed network: u(x) with u″ + u = 0, u(0) = 0, u′(0) = 1 on [0, 2π], learned from
// the differential equation alone (no sample of the solution, which is sin x). u′ and u″ are
// gradients of the network with respect to its input, taken with createGraph so that the loss
// built from them can be differentiated again with respect to the weights (docs/backprop.md,
// higher-order derivatives).
import { join } from 'node:path';
import { grad, noGrad, Rng, type Tensor, tensor } from '@chainrule/core';
import { Adam, MLP } from '@chainrule/nn';
import { isMain, outDir, since } from './main';
import { lineChart, writeSvg } from './plot';

export interface PinnOptions {
  /** Collocation points in [0, 2π] where the residual u″ + u is penalised. */
  points?: number;
  steps?: number;
  lr?: number;
  seed?: number;
}

export interface PinnResult {
  model: MLP;
  /** Loss every 100 steps. */
  losses: number[];
  /** The largest |u(x) − sin x| on 201 points of [0, 2π]. */
  maxError: number;
  seconds: number;
}

const TWO_PI = 2 * Math.PI;

/** u, u′ and u″ at x (a column [N, 1] that requires grad), each a graph in the weights. */
export function derivatives(model: MLP, x: Tensor): [u: Tensor, du: Tensor, d2u: Tensor] {
  const u = model.forward(x);
  // each u_i depends only on x_i, so ∂(Σu)/∂x_i = u′(x_i)
  const [du] = grad(u.sum(), [x], { createGraph: true });
  const [d2u] = grad((du as Tensor).sum(), [x], { createGraph: true });
  return [u, du as Tensor, d2u as Tensor];
}

function grid(n: number, end: number): Tensor {
  return tensor(Array.from({ length: n }, (_, i) => [(end * i) / (n - 1)]));
}

/** Trains u(x) ≈ sin x from u″ + u = 0 and the two initial conditions. */
export function trainPinn(opts: PinnOptions = {}): PinnResult {
  const { points = 48, steps = 1200, lr = 0.01, seed = 3 } = opts;
  const t0 = performance.now();
  const model = new MLP(1, [24, 24, 1], { activation: 'tanh', rng: new Rng(seed) });
  const opt = new Adam(model.parameters(), { lr });
  const x = grid(points, TWO_PI);
  x.requiresGrad = true;
  const origin = tensor([[0]], { requiresGrad: true });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const [u, , d2u] = derivatives(model, x);
    const residual = d2u.add(u).square().mean();
    const [u0, du0] = derivatives(model, origin);
    const initial = u0.square().add(du0.sub(1).square()).sum();
    const loss = residual.add(initial);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step % 100 === 0 || step === steps - 1) losses.push(loss.item());
    if (step === Math.floor(steps * 0.6)) for (const g of opt.paramGroups) g.lr = lr / 5;
  }
  const test = grid(201, TWO_PI);
  const u = noGrad(() => model.forward(test));
  let maxError = 0;
  for (let i = 0; i < test.size; i++) {
    maxError = Math.max(maxError, Math.abs((u.data[i] as number) - Math.sin(test.data[i] as number)));
  }
  return { model, losses, maxError, seconds: (performance.now() - t0) / 1000 };
}

/** The learned u against sin x, as an SVG. */
export async function writePinnPicture(dir: string, r: PinnResult): Promise<string> {
  const test = grid(101, TWO_PI);
  const u = noGrad(() => r.model.forward(test));
  const xs = Array.from(test.data);
  return writeSvg(
    join(dir, 'pinn.svg'),
    lineChart({
      title: 'u″ + u = 0, u(0) = 0, u′(0) = 1: the network, trained on the equation alone, vs sin x',
      xTitle: 'x',
      yTitle: 'u(x)',
      points: [
        ...xs.map((x, i) => ({ x, y: u.data[i] as number, series: 'network u(x)' })),
        ...xs.map((x) => ({ x, y: Math.sin(x), series: 'sin x (exact)' })),
      ],
    }),
  );
}

/** Trains and prints the outcome. */
export function runPinn(log: (line: string) => void = console.log, opts: PinnOptions = {}): PinnResult {
  const r = trainPinn(opts);
  log(`loss every 100 steps: ${r.losses.map((l) => l.toExponential(1)).join(' ')}`);
  log(`largest |u(x) − sin x| on [0, 2π]: ${r.maxError.toFixed(4)} (${r.seconds.toFixed(1)} s)`);
  return r;
}

if (isMain('pinn')) {
  const t0 = performance.now();
  const r = runPinn();
  console.log(`wrote ${await writePinnPicture(outDir(), r)} (${since(t0)} s)`);
}
