// Optimizers with parameter groups, a schedule and a checkpoint/resume, and clipGradNorm, against
// the figures torch produced for the same calls (fixtures/optim_toolkit.json, written by
// scripts/torch_optim_toolkit.py). All float64.
import { readFileSync } from 'node:fs';
import { type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  AdamW,
  clipGradNorm,
  loadSafetensorsWithMetadata,
  type Optimizer,
  packState,
  RMSprop,
  SGD,
  StepLR,
  saveSafetensors,
  unpackState,
} from '../src/index';

interface Fixture {
  torch: string;
  theta: number[][];
  clipGrads: number[][];
  optimizers: {
    name: string;
    optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
    defaults: Record<string, unknown>;
    group0: Record<string, unknown>;
    params: number[][][];
  }[];
  clip: { normType: number | 'Infinity'; maxNorm: number; total: number; grads: number[][] }[];
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/optim_toolkit.json', import.meta.url), 'utf8')) as Fixture;

const CLASSES = { SGD, Adam, AdamW, RMSprop } as const;
/** The script's gradient of parameter i at step k. */
const grad = (k: number, i: number, n: number) =>
  Array.from({ length: n }, (_, j) => Math.sin(1.3 * k + 0.7 * i + j) * (1 + i));

describe(`against torch ${fx.torch}`, () => {
  for (const c of fx.optimizers) {
    it(`${c.name}: two groups, StepLR, checkpoint after 4 steps through safetensors, 4 more steps`, () => {
      const make = (values: number[][]) => {
        const ps = values.map((v) => tensor(v, { dtype: 'float64', requiresGrad: true }));
        const Cls = CLASSES[c.optimizer] as unknown as new (p: unknown, o: unknown) => Optimizer;
        const opt = new Cls([{ params: [ps[0]], ...c.group0 }, { params: [ps[1]] }], c.defaults);
        return { ps, opt, sched: new StepLR(opt, { stepSize: 3, gamma: 0.5 }) };
      };
      let { ps, opt, sched } = make(fx.theta);
      const got: number[][][] = [];
      for (let k = 0; k < 8; k++) {
        if (k === 4) {
          const packed = packState({ optimizer: opt.stateDict(), scheduler: sched.stateDict() });
          const saved = unpackState(loadSafetensorsWithMetadata(saveSafetensors(packed.tensors, packed.metadata)));
          ({ ps, opt, sched } = make(ps.map((p) => Array.from(p.data))));
          opt.loadStateDict(saved.optimizer);
          sched.loadStateDict(saved.scheduler);
        }
        ps.forEach((p: Tensor, i) => {
          p.grad = tensor(grad(k, i, p.size), { dtype: 'float64' });
        });
        opt.step();
        sched.step();
        got.push(ps.map((p) => Array.from(p.data)));
      }
      // A few ulps, not bits: ATen's vectorised kernels may fuse a·x + y into one rounding (FMA).
      got.forEach((step, k) => {
        step.forEach((p, i) => {
          p.forEach((x, j) => {
            const want = c.params[k]?.[i]?.[j] as number;
            expect(Math.abs(x - want), `step ${k + 1}, param ${i}[${j}]: ${x} vs ${want}`).toBeLessThanOrEqual(
              1e-15 * Math.max(1, Math.abs(want)),
            );
          });
        });
      });
    });
  }

  for (const c of fx.clip) {
    it(`clipGradNorm, normType ${c.normType}, maxNorm ${c.maxNorm}: total norm and clipped gradients`, () => {
      const ps = fx.clipGrads.map((g) => {
        const p = tensor(
          g.map(() => 0),
          { dtype: 'float64', requiresGrad: true },
        );
        p.grad = tensor(g, { dtype: 'float64' });
        return p;
      });
      const total = clipGradNorm(ps, c.maxNorm, { normType: Number(c.normType) });
      expect(Math.abs(total - c.total)).toBeLessThanOrEqual(1e-15 * c.total);
      ps.forEach((p, i) => {
        Array.from(p.grad?.data ?? []).forEach((g, j) => {
          const want = c.grads[i]?.[j] as number;
          expect(Math.abs(g - want), `grad ${i}[${j}]`).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)));
        });
      });
    });
  }
});
