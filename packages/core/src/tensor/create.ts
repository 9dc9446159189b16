// Creating tensors: tensor() from numbers, nested arrays or typed arrays, and the factories
// zeros ones full arange randn rand oneHot. Every check happens before any storage is made.
import { ChainruleError, check, describe, fmtShape } from '../errors';
import type { Buf } from '../kernels/index';
import { Rng } from '../rng';
import { checkShape, type Shape, sizeOf } from './shape';
import { type DType, type NestedArray, Tensor, type TensorLike } from './tensor';

/** Options of `tensor()`: the shape to give a flat input, the dtype, and whether the leaf requires a gradient. */
export interface TensorOptions {
  shape?: readonly number[];
  dtype?: DType;
  requiresGrad?: boolean;
}
/** Options of the factories (`zeros`, `ones`, `full`, `arange`, `oneHot`): dtype (default float32) and requiresGrad (default false). */
export interface FactoryOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}
/** Options of `randn` and `rand`: the factory options plus the `Rng` to draw from (the global one, see `manualSeed`, when omitted). */
export interface RandomOptions extends FactoryOptions {
  /** The random source; defaults to a global Rng (see manualSeed). */
  rng?: Rng;
}

/** Storage of `size` zeros. */
export function allocate(size: number, dtype: DType): Buf {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** An uninitialised-by-contract (in fact zeroed) tensor for an op's output. */
export function empty(shape: Shape, dtype: DType): Tensor {
  return new Tensor(allocate(sizeOf(shape), dtype), shape);
}

/** PyTorch type promotion between two floating dtypes. */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

/** An op's second operand as a tensor: a number becomes a 0-d tensor of `dtype`, as a Python scalar does. */
export function asTensor(op: string, x: TensorLike, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return new Tensor(dtype === 'float64' ? Float64Array.of(x) : Float32Array.of(x), []);
  throw new ChainruleError(`${op}: expected a Tensor or a number as operand, got ${describe(x)}`);
}

function checkDType(op: string, dtype: unknown): DType {
  check(
    dtype === 'float32' || dtype === 'float64',
    () => `${op}: dtype must be 'float32' or 'float64', got ${describe(dtype)}`,
  );
  return dtype;
}

/**
 * A tensor from a number (0-d), nested arrays (their nesting gives the shape) or a flat
 * array / typed array with `opts.shape`. Data is copied. The dtype defaults to float32, or
 * float64 for a Float64Array.
 * @throws ChainruleError for ragged or non-numeric nested arrays, or a length that does not match `shape`.
 * @example
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);          // shape [2, 3], float32
 * const w = tensor(new Float64Array(6), { shape: [3, 2], requiresGrad: true });
 */
export function tensor(data: number | NestedArray | Float32Array | Float64Array, opts: TensorOptions = {}): Tensor {
  const dtype = checkDType('tensor', opts.dtype ?? (data instanceof Float64Array ? 'float64' : 'float32'));
  let shape: Shape;
  let flat: ArrayLike<number>;
  if (typeof data === 'number') {
    shape = [];
    flat = [data];
  } else if (data instanceof Float32Array || data instanceof Float64Array) {
    shape = [data.length];
    flat = data;
  } else if (Array.isArray(data)) {
    shape = nestedShape(data);
    flat = shape.length === 1 ? (data as number[]) : ((data as unknown[]).flat(shape.length - 1) as number[]);
  } else {
    throw new ChainruleError(
      `tensor: expected a number, nested arrays of numbers or a Float32Array/Float64Array, got ${describe(data)}`,
    );
  }
  if (opts.shape !== undefined) {
    const target = checkShape('tensor', opts.shape);
    check(
      sizeOf(target) === flat.length,
      () => `tensor: ${flat.length} elements do not fit shape ${fmtShape(target)} (${sizeOf(target)} elements)`,
    );
    shape = target;
  }
  const buf = allocate(flat.length, dtype);
  for (let i = 0; i < flat.length; i++) buf[i] = flat[i] as number;
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}

/** The shape of nested arrays, checking that every level is rectangular and every leaf a number. */
function nestedShape(data: unknown[]): number[] {
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const walk = (x: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      check(typeof x === 'number', () => `tensor: element at [${path.join(',')}] is ${describe(x)}, expected a number`);
      return;
    }
    check(
      Array.isArray(x) && x.length === shape[depth],
      () =>
        `tensor: ragged nested array: expected ${Array.isArray(x) ? 'length' : 'an array of length'} ${shape[depth]} ` +
        `at [${path.join(',')}], got ${Array.isArray(x) ? `length ${x.length}` : describe(x)}`,
    );
    for (let i = 0; i < x.length; i++) walk(x[i], depth + 1, [...path, i]);
  };
  walk(data, 0, []);
  return shape;
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, opts: FactoryOptions = {}): Tensor {
  checkShape('full', shape);
  check(typeof value === 'number', () => `full: value must be a number, got ${describe(value)}`);
  const buf = allocate(sizeOf(shape), checkDType('full', opts.dtype ?? 'float32'));
  if (value !== 0) buf.fill(value);
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}

/**
 * A tensor of `shape` filled with 0.
 * @throws ChainruleError if `shape` holds anything but non-negative integers.
 * @example
 * zeros([2, 3], { requiresGrad: true }); // a [2, 3] leaf of zeros
 */
export function zeros(shape: readonly number[], opts: FactoryOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/**
 * A tensor of `shape` filled with 1.
 * @throws ChainruleError if `shape` holds anything but non-negative integers.
 */
export function ones(shape: readonly number[], opts: FactoryOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** [0, 1, …, n−1], or arange(start, end, step) as in PyTorch. */
export function arange(n: number, opts?: FactoryOptions): Tensor;
export function arange(start: number, end: number, step?: number, opts?: FactoryOptions): Tensor;
export function arange(
  a: number,
  b?: number | FactoryOptions,
  c?: number | FactoryOptions,
  d?: FactoryOptions,
): Tensor {
  const twoArgs = typeof b === 'number';
  const start = twoArgs ? a : 0;
  const end = twoArgs ? b : a;
  const step = twoArgs && typeof c === 'number' ? c : 1;
  const opts = (twoArgs ? (typeof c === 'number' ? d : c) : b) ?? {};
  check(
    Number.isFinite(start) && Number.isFinite(end) && Number.isFinite(step) && step !== 0,
    () => `arange: start, end and step must be finite and step non-zero, got ${start}, ${end}, ${step}`,
  );
  const n = Math.max(0, Math.ceil((end - start) / step));
  const buf = allocate(n, checkDType('arange', opts.dtype ?? 'float32'));
  for (let i = 0; i < n; i++) buf[i] = start + i * step;
  return new Tensor(buf, [n], opts.requiresGrad ?? false);
}

let defaultRng = /* @__PURE__ */ new Rng(0);

/** Re-seeds the global Rng that random functions use when no `rng` is given. */
export function manualSeed(seed: number): void {
  defaultRng = new Rng(seed);
}

/** Samples from N(0, 1). */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  checkShape('randn', shape);
  const rng = opts.rng ?? defaultRng;
  const buf = allocate(sizeOf(shape), checkDType('randn', opts.dtype ?? 'float32'));
  for (let i = 0; i < buf.length; i++) buf[i] = rng.normal();
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}

/** Samples uniformly from [0, 1). */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  checkShape('rand', shape);
  const rng = opts.rng ?? defaultRng;
  const buf = allocate(sizeOf(shape), checkDType('rand', opts.dtype ?? 'float32'));
  for (let i = 0; i < buf.length; i++) buf[i] = rng.next();
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}

/**
 * [N, numClasses] with a 1 at (i, labels[i]).
 * @throws ChainruleError if a label is not an integer in [0, numClasses).
 */
export function oneHot(labels: ArrayLike<number> | Tensor, numClasses: number, opts: FactoryOptions = {}): Tensor {
  check(
    Number.isInteger(numClasses) && numClasses > 0,
    () => `oneHot: numClasses must be a positive integer, got ${describe(numClasses)}`,
  );
  const t = toLabels('oneHot', labels, undefined, numClasses);
  const out = zeros([t.length, numClasses], opts);
  for (let i = 0; i < t.length; i++) out.data[i * numClasses + (t[i] as number)] = 1;
  return out;
}

/**
 * Integer class labels in [0, c) as an Int32Array, checked before anything is computed.
 * @throws ChainruleError naming `op` for a non-integer or out-of-range label, or a count ≠ `rows`.
 */
export function toLabels(
  op: string,
  labels: ArrayLike<number> | Tensor,
  rows: number | undefined,
  c: number,
): Int32Array {
  const values = labels instanceof Tensor ? labels.data : labels;
  check(
    values !== null && typeof values === 'object' && typeof values.length === 'number',
    () => `${op}: labels must be an array or tensor of class indices, got ${describe(labels)}`,
  );
  check(rows === undefined || values.length === rows, () => `${op}: got ${values.length} labels for ${rows} rows`);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    check(
      Number.isInteger(v) && v >= 0 && v < c,
      () => `${op}: label ${v} at index ${i} is not an integer class index in [0, ${c})`,
    );
    out[i] = v;
  }
  return out;
}
