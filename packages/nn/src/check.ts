// Argument checks shared by the public entries of @chainrule/nn. Each throws a ChainruleError whose
// message starts with the name the user called (`LayerNorm:`, `Adam.step:`), prints the value
// with core's show() (NaN as NaN, strings quoted, null as null, a Map as a Map) and says what was
// expected. They run before anything is mutated, so a call that throws has changed nothing.
import { ChainruleError, type DType, Rng, show, Tensor } from '@chainrule/core';

export { show };

/** Throws `${op}: ${message}`. */
export function fail(op: string, message: string): never {
  throw new ChainruleError(`${op}: ${message}`);
}

/** True for a plain object (`{...}` or Object.create(null)), not an array, Map, Tensor or class instance. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The options object of `op` (undefined gives `{}`), after checking that it is a plain object
 * whose keys are all in `keys`: a misspelt option would otherwise be silently ignored.
 */
export function options(op: string, opts: unknown, keys: readonly string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (!isPlainObject(opts)) fail(op, `options must be an object, got ${show(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!keys.includes(k)) fail(op, `unknown option '${k}' (expected one of ${keys.join(', ')})`);
  }
  return opts;
}

/** `x` if it is a Tensor. */
export function tensorArg(op: string, what: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) fail(op, `${what} must be a Tensor, got ${show(x)}`);
  return x;
}

/** `x` if it is a float32 or float64 Tensor (what layers compute with). */
export function floatInput(op: string, x: unknown, what = 'input'): Tensor {
  const t = tensorArg(op, what, x);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') {
    fail(op, `${what} must be a float32 or float64 Tensor, got ${t.dtype} (convert it with .to('float32'))`);
  }
  return t;
}

/** `v` if it is an integer ≥ `min` (any integer for min = -Infinity, e.g. a dim counted from the end). */
export function integer(op: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    const range =
      min === 1 ? 'a positive integer' : min === Number.NEGATIVE_INFINITY ? 'an integer' : `an integer >= ${min}`;
    fail(op, `${name} must be ${range}, got ${show(v)}`);
  }
  return v;
}

/** The element count of a parameter of shape `dims`, if a typed array can hold it (2³¹ − 1, core's limit). */
export function numel(op: string, name: string, dims: readonly number[]): number {
  const n = dims.reduce((a, d) => a * d, 1);
  if (n > 2 ** 31 - 1) fail(op, `${name} ${show(dims)} gives ${n} elements per parameter, more than 2³¹ − 1`);
  return n;
}

/** `v` (or `fallback` when undefined) if it is a number with `ok(v)`; `expected` describes the range. */
export function number(
  op: string,
  name: string,
  v: unknown,
  fallback: number,
  expected: string,
  ok: (x: number) => boolean,
): number {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'number' || !ok(x)) fail(op, `${name} must be ${expected}, got ${show(x)}`);
  return x;
}

/** `v` (or `fallback` when undefined) if it is a boolean. */
export function flag(op: string, name: string, v: unknown, fallback: boolean): boolean {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'boolean') fail(op, `${name} must be a boolean, got ${show(x)}`);
  return x;
}

/** The `dtype` option of a layer: the float dtype of its parameters (default float32). */
export function floatDType(op: string, v: unknown): 'float32' | 'float64' {
  if (v === undefined) return 'float32';
  if (v !== 'float32' && v !== 'float64') fail(op, `dtype must be 'float32' or 'float64', got ${show(v)}`);
  return v;
}

/** The `rng` option: an Rng or undefined (core's global generator). */
export function rngOption(op: string, v: unknown): Rng | undefined {
  if (v !== undefined && !(v instanceof Rng)) fail(op, `rng must be an Rng, got ${show(v)}`);
  return v;
}

/** `{ rng }` when given, `{}` otherwise (for core's factories, whose default is the global Rng). */
export function withRng(rng: Rng | undefined): { rng?: Rng } {
  return rng ? { rng } : {};
}

/**
 * Runs `fn`, the body of `op` (a layer's forward), re-throwing a ChainruleError from an op inside
 * it under `op`: `MLP: linear: x [..., 3] …` tells both what the user called and what refused.
 */
export function within<T>(op: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ChainruleError && !e.message.startsWith(`${op}:`)) {
      throw new ChainruleError(`${op}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/** f(x) for the layer `m`: a non-Tensor input, or an error of the op, is reported under m's class name. */
export function layerCall(m: object, x: unknown, f: (t: Tensor) => Tensor): Tensor {
  const op = m.constructor.name;
  return within(op, () => f(tensorArg(op, 'input', x)));
}

/** A number > 0 and finite (an ε). */
export const positiveFinite = (x: number): boolean => x > 0 && Number.isFinite(x);

export type { DType };

/**
 * A per-dimension size (kernelSize, stride, padding, dilation): an integer ≥ `min`, or an array
 * of `nd` of them. Returns the `nd` values.
 */
export function spatial(op: string, name: string, v: unknown, nd: number, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(nd).fill(v) : v;
  if (
    !Array.isArray(list) ||
    list.length !== nd ||
    !list.every((k) => typeof k === 'number' && Number.isSafeInteger(k) && k >= min)
  ) {
    const range = min === 1 ? 'a positive integer' : `an integer >= ${min}`;
    fail(op, `${name} must be ${range}${nd > 1 ? ` or ${nd} of them` : ''}, got ${show(v)}`);
  }
  return [...list];
}
