// Creating tensors: tensor() from numbers, nested arrays or typed arrays, and the factories
// zeros ones full arange randn rand oneHot. Every check happens before any storage is made.
import { ChainruleError, check, describe, fmtShape, show } from '../errors';
import { checkNumber, checkOptionsObject, checkShape, type Shape, sizeOf } from '../plans/shape';
import { Rng } from '../rng';
import { checkDType, type DType, isFloat, scalarDType, storageFor } from './dtype';
import { type NestedArray, Tensor, type TensorLike } from './tensor';

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

/** An uninitialised-by-contract (in fact zeroed) tensor for an op's output. */
export function empty(shape: Shape, dtype: DType): Tensor {
  return new Tensor(storageFor(dtype, sizeOf(shape)), shape);
}

/**
 * An op's second operand as a tensor: a number becomes a 0-d tensor of `dtype` when that can
 * hold it (a Python scalar's rule: 0.5 next to an int32 tensor is float32).
 */
export function asTensor(op: string, x: TensorLike, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return full([], x, { dtype: scalarDType(x, dtype) });
  throw new ChainruleError(`${op}: expected a Tensor or a number as operand, got ${show(x)}`);
}

/** An op's tensor operand, checked: a named error instead of a TypeError on null or a number. */
export function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ChainruleError(`${op}: expected a Tensor, got ${show(x)}`);
}

/** Any typed array of numbers: Uint8Array pixels, Int32Array indices, Float32Array data… */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** What tensor() takes: a number or boolean (0-d), nested arrays of them, or a typed array. */
export type TensorData = number | boolean | NestedArray | TypedArray;

/** The options' dtype and requiresGrad, checked: only float tensors can require a gradient. */
function checkOptions(
  op: string,
  opts: FactoryOptions,
  inferred: DType = 'float32',
): { dtype: DType; requiresGrad: boolean } {
  check(opts !== null && typeof opts === 'object', () => `${op}: options must be an object, got ${show(opts)}`);
  const dtype = checkDType(op, opts.dtype ?? inferred);
  const requiresGrad = opts.requiresGrad ?? false;
  check(
    typeof requiresGrad === 'boolean',
    () => `${op}: requiresGrad must be true or false, got ${show(requiresGrad)}`,
  );
  check(
    !requiresGrad || isFloat(dtype),
    () => `${op}: only float tensors can require gradients, got dtype ${dtype} with requiresGrad: true`,
  );
  return { dtype, requiresGrad };
}

function isTypedArray(x: unknown): x is TypedArray {
  return (
    ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array)
  );
}

/** The dtype tensor() infers: bool from booleans, the dtype of a Float64Array or Int32Array, else float32. */
function inferDType(data: unknown, flat: ArrayLike<unknown>): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (isTypedArray(data)) return 'float32';
  return flat.length > 0 && Array.prototype.every.call(flat, (v) => typeof v === 'boolean') ? 'bool' : 'float32';
}

/**
 * A tensor from a number or boolean (0-d), nested arrays (their nesting gives the shape) or a
 * typed array (1-d, or `opts.shape`). Data is copied. The dtype is `opts.dtype`, else inferred:
 * bool for booleans, float64 for a Float64Array, int32 for an Int32Array, float32 otherwise
 * (plain numbers and other typed arrays, e.g. Uint8Array pixels).
 * @throws ChainruleError for ragged or non-numeric nested arrays, a length that does not match
 *   `shape`, or requiresGrad on a non-float dtype.
 * @example
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);          // shape [2, 3], float32
 * const w = tensor(new Float64Array(6), { shape: [3, 2], requiresGrad: true });
 * const mask = tensor([true, false]);                // bool
 */
export function tensor(data: TensorData, opts: TensorOptions = {}): Tensor {
  opts = checkOptionsObject('tensor', opts);
  let shape: Shape;
  let flat: ArrayLike<number | boolean>;
  if (typeof data === 'number' || typeof data === 'boolean') {
    shape = [];
    flat = [data];
  } else if (isTypedArray(data)) {
    shape = [data.length];
    flat = data;
  } else if (Array.isArray(data)) {
    shape = nestedShape(data);
    flat = (shape.length === 1 ? data : (data as unknown[]).flat(shape.length - 1)) as (number | boolean)[];
  } else {
    throw new ChainruleError(
      `tensor: expected a number, a boolean, nested arrays of them or a typed array, got ${show(data)}`,
    );
  }
  const { dtype, requiresGrad } = checkOptions('tensor', opts, inferDType(data, flat));
  if (opts.shape !== undefined) {
    const target = checkShape('tensor', opts.shape);
    check(
      sizeOf(target) === flat.length,
      () => `tensor: ${flat.length} elements do not fit shape ${fmtShape(target)} (${sizeOf(target)} elements)`,
    );
    shape = target;
  }
  const buf = storageFor(dtype, flat.length);
  if (dtype === 'bool') for (let i = 0; i < flat.length; i++) buf[i] = Number(flat[i]) !== 0 ? 1 : 0;
  else for (let i = 0; i < flat.length; i++) buf[i] = Number(flat[i]);
  return new Tensor(buf, shape, requiresGrad);
}

/** The shape of nested arrays, checking that every level is rectangular and every leaf a number. */
function nestedShape(data: unknown[]): number[] {
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const walk = (x: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      check(
        typeof x === 'number' || typeof x === 'boolean',
        () => `tensor: element at [${path.join(',')}] is ${show(x)}, expected a number or a boolean`,
      );
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
export function full(shape: readonly number[], value: number | boolean, opts: FactoryOptions = {}): Tensor {
  return filled('full', shape, value, opts);
}

/**
 * A tensor of `shape` filled with 0.
 * @throws ChainruleError if `shape` holds anything but non-negative integers.
 * @example
 * zeros([2, 3], { requiresGrad: true }); // a [2, 3] leaf of zeros
 */
export function zeros(shape: readonly number[], opts: FactoryOptions = {}): Tensor {
  return filled('zeros', shape, 0, opts);
}

/**
 * A tensor of `shape` filled with 1.
 * @throws ChainruleError if `shape` holds anything but non-negative integers.
 */
export function ones(shape: readonly number[], opts: FactoryOptions = {}): Tensor {
  return filled('ones', shape, 1, opts);
}

function filled(op: string, shape: readonly number[], value: number | boolean, opts: FactoryOptions): Tensor {
  checkShape(op, shape);
  check(
    typeof value === 'number' || typeof value === 'boolean',
    () => `${op}: value must be a number or a boolean, got ${show(value)}`,
  );
  const { dtype, requiresGrad } = checkOptions(op, opts ?? {}, typeof value === 'boolean' ? 'bool' : 'float32');
  const buf = storageFor(dtype, sizeOf(shape));
  const v = dtype === 'bool' ? (Number(value) !== 0 ? 1 : 0) : Number(value);
  if (v !== 0) buf.fill(v);
  return new Tensor(buf, shape, requiresGrad);
}

/**
 * [0, 1, …, n−1], or arange(start, end, step) as in PyTorch.
 * @throws ChainruleError if a bound or the step is not a finite number, the step is 0, or the
 * step's sign leads away from end (`arange(0, 10, -1)`, `arange(-3)`), as PyTorch raises.
 */
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
    [start, end, step].every((v) => typeof v === 'number' && Number.isFinite(v)) && step !== 0,
    () =>
      `arange: start, end and step must be finite numbers and step non-zero, got ${show(start)}, ${show(end)}, ${show(step)}`,
  );
  // PyTorch: "upper bound and larger bound inconsistent with step sign"
  check(
    step > 0 ? end >= start : end <= start,
    () =>
      `arange: a step of ${show(step)} never goes from ${show(start)} to ${show(end)} (the step's sign must take start towards end)`,
  );
  const n = Math.max(0, Math.ceil((end - start) / step));
  check(n <= 2 ** 31 - 1, () => `arange: ${n} elements are too many (at most 2³¹ − 1)`);
  const { dtype, requiresGrad } = checkOptions('arange', opts);
  const buf = storageFor(dtype, n);
  for (let i = 0; i < n; i++) buf[i] = start + i * step;
  return new Tensor(buf, [n], requiresGrad);
}

/**
 * `steps` evenly spaced values from start to end, both included (torch.linspace), rounded as
 * PyTorch's CPU kernel rounds them: start + i·step for the first half, end − (steps − 1 − i)·step
 * for the second, in runs of one vector width (bit for bit up to 32,768 steps, where PyTorch
 * starts splitting the range across threads).
 * @throws ChainruleError for non-finite ends, steps not an integer ≥ 0, or a non-float dtype.
 */
export function linspace(start: number, end: number, steps: number, opts: FactoryOptions = {}): Tensor {
  check(
    typeof start === 'number' && Number.isFinite(start) && typeof end === 'number' && Number.isFinite(end),
    () => `linspace: start and end must be finite numbers, got ${show(start)} and ${show(end)}`,
  );
  checkNumber('linspace', 'steps', steps, { integer: true, min: 0 });
  const { dtype, requiresGrad } = checkOptions('linspace', opts);
  check(isFloat(dtype), () => `linspace: expects a float dtype, got ${dtype}`);
  const buf = storageFor(dtype, steps);
  // in the output's type, as PyTorch's CPU kernel, whose scalar products and sums the compiler
  // fuses (a·b + c rounded once), while its vector arange does not
  const r = dtype === 'float32' ? Math.fround : (x: number) => x;
  const fma = dtype === 'float32' ? (a: number, b: number, c: number) => Math.fround(a * b + c) : fma64;
  const [s0, s1] = [r(start), r(end)];
  const step = steps > 1 ? r(r(s1 - s0) / (steps - 1)) : 0;
  const half = Math.floor(steps / 2);
  const from = (i: number) => (i < half ? fma(step, i, s0) : fma(-step, steps - i - 1, s1));
  // PyTorch's vectorised loop takes pairs of 32-byte vectors (8 float32, 4 float64): each vector
  // counts from its first element's value (base + j·step), the tail element by element
  const v = dtype === 'float32' ? 8 : 4;
  const vectorised = Math.floor(steps / (2 * v)) * 2 * v;
  for (let i = 0; i < steps; i++) {
    const b = i - (i % v);
    buf[i] = steps === 1 ? s0 : i < vectorised ? r(from(b) + r((i - b) * step)) : from(i);
  }
  return new Tensor(buf, [steps], requiresGrad);
}

/**
 * a·b + c rounded once, from error-free transforms (Dekker's product, Knuth's sum): the exact
 * product p + e, the sum s + t of p and c, then s + (t + e).
 */
function fma64(a: number, b: number, c: number): number {
  const split = (x: number) => {
    const h = x * 134217729; // 2²⁷ + 1 (Veltkamp)
    const hi = h - (h - x);
    return [hi, x - hi] as const;
  };
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const e = al * bl - (p - ah * bh - al * bh - ah * bl);
  const s = p + c;
  const z = s - p;
  const t = p - (s - z) + (c - z);
  return s + (t + e);
}

/**
 * The n × m identity (ones on the diagonal, m = n by default), as torch.eye.
 * @throws ChainruleError unless n and m are non-negative integers.
 */
export function eye(n: number, m: number | FactoryOptions = n, opts: FactoryOptions = {}): Tensor {
  if (typeof m === 'object' && m !== null) return eye(n, n, m);
  checkNumber('eye', 'n', n, { integer: true, min: 0 });
  checkNumber('eye', 'm', m, { integer: true, min: 0 });
  const out = zeros([n, m as number], opts);
  for (let i = 0; i < Math.min(n, m as number); i++) out.data[i * (m as number) + i] = 1;
  return out;
}

let defaultRng = /* @__PURE__ */ new Rng(0);

/**
 * Re-seeds the one global generator (torch.manual_seed): every random factory, sampling op,
 * initialiser, layer constructor, Dropout and DataLoader shuffle that is not given its own `rng`
 * draws from it, so `manualSeed(s)` before a run makes the run repeat.
 * @throws ChainruleError for a seed that is not a finite number.
 */
export function manualSeed(seed: number): void {
  defaultRng = new Rng(seed);
}

/** The global generator that `manualSeed` seeds, as it is now (read it at draw time: manualSeed replaces it). */
export function globalRng(): Rng {
  return defaultRng;
}

/** Samples from N(0, 1). */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  checkShape('randn', shape);
  const dtype = checkFloatOptions('randn', opts);
  const rng = opts.rng ?? defaultRng;
  const buf = storageFor(dtype, sizeOf(shape));
  for (let i = 0; i < buf.length; i++) buf[i] = rng.normal();
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}

/** Samples uniformly from [0, 1). */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  checkShape('rand', shape);
  const dtype = checkFloatOptions('rand', opts);
  const rng = opts.rng ?? defaultRng;
  const buf = storageFor(dtype, sizeOf(shape));
  for (let i = 0; i < buf.length; i++) buf[i] = rng.next();
  return new Tensor(buf, shape, opts.requiresGrad ?? false);
}

/** Random samples are real numbers: a float dtype, and an Rng if one is given. */
function checkFloatOptions(op: string, opts: RandomOptions): DType {
  const { dtype } = checkOptions(op, opts);
  check(isFloat(dtype), () => `${op}: samples need a float dtype, got ${dtype}`);
  check(opts.rng === undefined || opts.rng instanceof Rng, () => `${op}: rng must be an Rng, got ${show(opts.rng)}`);
  return dtype;
}

/**
 * [N, numClasses] with a 1 at (i, labels[i]).
 * @throws ChainruleError if a label is not an integer in [0, numClasses).
 */
export function oneHot(labels: ArrayLike<number> | Tensor, numClasses: number, opts: FactoryOptions = {}): Tensor {
  checkNumber('oneHot', 'numClasses', numClasses, { integer: true, min: 1 });
  checkOptions('oneHot', opts);
  const t = toLabels('oneHot', labels, undefined, numClasses);
  checkShape('oneHot', [t.length, numClasses]);
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
    () => `${op}: labels must be an array or tensor of class indices, got ${show(labels)}`,
  );
  check(rows === undefined || values.length === rows, () => `${op}: got ${values.length} labels for ${rows} rows`);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    check(
      typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < c,
      () => `${op}: label ${show(v)} at index ${i} is not an integer class index in [0, ${c})`,
    );
    out[i] = v;
  }
  return out;
}
