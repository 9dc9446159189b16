// Learning-rate schedulers, as torch.optim.lr_scheduler: each one rewrites `paramGroups[i].lr` of
// its optimizer on `step()`, with torch's chainable formulas (new lr from the group's current lr),
// so the sequences equal torch's to the bit for the same calls (scripts/torch_schedulers.py), but
// for the cosine schedule, where V8's Math.cos and glibc's cos may differ in the last bit.
import { ChainruleError, Tensor } from '@chainrule/core';
import { isPlainObject, Optimizer, show } from './optimizer';

/** A scheduler's state as plain data (JSON apart from ±Infinity in ReduceLROnPlateau's `best`). */
export interface SchedulerStateDict {
  lastEpoch: number;
  lastLr: number[];
  /** Each group's lr at construction (the epoch-indexed schedulers). */
  baseLrs?: number[];
  [key: string]: number | number[] | undefined;
}

/** Validates a scheduler's constructor arguments; every message starts with the class name. */
export class Options {
  constructor(
    private readonly name: string,
    private readonly opts: Record<string, unknown>,
  ) {}

  /** The options object, after checking it holds only `keys`. */
  static of(name: string, opts: unknown, keys: readonly string[]): Options {
    if (opts === undefined) opts = {};
    if (!isPlainObject(opts)) throw new ChainruleError(`${name}: options must be an object, got ${show(opts)}`);
    for (const k of Object.keys(opts)) {
      if (!keys.includes(k))
        throw new ChainruleError(`${name}: unknown option '${k}' (expected one of ${keys.join(', ')})`);
    }
    return new Options(name, opts);
  }

  private get(key: string, fallback: unknown): unknown {
    const v = this.opts[key];
    return v === undefined ? fallback : v;
  }

  private fail(key: string, expected: string, v: unknown): never {
    throw new ChainruleError(`${this.name}: ${key} must be ${expected}, got ${show(v)}`);
  }

  /** A number with `ok(value)`; `expected` describes the range. `fallback` undefined makes it required. */
  number(key: string, fallback: number | undefined, expected: string, ok: (x: number) => boolean): number {
    const v = this.get(key, fallback);
    if (typeof v !== 'number' || Number.isNaN(v) || !ok(v)) this.fail(key, expected, v);
    return v as number;
  }

  /** An integer ≥ `min`. */
  integer(key: string, fallback: number | undefined, min: number): number {
    return this.number(key, fallback, `an integer >= ${min}`, (x) => Number.isInteger(x) && x >= min);
  }

  /** One of `choices`. */
  choice<T extends string>(key: string, fallback: T, choices: readonly T[]): T {
    const v = this.get(key, fallback);
    if (!choices.includes(v as T)) this.fail(key, choices.map((c) => `'${c}'`).join(' or '), v);
    return v as T;
  }

  raw(key: string, fallback: unknown): unknown {
    return this.get(key, fallback);
  }
}

export const finiteNonNeg = (x: number) => Number.isFinite(x) && x >= 0;

/** Throws unless `optimizer` is an Optimizer. */
export function checkOptimizer(name: string, optimizer: unknown): Optimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new ChainruleError(`${name}: expected an Optimizer as first argument, got ${show(optimizer)}`);
  }
  return optimizer;
}

/** Checks the common part of a scheduler state: counters and one lr per group. */
export function checkState(
  name: string,
  s: unknown,
  groups: number,
  lists: readonly string[],
  extra: readonly string[],
): Record<string, unknown> {
  const op = `${name}.loadStateDict`;
  if (!isPlainObject(s)) throw new ChainruleError(`${op}: expected a state object, got ${show(s)}`);
  if (!Number.isInteger(s.lastEpoch) || (s.lastEpoch as number) < 0) {
    throw new ChainruleError(`${op}: lastEpoch must be an integer >= 0, got ${show(s.lastEpoch)}`);
  }
  for (const k of lists) {
    const v = s[k];
    if (!Array.isArray(v) || v.length !== groups || v.some((x) => typeof x !== 'number' || !finiteNonNeg(x))) {
      throw new ChainruleError(`${op}: ${k} must be ${groups} learning rates (one per group), got ${show(v)}`);
    }
  }
  for (const k of extra) {
    if (typeof s[k] !== 'number') throw new ChainruleError(`${op}: ${k} must be a number, got ${show(s[k])}`);
  }
  return s;
}

/**
 * Each group's lr when the first scheduler of its optimizer was made (torch's group['initial_lr']):
 * the base lr of every later scheduler of that group too, as in torch, so that stacked and
 * sequential schedulers start from the same lr. Kept aside so optimizer state dicts are unchanged.
 */
const INITIAL_LR = new WeakMap<object, number>();
export function initialLr(group: { lr: number }, value?: number): number {
  if (value !== undefined) INITIAL_LR.set(group, value);
  else if (!INITIAL_LR.has(group)) INITIAL_LR.set(group, group.lr);
  return INITIAL_LR.get(group) as number;
}

/**
 * The base of the epoch-indexed schedulers, as torch's LRScheduler: the constructor records each
 * group's initial lr as its base lr and takes the first step (epoch 0, which for most schedules
 * keeps the lr); each `step()` advances the epoch and sets every group's lr.
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's lr when the scheduler was made (torch's base_lrs). */
  baseLrs: number[];
  /** The number of `step()` calls, the constructor's included minus one (torch's last_epoch). */
  lastEpoch = -1;
  private lastLr: number[] = [];

  protected constructor(optimizer: unknown) {
    this.optimizer = checkOptimizer(this.name, optimizer);
    this.baseLrs = this.optimizer.paramGroups.map((g) => initialLr(g));
  }

  /** The scheduler's name in error messages (each subclass overrides it; the constructor reads it). */
  get name(): string {
    return 'LRScheduler';
  }

  /** The new lr of each group at `lastEpoch`, from its current lr (`lrs`) and `baseLrs`. */
  protected abstract computeLr(lrs: number[]): number[];

  /** Advances one epoch and sets every group's lr. */
  step(): void {
    this.lastEpoch += 1;
    let lrs: number[];
    try {
      lrs = this.computeLr(this.optimizer.paramGroups.map((g) => g.lr));
    } catch (e) {
      this.lastEpoch -= 1; // a failed step changes nothing
      throw e;
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i] as number;
    });
    this.lastLr = lrs;
  }

  /** Each group's lr at `lastEpoch` in closed form, where the schedule has one (torch's _get_closed_form_lr). */
  protected closedForm(): number[] | null {
    return null;
  }

  /**
   * Restarts at epoch 0 (torch's `step(0)`, which SequentialLR calls at a milestone): the closed
   * form where the schedule has one, else its own step.
   */
  restart(): void {
    this.lastEpoch = 0;
    const lrs = this.closedForm() ?? this.computeLr(this.optimizer.paramGroups.map((g) => g.lr));
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i] as number;
    });
    this.lastLr = lrs;
  }

  /** The lrs set by the last step (before any explicit step, those of the constructor's step). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** `lastEpoch`, `baseLrs` and `lastLr`, as plain data. */
  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /**
   * Restores a state from `stateDict()`; the optimizer's lrs are restored by its own loadStateDict.
   * @throws ChainruleError (nothing changed) if the state's shape or group count does not fit.
   */
  loadStateDict(state: SchedulerStateDict): void {
    const s = checkState(this.name, state, this.optimizer.paramGroups.length, ['baseLrs', 'lastLr'], []);
    this.lastEpoch = s.lastEpoch as number;
    this.baseLrs = [...(s.baseLrs as number[])];
    this.lastLr = [...(s.lastLr as number[])];
  }
}

/**
 * Multiplies each group's lr by γ every `stepSize` epochs: ηₜ = η₀ · γ^⌊t/stepSize⌋.
 * @throws ChainruleError for a non-Optimizer, a stepSize that is not an integer ≥ 1 or a γ that is
 *   not a finite number ≥ 0 (nothing changed).
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** The factor applied at each decay. */
  readonly gamma: number;
  constructor(optimizer: Optimizer, opts: { stepSize: number; gamma?: number }) {
    super(optimizer);
    const o = Options.of(this.name, opts, ['stepSize', 'gamma']);
    this.stepSize = o.integer('stepSize', undefined, 1);
    this.gamma = o.number('gamma', 0.1, 'a finite number >= 0', finiteNonNeg);
    this.step();
  }
  override get name(): string {
    return 'StepLR';
  }
  protected override closedForm(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
  protected computeLr(lrs: number[]): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Multiplies each group's lr by γ at each milestone epoch (by γᵏ at a milestone listed k times):
 * ηₜ = η₀ · γ^(number of milestones ≤ t).
 * @throws ChainruleError for milestones that are not integers ≥ 0 or an invalid γ (nothing changed).
 */
export class MultiStepLR extends LRScheduler {
  /** The epochs at which the lr decays (sorted; a repeated one decays twice). */
  readonly milestones: readonly number[];
  /** The factor applied at each milestone. */
  readonly gamma: number;
  constructor(optimizer: Optimizer, opts: { milestones: readonly number[]; gamma?: number }) {
    super(optimizer);
    const o = Options.of(this.name, opts, ['milestones', 'gamma']);
    const m = o.raw('milestones', undefined);
    if (!Array.isArray(m) || m.some((x) => !Number.isInteger(x) || x < 0)) {
      throw new ChainruleError(`${this.name}: milestones must be an array of integers >= 0, got ${show(m)}`);
    }
    this.milestones = Object.freeze([...(m as number[])].sort((a, b) => a - b));
    this.gamma = o.number('gamma', 0.1, 'a finite number >= 0', finiteNonNeg);
    this.step();
  }
  override get name(): string {
    return 'MultiStepLR';
  }
  protected override closedForm(): number[] {
    const k = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** k);
  }
  protected computeLr(lrs: number[]): number[] {
    const k = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (k === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma ** k);
  }
}

/**
 * Multiplies each group's lr by γ every epoch: ηₜ = η₀ · γᵗ.
 * @throws ChainruleError for a γ that is not a finite number ≥ 0 (nothing changed).
 */
export class ExponentialLR extends LRScheduler {
  /** The factor applied every epoch. */
  readonly gamma: number;
  constructor(optimizer: Optimizer, opts: { gamma: number }) {
    super(optimizer);
    const o = Options.of(this.name, opts, ['gamma']);
    this.gamma = o.number('gamma', undefined, 'a finite number >= 0', finiteNonNeg);
    this.step();
  }
  override get name(): string {
    return 'ExponentialLR';
  }
  protected override closedForm(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
  protected computeLr(lrs: number[]): number[] {
    if (this.lastEpoch === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing (Loshchilov & Hutter, SGDR, without restarts), as torch's CosineAnnealingLR:
 * ηₜ = η_min + (η₀ − η_min)(1 + cos(πt/T_max))/2, computed by torch's recurrence
 * ηₜ = η_min + (ηₜ₋₁ − η_min)(1 + cos(πt/T_max))/(1 + cos(π(t−1)/T_max)), so that the lr keeps
 * following the cosine past T_max (it rises back to η₀ at 2T_max) and matches torch's sequence
 * (to the last bit of Math.cos, which may round differently from glibc's cos).
 * @throws ChainruleError for a tMax that is not an integer ≥ 1 or an etaMin that is not a finite
 *   number ≥ 0 (nothing changed).
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of half a cosine period. */
  readonly tMax: number;
  /** The lowest lr reached. */
  readonly etaMin: number;
  constructor(optimizer: Optimizer, opts: { tMax: number; etaMin?: number }) {
    super(optimizer);
    const o = Options.of(this.name, opts, ['tMax', 'etaMin']);
    this.tMax = o.integer('tMax', undefined, 1);
    this.etaMin = o.number('etaMin', 0, 'a finite number >= 0', finiteNonNeg);
    this.step();
  }
  override get name(): string {
    return 'CosineAnnealingLR';
  }
  protected override closedForm(): number[] {
    const c = 1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax);
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * c) / 2);
  }
  protected computeLr(lrs: number[]): number[] {
    const t = this.lastEpoch;
    const T = this.tMax;
    if (t === 0) return lrs;
    // At t = T_max + 1 (mod 2T_max) the denominator 1 + cos(π(t−1)/T_max) is 0: torch adds the
    // step of the closed form instead.
    if ((t - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + (((this.baseLrs[i] as number) - this.etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map(
      (lr) =>
        ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - this.etaMin) +
        this.etaMin,
    );
  }
}

/**
 * Scales each group's lr by a factor going linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs: ηₜ = η₀ (s + (e − s) · min(t, T)/T), by torch's recurrence. The
 * constructor's step already applies `startFactor`.
 * @throws ChainruleError for a startFactor outside (0, 1], an endFactor outside [0, 1] or a
 *   totalIters that is not an integer ≥ 1 (nothing changed).
 */
export class LinearLR extends LRScheduler {
  /** The lr factor at epoch 0. */
  readonly startFactor: number;
  /** The lr factor from `totalIters` on. */
  readonly endFactor: number;
  /** Epochs of the linear ramp. */
  readonly totalIters: number;
  constructor(optimizer: Optimizer, opts: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const o = Options.of(this.name, opts, ['startFactor', 'endFactor', 'totalIters']);
    this.startFactor = o.number('startFactor', 1 / 3, 'in (0, 1]', (x) => x > 0 && x <= 1);
    this.endFactor = o.number('endFactor', 1, 'in [0, 1]', (x) => x >= 0 && x <= 1);
    this.totalIters = o.integer('totalIters', 5, 1);
    this.step();
  }
  override get name(): string {
    return 'LinearLR';
  }
  protected override closedForm(): number[] {
    const [s, e, T] = [this.startFactor, this.endFactor, this.totalIters];
    return this.baseLrs.map((lr) => lr * (s + ((e - s) * Math.min(T, this.lastEpoch)) / T));
  }
  protected computeLr(lrs: number[]): number[] {
    const t = this.lastEpoch;
    const [s, e, T] = [this.startFactor, this.endFactor, this.totalIters];
    if (t === 0) return lrs.map((lr) => lr * s);
    if (t > T) return lrs;
    return lrs.map((lr) => lr * (1 + (e - s) / (T * s + (t - 1) * (e - s))));
  }
}

/** Options of ReduceLROnPlateau (torch's names in camelCase and its defaults). */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** The factor an lr is multiplied by, in [0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': than best ∓ threshold (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** A lower bound on the lr, one for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** A reduction smaller than eps is not applied (default 1e-8). */
  eps?: number;
}

/**
 * Reduces each group's lr by `factor` when a metric has stopped improving for more than
 * `patience` epochs, as torch's ReduceLROnPlateau: `step(metric)` once per epoch.
 * @throws ChainruleError for an invalid option (named with its value; nothing changed), or from
 *   `step` for a metric that is not a number or one-element Tensor.
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Whether a lower ('min') or higher ('max') metric is better. */
  readonly mode: 'min' | 'max';
  /** The factor applied to the lr when the metric stops improving. */
  readonly factor: number;
  /** Epochs without improvement tolerated before a reduction. */
  readonly patience: number;
  /** The smallest change that counts as an improvement. */
  readonly threshold: number;
  /** Whether `threshold` is relative to the best metric ('rel') or absolute ('abs'). */
  readonly thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. */
  readonly cooldown: number;
  /** Each group's lowest lr. */
  readonly minLrs: readonly number[];
  /** Reductions smaller than this are skipped. */
  readonly eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** The number of `step(metric)` calls. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, opts: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(name, optimizer);
    const o = Options.of(name, opts, [
      'mode',
      'factor',
      'patience',
      'threshold',
      'thresholdMode',
      'cooldown',
      'minLr',
      'eps',
    ]);
    this.mode = o.choice('mode', 'min', ['min', 'max']);
    this.factor = o.number('factor', 0.1, 'in [0, 1)', (x) => x >= 0 && x < 1);
    this.patience = o.integer('patience', 10, 0);
    this.threshold = o.number('threshold', 1e-4, 'a finite number >= 0', finiteNonNeg);
    this.thresholdMode = o.choice('thresholdMode', 'rel', ['rel', 'abs']);
    this.cooldown = o.integer('cooldown', 0, 0);
    const groups = optimizer.paramGroups.length;
    const minLr = o.raw('minLr', 0);
    const minLrs = Array.isArray(minLr) ? minLr : Array.from({ length: groups }, () => minLr);
    if (minLrs.length !== groups || minLrs.some((x) => typeof x !== 'number' || !finiteNonNeg(x))) {
      throw new ChainruleError(
        `${name}: minLr must be a finite number >= 0 or ${groups} of them (one per group), got ${show(minLr)}`,
      );
    }
    this.minLrs = Object.freeze(minLrs as number[]);
    this.eps = o.number('eps', 1e-8, 'a finite number >= 0', finiteNonNeg);
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  private isBetter(a: number, best: number): boolean {
    const { threshold: th } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - th) : a < best - th;
    return this.thresholdMode === 'rel' ? a > best * (1 + th) : a > best + th;
  }

  /**
   * Records one epoch's metric; after more than `patience` epochs without improvement (cooldown
   * epochs not counted), sets each group's lr to max(lr·factor, minLr) where that lowers it by
   * more than eps. A NaN metric counts as no improvement, as in torch.
   * @throws ChainruleError if `metric` is not a number or a one-element Tensor.
   */
  step(metric: number | Tensor): void {
    let current: unknown = metric;
    if (metric instanceof Tensor) {
      if (metric.size !== 1) {
        throw new ChainruleError(
          `ReduceLROnPlateau.step: metric must be a number or a one-element Tensor, got shape [${metric.shape.join(',')}]`,
        );
      }
      current = metric.data[0];
    }
    if (typeof current !== 'number') {
      throw new ChainruleError(
        `ReduceLROnPlateau.step: metric must be a number or a one-element Tensor, got ${show(metric)}`,
      );
    }
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i] as number);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs after the last step (before any step: the optimizer's lrs at construction). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The counters, `best` and `lastLr`, as plain data. */
  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
    };
  }

  /**
   * Restores a state from `stateDict()`.
   * @throws ChainruleError (nothing changed) if the state's shape or group count does not fit.
   */
  loadStateDict(state: SchedulerStateDict): void {
    const s = checkState(
      'ReduceLROnPlateau',
      state,
      this.optimizer.paramGroups.length,
      ['lastLr'],
      ['best', 'numBadEpochs', 'cooldownCounter'],
    );
    this.lastEpoch = s.lastEpoch as number;
    this.lastLr = [...(s.lastLr as number[])];
    this.best = s.best as number;
    this.numBadEpochs = s.numBadEpochs as number;
    this.cooldownCounter = s.cooldownCounter as number;
  }
}
