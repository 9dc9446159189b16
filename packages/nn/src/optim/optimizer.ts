// Optimizer: the base of SGD, Adam, AdamW and RMSprop, as torch.optim.Optimizer. It holds the
// parameter groups and their hyperparameters, the per-parameter state, and the checks that run
// before a step or a loadStateDict mutates anything.
import { type Buf, ChainruleError, Tensor } from '@chainrule/core';
import { isPlainObject, show } from '../check';
import { isParameter } from '../parameter';
import { firstNonFinite } from './kernels';

export { isPlainObject, show };

/** A zeroed state buffer with the dtype and size of `param`. */
export function stateBuffer(param: Tensor): Buf {
  return param.dtype === 'float64' ? new Float64Array(param.size) : new Float32Array(param.size);
}

/**
 * `opts` over `builtin`, skipping keys set to undefined; anything but a plain object (or undefined)
 * is returned as is for the constructor to reject.
 */
export function withDefaults(builtin: Record<string, unknown>, opts: unknown): unknown {
  if (opts === undefined) return { ...builtin };
  if (!isPlainObject(opts)) return opts;
  return { ...builtin, ...definedOnly(opts) };
}

/** `obj` without its undefined entries (an explicit `lr: undefined` means "the default"). */
function definedOnly(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** A parameter group: its parameters and the hyperparameters applied to them (`lr` at least). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
}

/** A group as given to a constructor: its parameters and any hyperparameters that override the defaults. */
export type ParamGroupInput<O> = { params: Iterable<Tensor> | Tensor } & Partial<O>;

/** What an optimizer updates: parameters (one group), or parameter groups as torch.optim takes them. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** What `step()` does when a gradient holds NaN or ±Infinity. */
export type NonFinitePolicy = 'apply' | 'error' | 'skip';

/** One entry of an optimizer's per-parameter state: a step count, a buffer, or absent (null). */
export type StateValue = number | Buf | null;

/**
 * An optimizer's state as plain data, as torch's `optimizer.state_dict()`: `state[i]` is the state
 * of the i-th parameter (counting through the groups in order; only parameters that have stepped),
 * with buffers as Tensors; `paramGroups[i]` holds group i's hyperparameters and the indices of
 * its parameters. Everything but the Tensors is JSON; see `packState` to write it to safetensors.
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, number | Tensor>>;
  paramGroups: ({ params: number[] } & Record<string, unknown>)[];
}

/** Options every optimizer takes besides its hyperparameters. */
export interface OptimizerOptions {
  /**
   * What `step()` does with a NaN or infinite gradient: 'apply' it as PyTorch does (default),
   * throw ('error', before any parameter changes), or skip the whole step ('skip', counted in
   * `skippedSteps`).
   */
  nonFinite?: NonFinitePolicy;
}

/**
 * The base of every optimizer, as torch.optim.Optimizer. Parameters come in groups, each with its
 * own hyperparameters (`opt.paramGroups[i].lr` may be changed between steps, e.g. by a scheduler;
 * `step()` validates the groups before it updates anything). Per-parameter state lives in
 * `state`, created lazily on a parameter's first step with a gradient.
 *
 * `G` is a group's type, `S` a parameter's state.
 */
export abstract class Optimizer<
  G extends ParamGroup = ParamGroup,
  S extends Record<string, StateValue> = Record<string, StateValue>,
> {
  /** The parameter groups, in the order given; their hyperparameters are read by every `step()`. */
  readonly paramGroups: G[] = [];
  /** The hyperparameters a group gets when it does not set them (the constructor's options). */
  readonly defaults: Readonly<Partial<Omit<G, 'params'>>>;
  /** Per-parameter state, created lazily on a parameter's first step. */
  readonly state = new Map<Tensor, S>();
  /** What `step()` does with a non-finite gradient (see OptimizerOptions). */
  readonly nonFinite: NonFinitePolicy;
  /** How many steps were skipped because of a non-finite gradient (nonFinite: 'skip'). */
  skippedSteps = 0;
  private paramList: readonly Tensor[] = Object.freeze([]);

  /**
   * @param hyperKeys the names of this optimizer's hyperparameters, `lr` included.
   * @throws ChainruleError if `params` is not an iterable of distinct leaf Tensors that require grad
   *   (or of groups `{ params, ...overrides }` of them), if a parameter is in two groups, or if an
   *   option or group hyperparameter is unknown or invalid (the message names the optimizer, the option
   *   and the value).
   */
  protected constructor(
    params: Params<unknown>,
    opts: unknown,
    protected readonly hyperKeys: readonly string[],
  ) {
    if (opts !== undefined && !isPlainObject(opts)) {
      throw new ChainruleError(`${this.name}: options must be an object, got ${show(opts)}`);
    }
    const { nonFinite = 'apply', ...defaults } = (opts ?? {}) as Record<string, unknown>;
    if (nonFinite !== 'apply' && nonFinite !== 'error' && nonFinite !== 'skip') {
      throw new ChainruleError(`${this.name}: nonFinite must be 'apply', 'error' or 'skip', got ${show(nonFinite)}`);
    }
    this.checkKeys(defaults, '', 'option');
    this.nonFinite = nonFinite;
    this.defaults = Object.freeze({ ...defaults }) as Partial<Omit<G, 'params'>>;

    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new ChainruleError(`${this.name}: params must be an iterable of Tensors, got ${show(params)}`);
    }
    const list: unknown[] = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ChainruleError(`${this.name}: got an empty parameter list`);
    const groups: G[] = isPlainObject(list[0])
      ? list.map((g, i) => this.makeGroup(g, `paramGroups[${i}]`))
      : [this.makeGroup({ params: list }, '')];
    this.checkDistinct(groups);
    this.paramGroups.push(...groups);
    this.paramList = Object.freeze(groups.flatMap((g) => g.params));
  }

  /** The optimizer's name in error messages (each subclass overrides it; the constructor reads it). */
  get name(): string {
    return 'Optimizer';
  }

  /** Every parameter, group by group, in the order given. */
  get params(): readonly Tensor[] {
    return this.paramList;
  }

  /**
   * The learning rate γ of every group. Reading it throws if the groups have different rates
   * (read `paramGroups[i].lr` then); setting it sets every group's.
   * @throws ChainruleError on a negative or non-finite value, or on reading ambiguous groups.
   */
  get lr(): number {
    const lrs = this.paramGroups.map((g) => g.lr);
    if (lrs.some((lr) => lr !== lrs[0])) {
      throw new ChainruleError(
        `${this.name}: lr differs between groups [${lrs.join(', ')}]; read paramGroups[i].lr instead`,
      );
    }
    return lrs[0] as number;
  }
  set lr(value: number) {
    const lr = this.nonNegative('lr', value);
    for (const g of this.paramGroups) g.lr = lr;
  }

  /**
   * Adds a parameter group, as torch's `add_param_group`: hyperparameters it does not set come
   * from `defaults`.
   * @throws ChainruleError naming `<Optimizer>.addParamGroup`, for what the constructor rejects,
   *   or a parameter already in a group.
   */
  addParamGroup(group: ParamGroupInput<Omit<G, 'params'>>): void {
    const g = this.asMethod('addParamGroup', () => {
      const made = this.makeGroup(group, `paramGroups[${this.paramGroups.length}]`);
      this.checkDistinct([...this.paramGroups, made]);
      return made;
    });
    this.paramGroups.push(g);
    this.paramList = Object.freeze([...this.paramList, ...g.params]);
  }

  /** Clears the gradient of every parameter (`grad = null`), so the next backward() starts from zero. */
  zeroGrad(): void {
    for (const p of this.paramList) p.grad = null;
  }

  /**
   * Applies one update to every parameter whose `grad` is not null, with its group's current
   * hyperparameters. Every check (hyperparameters, gradient shapes, finiteness with
   * nonFinite: 'error') runs first: a step that throws has changed nothing.
   * @throws ChainruleError naming `<Optimizer>.step` (e.g. `Adam.step: lr must be …`) for an
   *   invalid group hyperparameter, a grad of the wrong shape or type, or (nonFinite: 'error') a
   *   NaN or infinite gradient.
   */
  step(): void {
    const many = this.paramGroups.length > 1;
    const work = this.asMethod('step', () => {
      this.paramGroups.forEach((g, i) => {
        this.checkGroup(g as unknown as Record<string, unknown>, (k) => (many ? `paramGroups[${i}].${k}` : k));
      });
      return this.gradients();
    });
    if (this.nonFinite !== 'apply') {
      const bad = work.find(([, , g]) => firstNonFinite(g) >= 0);
      if (bad !== undefined) {
        if (this.nonFinite === 'skip') {
          this.skippedSteps++;
          return;
        }
        const [, p, g] = bad;
        const k = firstNonFinite(g);
        throw new ChainruleError(
          `${this.name}.step: grad of params[${this.paramList.indexOf(p)}] holds ${g[k]} at element ${k}; no parameter was updated (nonFinite: 'error')`,
        );
      }
    }
    for (const [group, p, g] of work) {
      this.update(group, p, g);
      p.bumpVersion(); // a graph that saved p before this step can no longer backpropagate through it
    }
  }

  /** The state of `p`, created by `newState` on first use. */
  protected stateOf(p: Tensor, group: G): S {
    let s = this.state.get(p);
    if (s === undefined) {
      s = this.newState(p, group);
      this.state.set(p, s);
    }
    return s;
  }

  /** Fresh (zeroed) state for `p` under `group`'s hyperparameters; null marks an entry not used by them. */
  protected abstract newState(p: Tensor, group: G): S;

  /** Updates `p` in place from its gradient `g` with `group`'s hyperparameters. */
  protected abstract update(group: G, p: Tensor, g: Buf): void;

  /**
   * Validates a group's hyperparameters (every one must be present: constructors merge the
   * defaults in first) and returns them without `params`.
   * @param name a hyperparameter's name in messages (`lr`, `paramGroups[1].lr`…).
   */
  protected abstract checkGroup(group: Record<string, unknown>, name: (key: string) => string): Omit<G, 'params'>;

  /**
   * The optimizer's state as data, as torch's `state_dict()` (see OptimizerStateDict). Buffers are
   * copied, so the result does not change with later steps.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map(this.paramList.map((p, i) => [p, i]));
    const state: OptimizerStateDict['state'] = {};
    this.paramList.forEach((p, i) => {
      const s = this.state.get(p);
      if (s === undefined) return;
      const entry: Record<string, number | Tensor> = {};
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === 'number') entry[k] = v;
        else if (v !== null) entry[k] = new Tensor(v.slice(), p.shape);
      }
      state[i] = entry;
    });
    const paramGroups = this.paramGroups.map(({ params, ...hyper }) => ({
      ...structuredClone(hyper),
      params: params.map((p) => index.get(p) as number),
    }));
    return { state, paramGroups };
  }

  /**
   * Restores a state from `stateDict()` (of this optimizer or another over parameters of the same
   * shapes, grouped alike): group hyperparameters, and each parameter's state copied into buffers
   * of the parameter's dtype. Everything is checked before anything changes.
   * @throws ChainruleError naming `<Optimizer>.loadStateDict` if the group or parameter counts, a
   *   hyperparameter, a state entry's keys, or a buffer's shape do not fit.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    const fail = (msg: string): never => {
      throw new ChainruleError(`${op}: ${msg}`);
    };
    if (!isPlainObject(stateDict)) fail(`expected { state, paramGroups }, got ${show(stateDict)}`);
    const { state, paramGroups } = stateDict as unknown as Record<string, unknown>;
    if (!Array.isArray(paramGroups)) fail(`paramGroups must be an array, got ${show(paramGroups)}`);
    if (!isPlainObject(state)) fail(`state must be an object keyed by parameter index, got ${show(state)}`);
    const saved = paramGroups as unknown[];
    if (saved.length !== this.paramGroups.length) {
      fail(`the state has ${saved.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    }
    // Saved parameter ids map to this optimizer's parameters by position, group by group (as torch).
    const idToParam = new Map<number, [Tensor, number]>();
    const hypers = saved.map((raw, i) => {
      if (!isPlainObject(raw)) fail(`paramGroups[${i}] must be an object, got ${show(raw)}`);
      const { params: ids, ...hyper } = raw as Record<string, unknown>;
      const mine = (this.paramGroups[i] as G).params;
      if (!Array.isArray(ids) || ids.length !== mine.length) {
        fail(
          `paramGroups[${i}] has ${Array.isArray(ids) ? ids.length : show(ids)} parameters, the optimizer's group has ${mine.length}`,
        );
      }
      (ids as unknown[]).forEach((id, k) => {
        if (!Number.isInteger(id) || idToParam.has(id as number))
          fail(`paramGroups[${i}].params[${k}] must be a distinct integer index, got ${show(id)}`);
        idToParam.set(id as number, [mine[k] as Tensor, i]);
      });
      this.checkKeys(hyper, `paramGroups[${i}].`, 'hyperparameter', op);
      return this.asMethod('loadStateDict', () => this.checkGroup(hyper, (k) => `paramGroups[${i}].${k}`));
    });
    const next = new Map<Tensor, S>();
    for (const [key, raw] of Object.entries(state as Record<string, unknown>)) {
      const found = idToParam.get(Number(key));
      if (!/^\d+$/.test(key) || found === undefined) fail(`state[${key}] names no parameter of the saved groups`);
      const [p, gi] = found as [Tensor, number];
      if (!isPlainObject(raw)) fail(`state[${key}] must be an object, got ${show(raw)}`);
      const entry = raw as Record<string, unknown>;
      // The template is the state this parameter would get now, under the loaded hyperparameters.
      const template = this.newState(p, { ...(hypers[gi] as object), params: [] } as unknown as G);
      for (const k of Object.keys(entry)) {
        if (!(k in template)) fail(`state[${key}] has an unexpected entry '${k}'`);
      }
      const s: Record<string, StateValue> = {};
      for (const [k, t] of Object.entries(template)) {
        const v = entry[k];
        if (t === null) {
          if (v !== undefined && v !== null) fail(`state[${key}].${k} is not used with these hyperparameters`);
          s[k] = null;
        } else if (typeof t === 'number') {
          if (!Number.isInteger(v) || (v as number) < 0)
            fail(`state[${key}].${k} must be an integer >= 0, got ${show(v)}`);
          s[k] = v as number;
        } else {
          if (!(v instanceof Tensor)) fail(`state[${key}].${k} must be a Tensor, got ${show(v)}`);
          const tv = v as Tensor;
          if (tv.size !== p.size || tv.shape.length !== p.shape.length || tv.shape.some((d, j) => d !== p.shape[j])) {
            fail(
              `state[${key}].${k} has shape [${tv.shape.join(',')}] but parameter ${key} has shape [${p.shape.join(',')}]`,
            );
          }
          t.set(tv.data);
          s[k] = t;
        }
      }
      next.set(p, s as S);
    }
    hypers.forEach((h, i) => {
      Object.assign(this.paramGroups[i] as G, h);
    });
    this.state.clear();
    for (const [p, s] of next) this.state.set(p, s);
  }

  /**
   * The parameters to update with their groups and gradients' data, after checking all of them:
   * a step that throws here has changed nothing.
   * @throws ChainruleError if a grad is not a Tensor or its shape differs from its parameter's.
   */
  protected gradients(): [G, Tensor, Buf][] {
    const out: [G, Tensor, Buf][] = [];
    let i = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g: unknown = p.grad;
        if (g !== null && g !== undefined) {
          if (!(g instanceof Tensor))
            throw new ChainruleError(`${this.name}: grad of params[${i}] must be a Tensor, got ${show(g)}`);
          if (g.shape.length !== p.shape.length || g.shape.some((d, k) => d !== p.shape[k])) {
            throw new ChainruleError(
              `${this.name}: grad of params[${i}] has shape [${g.shape.join(',')}] but the parameter has shape [${p.shape.join(',')}]`,
            );
          }
          out.push([group, p, g.data]);
        }
        i++;
      }
    }
    return out;
  }

  /** A validated group from a constructor argument: distinct leaf tensors, hyperparameters over the defaults. */
  private makeGroup(raw: unknown, where: string): G {
    if (!isPlainObject(raw)) {
      throw new ChainruleError(`${this.name}: ${where} must be a group { params, ...options }, got ${show(raw)}`);
    }
    const { params: given, ...rest } = raw;
    const params = given instanceof Tensor ? [given] : given; // torch takes { params: tensor } too
    const hyper = definedOnly(rest);
    const at = where === '' ? 'params' : `${where}.params`;
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new ChainruleError(`${this.name}: ${at} must be an iterable of Tensors, got ${show(params)}`);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ChainruleError(`${this.name}: ${at} is an empty parameter list`);
    const seen = new Set<unknown>();
    list.forEach((p, i) => {
      if (!(p instanceof Tensor))
        throw new ChainruleError(`${this.name}: ${at}[${i}] must be a Tensor, got ${show(p)}`);
      // a frozen parameter is accepted and skipped while it has no gradient, as torch.optim
      if (!p.requiresGrad && !isParameter(p)) {
        throw new ChainruleError(
          `${this.name}: ${at}[${i}] (shape [${p.shape.join(',')}]) does not require grad; create it with requiresGrad: true`,
        );
      }
      if (p.op !== '' || p.children.length > 0) {
        throw new ChainruleError(
          `${this.name}: can't optimize a non-leaf tensor: ${at}[${i}] (shape [${p.shape.join(',')}]) was computed by '${p.op}'; pass the leaf tensor you created`,
        );
      }
      if (seen.has(p)) throw new ChainruleError(`${this.name}: ${at}[${i}] appears more than once in ${at}`);
      seen.add(p);
    });
    if (where !== '') this.checkKeys(hyper, `${where}.`, 'hyperparameter');
    // Messages name the group only for a value the group set; a bad default is the option's fault.
    const name = (k: string) => (where !== '' && k in hyper ? `${where}.${k}` : k);
    return { ...this.checkGroup({ ...this.defaults, ...hyper }, name), params: list as Tensor[] } as G;
  }

  /** Throws if any tensor sits in two groups. */
  private checkDistinct(groups: readonly G[]): void {
    const owner = new Map<Tensor, number>();
    groups.forEach((g, i) => {
      g.params.forEach((p, k) => {
        const j = owner.get(p);
        if (j !== undefined) {
          throw new ChainruleError(
            `${this.name}: paramGroups[${i}].params[${k}] is already in paramGroups[${j}]; a parameter may be in one group only`,
          );
        }
        owner.set(p, i);
      });
    });
  }

  /** Throws on a key that is not one of this optimizer's hyperparameters (a misspelt option would otherwise be ignored). */
  private checkKeys(obj: Record<string, unknown>, prefix: string, what: string, op = this.name): void {
    for (const k of Object.keys(obj)) {
      if (!this.hyperKeys.includes(k)) {
        throw new ChainruleError(
          `${op}: unknown ${what} '${prefix}${k}' (expected one of ${this.hyperKeys.join(', ')}${what === 'option' ? ', nonFinite' : ''})`,
        );
      }
    }
  }

  /**
   * Runs checks written for the constructor (their messages start with the optimizer's name)
   * inside the method `method`, re-throwing them as `Adam.step: …`, the call the user made.
   */
  protected asMethod<T>(method: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ChainruleError && e.message.startsWith(`${this.name}: `)) {
        throw new ChainruleError(`${this.name}.${method}: ${e.message.slice(this.name.length + 2)}`, { cause: e });
      }
      throw e;
    }
  }

  /** `value` if it is a finite number ≥ 0. */
  protected nonNegative(key: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ChainruleError(`${this.name}: ${key} must be a finite number >= 0, got ${show(value)}`);
    }
    return value;
  }

  /** `value` if it is a number in [0, 1). */
  protected unitInterval(key: string, value: unknown): number {
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
      throw new ChainruleError(`${this.name}: ${key} must be in [0, 1), got ${show(value)}`);
    }
    return value;
  }

  /** `value` if it is a boolean. */
  protected flag(key: string, value: unknown): boolean {
    if (typeof value !== 'boolean')
      throw new ChainruleError(`${this.name}: ${key} must be a boolean, got ${show(value)}`);
    return value;
  }
}
