// Optimizer: the base class of SGD, Adam, AdamW and RMSprop. It holds the parameters, clears their
// gradients, validates hyperparameters, and checks every gradient before a step mutates anything.
import { type Buf, ChainruleError, Tensor } from '@chainrule/core';

/** A value as error messages show it: numbers bare (`1.5`, `NaN`), anything else by its type. */
export function show(x: unknown): string {
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return `string '${x}'`;
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `[${x.map(show).join(', ')}]`;
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}

/** A zeroed state buffer with the dtype and size of `param`. */
export function stateBuffer(param: Tensor): Buf {
  return param.dtype === 'float64' ? new Float64Array(param.size) : new Float32Array(param.size);
}

/**
 * The base of every optimizer: `params` fixed at construction, `step()` updating `param.data`
 * in place from `param.grad`, `zeroGrad()` setting each `grad` to null. Subclasses keep their
 * per-parameter state in a `Map<Tensor, …>` filled lazily on the first step that sees a gradient.
 */
export abstract class Optimizer {
  /** The parameters this optimizer updates, in the order given. */
  readonly params: readonly Tensor[];
  private lrValue = 0;

  /**
   * @throws ChainruleError if `params` is not an iterable of distinct Tensors that require grad, or is empty.
   */
  constructor(params: Iterable<Tensor>) {
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw new ChainruleError(`${this.name}: params must be an iterable of Tensors, got ${show(params)}`);
    }
    const list = [...params];
    if (list.length === 0) throw new ChainruleError(`${this.name}: got an empty parameter list`);
    const seen = new Set<Tensor>();
    list.forEach((p: unknown, i) => {
      if (!(p instanceof Tensor))
        throw new ChainruleError(`${this.name}: params[${i}] must be a Tensor, got ${show(p)}`);
      if (!p.requiresGrad) {
        throw new ChainruleError(
          `${this.name}: params[${i}] (shape [${p.shape.join(',')}]) does not require grad; create it with requiresGrad: true`,
        );
      }
      if (seen.has(p)) throw new ChainruleError(`${this.name}: params[${i}] appears more than once in params`);
      seen.add(p);
    });
    this.params = Object.freeze(list);
  }

  /** The optimizer's name in error messages (each subclass overrides it; the constructor reads it). */
  get name(): string {
    return 'Optimizer';
  }

  /** Applies one update to every parameter whose `grad` is not null. */
  abstract step(): void;

  /** The learning rate γ; may be changed between steps (a schedule). @throws ChainruleError if negative or not finite. */
  get lr(): number {
    return this.lrValue;
  }
  set lr(value: number) {
    this.lrValue = this.nonNegative('lr', value);
  }

  /** Clears the gradient of every parameter (`grad = null`), so the next backward() starts from zero. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /**
   * The parameters to update with their gradients' data, after checking all of them: a step that
   * throws here has changed nothing.
   * @throws ChainruleError if a grad is not a Tensor or its shape differs from its parameter's.
   */
  protected gradients(): [Tensor, Buf][] {
    const out: [Tensor, Buf][] = [];
    this.params.forEach((p, i) => {
      const g: unknown = p.grad;
      if (g === null || g === undefined) return;
      if (!(g instanceof Tensor))
        throw new ChainruleError(`${this.name}: grad of params[${i}] must be a Tensor, got ${show(g)}`);
      if (g.shape.length !== p.shape.length || g.shape.some((d, k) => d !== p.shape[k])) {
        throw new ChainruleError(
          `${this.name}: grad of params[${i}] has shape [${g.shape.join(',')}] but the parameter has shape [${p.shape.join(',')}]`,
        );
      }
      out.push([p, g.data]);
    });
    return out;
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
