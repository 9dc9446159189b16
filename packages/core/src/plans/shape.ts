// Plans: pure shape logic for the tensor graph — sizes, strides, and the checking and
// normalising of dims and integer arguments. No data lives here.
import { check, show } from '../errors';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-order) strides: the last dim is contiguous. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The most elements a tensor may hold: 2³¹ − 1, so that every index fits an Int32Array. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Checks a user-given shape: an array of non-negative integers. */
export function checkShape(op: string, shape: unknown): Shape {
  check(
    Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0) && sizeOf(shape) <= MAX_ELEMENTS,
    () => `${op}: a shape must be an array of non-negative integers (at most 2³¹ − 1 elements), got ${show(shape)}`,
  );
  return shape as Shape;
}

/** A boolean option (keepDim, retainGraph…), or the error naming the op and the value. */
export function checkFlag(op: string, name: string, value: unknown): boolean {
  check(typeof value === 'boolean', () => `${op}: ${name} must be true or false, got ${show(value)}`);
  return value as boolean;
}

/** A number argument: an integer when `integer`, and at least `min`. */
export function checkNumber(
  op: string,
  name: string,
  value: unknown,
  opts: { integer?: boolean; min?: number } = {},
): number {
  const { integer = false, min = Number.NEGATIVE_INFINITY } = opts;
  check(
    typeof value === 'number' && !Number.isNaN(value) && (!integer || Number.isInteger(value)) && value >= min,
    () =>
      `${op}: ${name} must be ${integer ? 'an integer' : 'a number'}${min > Number.NEGATIVE_INFINITY ? ` ≥ ${min}` : ''}, got ${show(value)}`,
  );
  return value as number;
}

/** An options argument: undefined (defaults) or a plain object. */
export function checkOptionsObject<T extends object>(op: string, opts: T | undefined): T {
  check(
    opts === undefined || (typeof opts === 'object' && opts !== null && !Array.isArray(opts)),
    () => `${op}: options must be an object, got ${show(opts)}`,
  );
  return opts ?? ({} as T);
}

/** A dim in [−ndim, ndim) as an index in [0, ndim). */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  check(
    typeof dim === 'number' && Number.isInteger(dim) && dim >= lo && dim <= hi,
    () => `${op}: dim ${show(dim)} is out of range for a tensor of ${ndim} dims (expected an integer in ${lo}..${hi})`,
  );
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** A dim or list of dims, normalised, sorted and checked for repeats; undefined means every dim. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  check(
    typeof dims === 'number' || Array.isArray(dims),
    () => `${op}: dim must be a number or an array of numbers, got ${show(dims)}`,
  );
  const list = typeof dims === 'number' ? [dims] : [...dims];
  if (list.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  const out = list.map((d) => normalizeDim(op, d, ndim)).sort((a, b) => a - b);
  check(new Set(out).size === out.length, () => `${op}: dim list ${show(list)} repeats a dim`);
  return ndim === 0 ? [] : out;
}

/** The shape of `shape` reduced over `dims`: those dims become 1 (keepDim) or disappear. */
export function reducedShape(shape: Shape, dims: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}
