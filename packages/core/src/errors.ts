// Errors: every bad input in chainrule surfaces as a ChainruleError whose message names the
// operation, the values involved and what was expected.

/** The error thrown for bad input anywhere in chainrule, e.g. `matmul: shapes [2,3] and [4,5] do not align (3 != 4)`. */
export class ChainruleError extends Error {
  override name = 'ChainruleError';
}

/**
 * Throws a ChainruleError when `cond` is false. The message is built lazily, so hot paths pay
 * only for the comparison.
 */
export function check(cond: boolean, message: () => string): asserts cond {
  if (!cond) throw new ChainruleError(message());
}

/** A short, readable rendering of any value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'string') return `string '${x.length > 40 ? `${x.slice(0, 40)}…` : x}'`;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return `${typeof x} ${String(x)}`;
  if (Array.isArray(x)) return `array of length ${x.length}`;
  if (typeof x === 'function') return 'function';
  const name = (x as object).constructor?.name;
  return name && name !== 'Object' ? `${name} ${String(x)}` : 'object';
}

/** `[2,3]`: how shapes are written in every message. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * A value as the user wrote it, for messages: numbers as JS prints them (NaN, -0 as 0), strings
 * quoted, arrays in brackets, objects by their class name. Never throws.
 */
export function show(x: unknown): string {
  try {
    if (typeof x === 'string') return `'${x.length > 40 ? `${x.slice(0, 40)}…` : x}'`;
    if (typeof x === 'bigint') return `${x}n`;
    if (x === null || typeof x !== 'object') return typeof x === 'function' ? 'a function' : String(x);
    if (Array.isArray(x))
      return x.length > 8 ? `[${x.slice(0, 8).map(show).join(', ')}, …]` : `[${x.map(show).join(', ')}]`;
    const name = Object.getPrototypeOf(x)?.constructor?.name;
    if (name === 'Tensor') return `a Tensor of shape ${fmtShape((x as { shape: number[] }).shape)}`;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  } catch {
    return 'an unprintable value';
  }
}
