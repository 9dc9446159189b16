// A WGAN-GP critic on 2-D points (Gulrajani et al., 2017): the critic f separates "real" points
// (a ring) from "fake" ones (a blob) by maximising E f(real) − E f(fake), while the gradient
// penalty λ·E(‖∇ₓf(x̂)‖ − 1)² on points x̂ between the two keeps f 1-Lipschitz. The penalty is a
// loss built from a gradient: ∇ₓf is taken with createGraph, so the penalty's own gradient with
// respect to the critic's weights exists (a second derivative of f).
import { join } from 'node:path';
import { grad, noGrad, Rng, type Tensor, tensor } from '@chainrule/core';
import { Adam, type Linear, MLP } from '@chainrule/nn';
import { isMain, outDir, since } from './main';
import { lineChart, writeSvg } from './plot';

export interface PenaltyOptions {
  steps?: number;
  batch?: number;
  /** λ, the weight of the penalty (10 in the paper). */
  lambda?: number;
  lr?: number;
  seed?: number;
}

export interface PenaltyResult {
  /** Every 25 steps: the step, the mean ‖∇ₓf(x̂)‖ and the Wasserstein estimate E f(real) − E f(fake). */
  trace: { step: number; gradNorm: number; distance: number }[];
  seconds: number;
}

function samplePoints(rng: Rng, n: number, real: boolean): Tensor {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (real) {
      const a = 2 * Math.PI * rng.next();
      rows.push([2 * Math.cos(a) + 0.1 * rng.normal(), 2 * Math.sin(a) + 0.1 * rng.normal()]);
    } else rows.push([0.5 * rng.normal() + 0.5, 0.5 * rng.normal() - 0.5]);
  }
  return tensor(rows);
}

/** ‖∇ₓf(x)‖ for each row of x, as a graph in the critic's weights. */
export function criticGradNorm(critic: MLP, x: Tensor): Tensor {
  const at = x.detach();
  at.requiresGrad = true;
  const [gx] = grad(critic.forward(at).sum(), [at], { createGraph: true });
  return (gx as Tensor).square().sum(1).add(1e-12).sqrt();
}

/** Trains the critic with the gradient penalty; returns how its gradient norm moved. */
export function trainCritic(opts: PenaltyOptions = {}): PenaltyResult {
  const { steps = 300, batch = 64, lambda = 10, lr = 2e-3, seed = 5 } = opts;
  const t0 = performance.now();
  const rng = new Rng(seed);
  const critic = new MLP(2, [32, 32, 1], { activation: 'tanh', rng: new Rng(seed + 1) });
  // a critic that starts steep (its read-out scaled by 30), so that the penalty has work to do
  const readout = (critic.layers[critic.layers.length - 1] as Linear).weight;
  noGrad(() => readout.data.set(readout.mul(30).data));
  const opt = new Adam(critic.parameters(), { lr, betas: [0.5, 0.9] });
  const trace: PenaltyResult['trace'] = [];
  for (let step = 0; step <= steps; step++) {
    const real = samplePoints(rng, batch, true);
    const fake = samplePoints(rng, batch, false);
    const t = tensor(Array.from({ length: batch }, () => [rng.next()]));
    const between = real.mul(t).add(fake.mul(t.neg().add(1)));
    const norms = criticGradNorm(critic, between);
    const distance = critic.forward(real).mean().sub(critic.forward(fake).mean());
    const loss = distance.neg().add(norms.sub(1).square().mean().mul(lambda));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step % 25 === 0) trace.push({ step, gradNorm: norms.mean().item(), distance: distance.item() });
  }
  return { trace, seconds: (performance.now() - t0) / 1000 };
}

/** The critic trained with the penalty (λ = 10) and without it (λ = 0), from the same start. */
export interface PenaltyComparison {
  penalised: PenaltyResult;
  unpenalised: PenaltyResult;
}

export async function writePenaltyPicture(dir: string, r: PenaltyComparison): Promise<string> {
  return writeSvg(
    join(dir, 'gradient-penalty.svg'),
    lineChart({
      title: 'WGAN-GP critic: the penalty holds the mean ‖∇ₓf‖ on interpolated points at 1 (log scale)',
      xTitle: 'critic step',
      yTitle: 'mean ‖∇ₓf(x̂)‖',
      logY: true,
      dots: true,
      points: [
        ...r.penalised.trace.map((p) => ({ x: p.step, y: p.gradNorm, series: 'with the penalty, λ = 10' })),
        ...r.unpenalised.trace.map((p) => ({ x: p.step, y: p.gradNorm, series: 'without it, λ = 0' })),
      ],
    }),
  );
}

/** Trains both critics and prints their gradient norms side by side. */
export function runGradientPenalty(
  log: (line: string) => void = console.log,
  opts: PenaltyOptions = {},
): PenaltyComparison {
  const penalised = trainCritic(opts);
  const unpenalised = trainCritic({ ...opts, lambda: 0 });
  log('step  mean ‖∇ₓf(x̂)‖ with the penalty (λ = 10)   without it (λ = 0)');
  penalised.trace.forEach((p, i) => {
    if (i % 2 !== 0) return;
    const q = unpenalised.trace[i];
    log(`${String(p.step).padStart(4)}  ${p.gradNorm.toFixed(3).padStart(38)}  ${q?.gradNorm.toFixed(3).padStart(19)}`);
  });
  log(`(${(penalised.seconds + unpenalised.seconds).toFixed(1)} s)`);
  return { penalised, unpenalised };
}

if (isMain('gradient-penalty')) {
  const t0 = performance.now();
  const r = runGradientPenalty();
  console.log(`wrote ${await writePenaltyPicture(outDir(), r)} (${since(t0)} s)`);
}
