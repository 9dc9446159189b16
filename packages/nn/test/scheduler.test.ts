// Schedulers against torch: fixtures/schedulers.json holds the lr sequences torch.optim.lr_scheduler
// produced for the same calls (scripts/torch_schedulers.py); chainrule must give the same bits.
import { readFileSync } from 'node:fs';
import { tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
} from '../src/index';
import { expectError } from './helpers';

interface Case {
  name: string;
  scheduler: string;
  options: Record<string, unknown>;
  metrics?: (number | null)[];
  lrs: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/schedulers.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case[];
};

/** The optimizer of the fixture script: two groups, lr 0.1 and 0.05. */
function optimizer(): SGD {
  const a = tensor([0, 0], { requiresGrad: true });
  const b = tensor([0, 0, 0], { requiresGrad: true });
  return new SGD(
    [
      { params: [a], lr: 0.1 },
      { params: [b], lr: 0.05 },
    ],
    { lr: 0.1 },
  );
}

const MAKERS = {
  StepLR: (o: SGD, opts: never) => new StepLR(o, opts),
  MultiStepLR: (o: SGD, opts: never) => new MultiStepLR(o, opts),
  ExponentialLR: (o: SGD, opts: never) => new ExponentialLR(o, opts),
  CosineAnnealingLR: (o: SGD, opts: never) => new CosineAnnealingLR(o, opts),
  LinearLR: (o: SGD, opts: never) => new LinearLR(o, opts),
} as const;

describe(`schedulers give torch ${fixture.torch}'s lr sequences`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const opt = optimizer();
      const got: number[][] = [];
      if (c.scheduler === 'ReduceLROnPlateau') {
        const s = new ReduceLROnPlateau(opt, c.options);
        got.push(s.getLastLr());
        for (const m of c.metrics ?? []) {
          opt.step();
          s.step(m === null ? Number.NaN : m);
          got.push(s.getLastLr());
        }
      } else {
        const s = MAKERS[c.scheduler as keyof typeof MAKERS](opt, c.options as never);
        got.push(s.getLastLr());
        for (let k = 1; k < c.lrs.length; k++) {
          opt.step();
          s.step();
          got.push(s.getLastLr());
        }
      }
      if (c.scheduler === 'CosineAnnealingLR') {
        // V8's Math.cos (fdlibm) and glibc's cos, which torch calls, round the last bit differently
        // for some arguments (cos(21π/100): …904 vs …903), so these agree to a few ulps, not bits.
        expect(got.length).toBe(c.lrs.length);
        got.forEach((row, t) => {
          row.forEach((lr, i) => {
            const want = c.lrs[t]?.[i] as number;
            expect(Math.abs(lr - want), `epoch ${t}, group ${i}`).toBeLessThanOrEqual(1e-15 * Math.abs(want));
          });
        });
      } else {
        expect(got).toEqual(c.lrs);
        expect(opt.paramGroups.map((g) => g.lr)).toEqual(c.lrs.at(-1));
      }
    });
  }
});

describe('schedulers by hand', () => {
  it('StepLR: η₀γ^⌊t/stepSize⌋; the optimizer steps with the scheduled lr', () => {
    const w = tensor([0], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([w], { lr: 1 });
    const s = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const seen: number[] = [];
    for (let t = 0; t < 5; t++) {
      w.grad = tensor([1], { dtype: 'float64' });
      const before = w.item();
      opt.step();
      seen.push(before - w.item());
      s.step();
    }
    expect(seen).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('CosineAnnealingLR reaches etaMin at tMax and follows the closed form to 1e-15', () => {
    const opt = optimizer();
    const s = new CosineAnnealingLR(opt, { tMax: 7, etaMin: 0.01 });
    for (let t = 1; t <= 7; t++) {
      s.step();
      const closed = 0.01 + ((0.1 - 0.01) * (1 + Math.cos((Math.PI * t) / 7))) / 2;
      expect(Math.abs((s.getLastLr()[0] as number) - closed)).toBeLessThan(1e-15);
    }
    expect(s.getLastLr()[0]).toBeCloseTo(0.01, 15);
  });

  it('LinearLR applies startFactor at construction, as torch', () => {
    const opt = optimizer();
    const s = new LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    expect(s.getLastLr()).toEqual([0.05, 0.025]);
    expect(opt.paramGroups[0]?.lr).toBe(0.05);
  });

  it('stateDict / loadStateDict resume a schedule where it stopped', () => {
    const a = optimizer();
    const sa = new CosineAnnealingLR(a, { tMax: 10 });
    for (let t = 0; t < 4; t++) sa.step();
    const saved = JSON.parse(JSON.stringify({ opt: a.paramGroups.map((g) => g.lr), s: sa.stateDict() }));
    for (let t = 0; t < 4; t++) sa.step();

    const b = optimizer();
    const sb = new CosineAnnealingLR(b, { tMax: 10 });
    b.paramGroups.forEach((g, i) => {
      g.lr = saved.opt[i];
    });
    sb.loadStateDict(saved.s);
    for (let t = 0; t < 4; t++) sb.step();
    expect(sb.getLastLr()).toEqual(sa.getLastLr());
    expect(sb.lastEpoch).toBe(8);
  });

  it('ReduceLROnPlateau state round-trips, best = Infinity included', () => {
    const s = new ReduceLROnPlateau(optimizer(), { patience: 1 });
    expect(s.stateDict().best).toBe(Number.POSITIVE_INFINITY);
    s.step(1);
    s.step(2);
    const state = s.stateDict();
    const t = new ReduceLROnPlateau(optimizer(), { patience: 1 });
    t.loadStateDict(state);
    expect(t.stateDict()).toEqual(state);
    t.step(3); // the second bad epoch: more than patience
    expect(t.getLastLr()).toEqual([0.010000000000000002, 0.005000000000000001]);
  });

  it('accepts a one-element Tensor metric', () => {
    const s = new ReduceLROnPlateau(optimizer());
    s.step(tensor([0.5]));
    expect(s.best).toBe(0.5);
  });
});

describe('scheduler validation (named ChainruleError, nothing changed)', () => {
  const cases: [(o: SGD) => unknown, string][] = [
    [() => new StepLR({} as SGD, { stepSize: 1 }), 'StepLR: expected an Optimizer as first argument, got an object'],
    [(o) => new StepLR(o, {} as never), 'StepLR: stepSize must be an integer >= 1, got undefined'],
    [(o) => new StepLR(o, { stepSize: 1.5 }), 'StepLR: stepSize must be an integer >= 1, got 1.5'],
    [(o) => new StepLR(o, { stepSize: 2, gamma: Number.NaN }), 'StepLR: gamma must be a finite number >= 0, got NaN'],
    [(o) => new StepLR(o, null as never), 'StepLR: options must be an object, got null'],
    [
      (o) => new StepLR(o, { stepSize: 2, step_size: 3 } as never),
      "StepLR: unknown option 'step_size' (expected one of stepSize, gamma)",
    ],
    [
      (o) => new MultiStepLR(o, { milestones: [1, -2] }),
      'MultiStepLR: milestones must be an array of integers >= 0, got [1, -2]',
    ],
    [
      (o) => new MultiStepLR(o, { milestones: '3' as never }),
      "MultiStepLR: milestones must be an array of integers >= 0, got '3'",
    ],
    [
      (o) => new ExponentialLR(o, { gamma: '0.9' as never }),
      "ExponentialLR: gamma must be a finite number >= 0, got '0.9'",
    ],
    [(o) => new CosineAnnealingLR(o, { tMax: 0 }), 'CosineAnnealingLR: tMax must be an integer >= 1, got 0'],
    [
      (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: -1 }),
      'CosineAnnealingLR: etaMin must be a finite number >= 0, got -1',
    ],
    [(o) => new LinearLR(o, { startFactor: 0 }), 'LinearLR: startFactor must be in (0, 1], got 0'],
    [(o) => new LinearLR(o, { endFactor: 1.5 }), 'LinearLR: endFactor must be in [0, 1], got 1.5'],
    [(o) => new LinearLR(o, { totalIters: null as never }), 'LinearLR: totalIters must be an integer >= 1, got null'],
    [
      (o) => new ReduceLROnPlateau(o, { mode: 'up' as never }),
      "ReduceLROnPlateau: mode must be 'min' or 'max', got 'up'",
    ],
    [(o) => new ReduceLROnPlateau(o, { factor: 1 }), 'ReduceLROnPlateau: factor must be in [0, 1), got 1'],
    [(o) => new ReduceLROnPlateau(o, { patience: -1 }), 'ReduceLROnPlateau: patience must be an integer >= 0, got -1'],
    [
      (o) => new ReduceLROnPlateau(o, { thresholdMode: 'relative' as never }),
      "ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got 'relative'",
    ],
    [
      (o) => new ReduceLROnPlateau(o, { minLr: [0.1] }),
      'ReduceLROnPlateau: minLr must be a finite number >= 0 or 2 of them (one per group), got [0.1]',
    ],
    [
      (o) => new ReduceLROnPlateau(o).step('0.5' as never),
      "ReduceLROnPlateau.step: metric must be a number or a one-element Tensor, got '0.5'",
    ],
    [
      (o) => new CosineAnnealingLR(o, { tMax: 3 }).loadStateDict({ lastEpoch: 1, baseLrs: [0.1], lastLr: [0.1] }),
      'CosineAnnealingLR.loadStateDict: baseLrs must be 2 learning rates (one per group), got [0.1]',
    ],
  ];
  for (const [make, message] of cases) {
    it(message, () => {
      const o = optimizer();
      expectError(() => make(o), message);
      expect(o.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.05]);
    });
  }

  it('a scheduler drives any optimizer (Adam)', () => {
    const opt = new Adam([tensor([1], { requiresGrad: true })], { lr: 0.01 });
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    expect(opt.lr).toBe(0.005);
  });
});
