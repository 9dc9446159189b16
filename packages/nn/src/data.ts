// DataLoader: mini-batches over tensors that share their first dimension, as torch's
// DataLoader(TensorDataset(*tensors)), reshuffled every epoch from a seeded Rng.
import { type Buf, ChainruleError, globalRng, Rng, Tensor } from '@chainrule/core';
import { gatherRows } from './optim/kernels';
import { isPlainObject, show } from './optim/optimizer';

/** Options of DataLoader (torch's names in camelCase and its defaults). */
export interface DataLoaderOptions {
  /** Rows per batch (default 1). */
  batchSize?: number;
  /** Visit the rows in a new random order every epoch (default false). */
  shuffle?: boolean;
  /** Leave out the last batch if it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The random source of the shuffles (default: the global generator, see manualSeed, as torch's DataLoader). */
  rng?: Rng;
}

/** A batch: one tensor per dataset tensor, in the same order. */
export type Batch<T extends readonly Tensor[]> = { -readonly [K in keyof T]: Tensor };

/**
 * Iterates mini-batches of `tensors` (which must share their first dimension N): each batch holds
 * rows i₁…i_B of every tensor, in new tensors that do not require grad. Each `for … of` is an
 * epoch; with `shuffle`, each epoch draws a new permutation (Fisher–Yates) from `rng`. A batch is
 * copied when it is yielded and nothing else is: the dataset is never copied or permuted.
 * @throws ChainruleError for an empty or non-Tensor list, first dimensions that differ, or an
 *   invalid option (named with its value).
 * @example
 * const loader = new DataLoader([x, y], { batchSize: 32, shuffle: true, rng: new Rng(0) });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<const T extends readonly Tensor[]> implements Iterable<Batch<T>> {
  /** The tensors batched together, all with the same first dim. */
  readonly tensors: T;
  /** Rows per batch (the last batch may be smaller unless dropLast). */
  readonly batchSize: number;
  /** Whether each epoch visits the rows in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is dropped. */
  readonly dropLast: boolean;
  /** The random source of the shuffles. */
  readonly rng: Rng | undefined;
  /** The number of rows N (the shared first dimension). */
  readonly numRows: number;

  constructor(tensors: T, opts: DataLoaderOptions = {}) {
    const op = 'DataLoader';
    if (!Array.isArray(tensors) || tensors.length === 0) {
      throw new ChainruleError(`${op}: expected a non-empty array of Tensors, got ${show(tensors)}`);
    }
    tensors.forEach((t: unknown, i) => {
      if (!(t instanceof Tensor)) throw new ChainruleError(`${op}: tensors[${i}] must be a Tensor, got ${show(t)}`);
      if (t.shape.length === 0)
        throw new ChainruleError(`${op}: tensors[${i}] is 0-d; each tensor needs a first dimension`);
    });
    const n = (tensors[0] as Tensor).shape[0] as number;
    tensors.forEach((t: Tensor, i) => {
      if (t.shape[0] !== n) {
        throw new ChainruleError(
          `${op}: tensors[${i}] has shape [${t.shape.join(',')}] but tensors[0] has ${n} rows; every tensor needs the same first dimension`,
        );
      }
    });
    if (!isPlainObject(opts)) throw new ChainruleError(`${op}: options must be an object, got ${show(opts)}`);
    const keys = ['batchSize', 'shuffle', 'dropLast', 'rng'];
    for (const k of Object.keys(opts)) {
      if (!keys.includes(k))
        throw new ChainruleError(`${op}: unknown option '${k}' (expected one of ${keys.join(', ')})`);
    }
    const { batchSize = 1, shuffle = false, dropLast = false, rng } = opts as DataLoaderOptions;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ChainruleError(`${op}: batchSize must be an integer >= 1, got ${show(batchSize)}`);
    }
    if (typeof shuffle !== 'boolean')
      throw new ChainruleError(`${op}: shuffle must be a boolean, got ${show(shuffle)}`);
    if (typeof dropLast !== 'boolean')
      throw new ChainruleError(`${op}: dropLast must be a boolean, got ${show(dropLast)}`);
    if (rng !== undefined && !(rng instanceof Rng))
      throw new ChainruleError(`${op}: rng must be an Rng, got ${show(rng)}`);
    this.tensors = tensors;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.rng = rng;
    this.numRows = n;
  }

  /** The number of batches per epoch: ⌊N/B⌋ with dropLast, ⌈N/B⌉ without (torch's len(loader)). */
  get length(): number {
    return this.dropLast ? Math.floor(this.numRows / this.batchSize) : Math.ceil(this.numRows / this.batchSize);
  }

  /** One epoch of batches; with `shuffle`, the permutation is drawn when the epoch starts. */
  *[Symbol.iterator](): Iterator<Batch<T>> {
    const n = this.numRows;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (this.shuffle) {
      const rng = this.rng ?? globalRng();
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
    }
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const count = Math.min(this.batchSize, n - start);
      yield this.tensors.map((t) => {
        const rowSize = t.size / n;
        const out = new (t.data.constructor as new (length: number) => Buf)(count * rowSize); // t's dtype
        gatherRows(t.data, rowSize, order, start, count, out);
        return new Tensor(out, [count, ...t.shape.slice(1)]);
      }) as unknown as Batch<T>;
    }
  }
}
