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
