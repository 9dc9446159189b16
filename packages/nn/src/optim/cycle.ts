// More learning-rate schedulers, as torch.optim.lr_scheduler: LambdaLR (any function of the
// epoch), OneCycleLR (Smith's one-cycle policy, lr and momentum), SequentialLR (schedulers one
// after another, e.g. a warmup then a cosine). Sequences equal torch's for the same calls
// (scripts/torch_parity.py), to the last bit of Math.cos for the cosine ones.
import { ChainruleError } from '@chainrule/core';
import type { Optimizer } from './optimizer';
import { isPlainObject, show } from './optimizer';
import { checkOptimizer, checkState, initialLr, LRScheduler, Options, type SchedulerStateDict } from './scheduler';

/** A factor of the epoch: LambdaLR sets lr = base lr · λ(epoch). */
export type LrLambda = (epoch: number) => number;

/**
 * ηₜ = η₀ · λ(t), one λ for every group or one per group, as torch's LambdaLR.
 * @throws ChainruleError for a λ that is not a function (or a list of one per group), or, at a
 *   step, a λ that returns something other than a finite number (that step changes nothing).
 * @example
 * const sched = new LambdaLR(opt, { lrLambda: (epoch) => 0.95 ** epoch });
 */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: LrLambda[];
  constructor(optimizer: Optimizer, opts: { lrLambda: LrLambda | readonly LrLambda[] }) {
    super(optimizer);
    const f = Options.of(this.name, opts, ['lrLambda']).raw('lrLambda', undefined);
    const n = this.optimizer.paramGroups.length;
    const list = Array.isArray(f) ? f : [...Array(n)].map(() => f);
    if (list.length !== n || list.some((x) => typeof x !== 'function')) {
      throw new ChainruleError(
        `${this.name}: lrLambda must be a function or a list of ${n} functions (one per group), got ${show(f)}`,
      );
    }
    this.lambdas = list as LrLambda[];
    this.step();
  }
  override get name(): string {
    return 'LambdaLR';
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((lr, i) => {
      const k = (this.lambdas[i] as LrLambda)(this.lastEpoch);
      if (typeof k !== 'number' || !Number.isFinite(k)) {
        throw new ChainruleError(
          `${this.name}: lrLambda of group ${i} returned ${show(k)} at epoch ${this.lastEpoch}, expected a finite number`,
        );
      }
      return lr * k;
    });
  }
}

/** Options of OneCycleLR: torch's, in camelCase, with its defaults. */
export interface OneCycleLROptions {
  /** The peak lr, for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (SGD's momentum, Adam's β₁) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** The lowest momentum, reached at the peak lr (default 0.85). */
  baseMomentum?: number | readonly number[];
  /** The highest momentum, at the start and the end (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to the initial lr, then to the min lr) instead of two (default false). */
  threePhase?: boolean;
}

interface Phase {
  end: number;
  lr: ['initial' | 'max' | 'min', 'initial' | 'max' | 'min'];
  momentum: ['max' | 'base', 'max' | 'base'];
}

/**
 * The one-cycle policy (Smith & Topin, "Super-Convergence", 2017), as torch's OneCycleLR: the lr
 * rises from maxLr/divFactor to maxLr over pctStart of the cycle, then anneals to
 * initial/finalDivFactor, with the momentum (SGD's momentum or Adam's β₁) moving the other way.
 * Call step() after each batch, totalSteps times in all.
 * @throws ChainruleError for invalid options, an optimizer without momentum or betas when
 *   cycleMomentum is on, or a step past totalSteps (that step changes nothing).
 * @example
 * const sched = new OneCycleLR(opt, { maxLr: 0.1, epochs: 10, stepsPerEpoch: loader.length });
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle: step() may be called this many times. */
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly lrs: { initial: number; max: number; min: number }[];
  private readonly momenta: { max: number; base: number }[] | null;
  private readonly beta1: boolean;

  constructor(optimizer: Optimizer, opts: OneCycleLROptions) {
    super(optimizer);
    const name = this.name;
    const keys = ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum'];
    const o = Options.of(name, opts, [
      ...keys,
      'baseMomentum',
      'maxMomentum',
      'divFactor',
      'finalDivFactor',
      'threePhase',
    ]);
    const groups = this.optimizer.paramGroups as unknown as Record<string, unknown>[];
    const perGroup = (key: string, fallback: number | undefined): number[] => {
      const v = o.raw(key, fallback);
      const list = Array.isArray(v) ? v : groups.map(() => v);
      if (list.length !== groups.length || list.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0)) {
        throw new ChainruleError(
          `${name}: ${key} must be a finite number >= 0 or ${groups.length} of them (one per group), got ${show(v)}`,
        );
      }
      return list as number[];
    };
    const maxLrs = perGroup('maxLr', undefined);
    let total: number;
    if (o.raw('totalSteps', undefined) !== undefined) total = o.integer('totalSteps', undefined, 1);
    else if (o.raw('epochs', undefined) !== undefined || o.raw('stepsPerEpoch', undefined) !== undefined) {
      total = o.integer('epochs', undefined, 1) * o.integer('stepsPerEpoch', undefined, 1);
    } else throw new ChainruleError(`${name}: give totalSteps, or epochs and stepsPerEpoch`);
    const pct = o.number('pctStart', 0.3, 'a number in [0, 1]', (x) => x >= 0 && x <= 1);
    const strategy = o.choice('annealStrategy', 'cos', ['cos', 'linear'] as const);
    const cycle = o.raw('cycleMomentum', true);
    if (typeof cycle !== 'boolean')
      throw new ChainruleError(`${name}: cycleMomentum must be true or false, got ${show(cycle)}`);
    const div = o.number('divFactor', 25, 'a finite number > 0', (x) => Number.isFinite(x) && x > 0);
    const finalDiv = o.number('finalDivFactor', 1e4, 'a finite number > 0', (x) => Number.isFinite(x) && x > 0);
    const three = o.raw('threePhase', false);
    if (typeof three !== 'boolean')
      throw new ChainruleError(`${name}: threePhase must be true or false, got ${show(three)}`);
    const baseM = perGroup('baseMomentum', 0.85);
    const maxM = perGroup('maxMomentum', 0.95);
    this.beta1 = groups.every((g) => Array.isArray(g.betas));
    if (cycle && !this.beta1 && !groups.every((g) => typeof g.momentum === 'number')) {
      throw new ChainruleError(`${name}: the optimizer must have momentum or betas when cycleMomentum is true`);
    }
    // every check passed: from here on the optimizer's groups change
    this.totalSteps = total;
    this.phases = three
      ? [
          { end: pct * total - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
          { end: 2 * pct * total - 2, lr: ['max', 'initial'], momentum: ['base', 'max'] },
          { end: total - 1, lr: ['initial', 'min'], momentum: ['max', 'max'] },
        ]
      : [
          { end: pct * total - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
          { end: total - 1, lr: ['max', 'min'], momentum: ['base', 'max'] },
        ];
    this.anneal =
      strategy === 'cos'
        ? (start, end, p) => end + ((start - end) / 2) * (Math.cos(Math.PI * p) + 1)
        : (start, end, p) => (end - start) * p + start;
    this.lrs = maxLrs.map((max) => ({ initial: max / div, max, min: max / div / finalDiv }));
    this.baseLrs = this.lrs.map((l) => l.initial);
    this.optimizer.paramGroups.forEach((g, i) => {
      initialLr(g, this.baseLrs[i] as number);
    });
    this.momenta = cycle ? maxM.map((max, i) => ({ max, base: baseM[i] as number })) : null;
    for (let i = 0; this.momenta && i < groups.length; i++) {
      this.setMomentum(groups[i] as Record<string, unknown>, (this.momenta[i] as { max: number }).max);
    }
    this.step();
  }
  override get name(): string {
    return 'OneCycleLR';
  }
  private setMomentum(g: Record<string, unknown>, m: number): void {
    if (this.beta1) g.betas = [m, (g.betas as number[])[1]];
    else g.momentum = m;
  }
  protected computeLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new ChainruleError(`${this.name}: tried to step ${t} times; totalSteps is ${this.totalSteps}`);
    }
    const groups = this.optimizer.paramGroups as unknown as Record<string, unknown>[];
    const momenta: number[] = [];
    const lrs = this.lrs.map((l, i) => {
      let start = 0;
      for (let k = 0; k < this.phases.length; k++) {
        const ph = this.phases[k] as Phase;
        if (t <= ph.end || k === this.phases.length - 1) {
          const pct = (t - start) / (ph.end - start);
          const m = this.momenta?.[i];
          if (m) momenta.push(this.anneal(m[ph.momentum[0]], m[ph.momentum[1]], pct));
          return this.anneal(l[ph.lr[0]], l[ph.lr[1]], pct);
        }
        start = ph.end;
      }
      return l.min;
    });
    for (let i = 0; this.momenta && i < groups.length; i++) {
      this.setMomentum(groups[i] as Record<string, unknown>, momenta[i] as number);
    }
    return lrs;
  }
}

/**
 * Schedulers one after another, as torch's SequentialLR: `schedulers[i]` runs from milestone
 * i − 1 (restarted at its epoch 0 there) until milestone i. Build the schedulers on the same
 * optimizer first; SequentialLR resets the lrs to their initial values and replays the first
 * scheduler's first step.
 * @throws ChainruleError for schedulers of another optimizer, or milestones that are not
 *   schedulers.length − 1 increasing integers ≥ 1.
 * @example
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const cosine = new CosineAnnealingLR(opt, { tMax: 95 });
 * const sched = new SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [5] });
 */
export class SequentialLR {
  /** The optimizer all the schedulers set. */
  readonly optimizer: Optimizer;
  /** The schedulers, in the order they run. */
  readonly schedulers: readonly LRScheduler[];
  /** The epochs at which the next scheduler takes over. */
  readonly milestones: readonly number[];
  /** The number of `step()` calls. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, opts: { schedulers: readonly LRScheduler[]; milestones: readonly number[] }) {
    const name = 'SequentialLR';
    this.optimizer = checkOptimizer(name, optimizer);
    const o = Options.of(name, opts, ['schedulers', 'milestones']);
    const list = o.raw('schedulers', undefined);
    if (!Array.isArray(list) || list.length === 0 || list.some((s) => !(s instanceof LRScheduler))) {
      throw new ChainruleError(`${name}: schedulers must be a non-empty list of LRSchedulers, got ${show(list)}`);
    }
    const bad = (list as LRScheduler[]).findIndex((s) => s.optimizer !== optimizer);
    if (bad >= 0) throw new ChainruleError(`${name}: schedulers[${bad}] belongs to another optimizer`);
    const m = o.raw('milestones', undefined);
    if (
      !Array.isArray(m) ||
      m.length !== list.length - 1 ||
      m.some((x, i) => !Number.isInteger(x) || x < 1 || (i > 0 && x <= (m[i - 1] as number)))
    ) {
      throw new ChainruleError(
        `${name}: milestones must be ${list.length - 1} increasing integers >= 1 (one fewer than schedulers), got ${show(m)}`,
      );
    }
    this.schedulers = [...(list as LRScheduler[])];
    this.milestones = [...(m as number[])];
    for (const g of this.optimizer.paramGroups) g.lr = initialLr(g);
    for (const s of this.schedulers) s.lastEpoch -= 1;
    (this.schedulers[0] as LRScheduler).step();
    this.lastLr = (this.schedulers[0] as LRScheduler).getLastLr();
  }

  /** Advances one epoch: the scheduler of this epoch steps, restarting at epoch 0 on its milestone. */
  step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx] as LRScheduler;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.restart();
    else s.step();
    this.lastLr = s.getLastLr();
  }

  /** The lrs set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** `lastEpoch`, `lastLr` and each scheduler's state. */
  stateDict(): { lastEpoch: number; lastLr: number[]; schedulers: SchedulerStateDict[] } {
    return {
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /**
   * Restores a state from `stateDict()`.
   * @throws ChainruleError (nothing changed) if it does not fit these schedulers.
   */
  loadStateDict(state: { lastEpoch: number; lastLr: number[]; schedulers: SchedulerStateDict[] }): void {
    const s = checkState('SequentialLR', state, this.optimizer.paramGroups.length, ['lastLr'], []);
    const subs = s.schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length || !subs.every(isPlainObject)) {
      throw new ChainruleError(
        `SequentialLR.loadStateDict: schedulers must hold ${this.schedulers.length} states, got ${show(subs)}`,
      );
    }
    subs.forEach((sub, i) => {
      checkState(
        (this.schedulers[i] as LRScheduler).name,
        sub,
        this.optimizer.paramGroups.length,
        ['baseLrs', 'lastLr'],
        [],
      );
    });
    subs.forEach((sub, i) => {
      (this.schedulers[i] as LRScheduler).loadStateDict(sub as SchedulerStateDict);
    });
    this.lastEpoch = s.lastEpoch as number;
    this.lastLr = [...(s.lastLr as number[])];
  }
}
