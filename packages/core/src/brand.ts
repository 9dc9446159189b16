// biome-ignore-all lint/complexity/noThisInStatic: instanceof must know which class it was asked about
// What Tensor and Value inherit so that they behave as one class across copies of chainrule, and
// print themselves in Node. A process can load the package twice (its ESM and its CJS build, or
// two versions); each copy has its own Tensor class, so a plain `instanceof` would reject a tensor
// made by the other copy. Each class therefore marks its instances with a registered symbol
// (`Symbol.for`, the same in every copy) and answers `instanceof` by that mark.
//
// These members live in a base class made by a pure call rather than in the class bodies: bundlers
// cannot prove that a class with computed keys such as `[Symbol.for(…)]` is free of side effects,
// and would then keep Tensor, and every kernel, in a bundle that imports only Value.

/** True when `x` is an object carrying `brand`, whichever copy of chainrule made it. */
export function hasBrand(x: unknown, brand: symbol): boolean {
  return typeof x === 'object' && x !== null && (x as { [k: symbol]: unknown })[brand] === true;
}

/**
 * A base class whose instances carry `Symbol.for(key)` and print with `toString()` in Node's
 * `console.log` and `util.inspect`. For the class that extends it directly, `x instanceof C` is
 * true for any object carrying the mark; for classes further down, `instanceof` is the usual one.
 */
export function branded(key: string): new () => object {
  const brand = Symbol.for(key);
  const Base = class {
    get [brand](): true {
      return true;
    }
    [Symbol.for('nodejs.util.inspect.custom')](): string {
      return String(this);
    }
    static [Symbol.hasInstance](x: unknown): boolean {
      // `this` is the class right of `instanceof`: Tensor itself, or a user's subclass of it.
      return Object.getPrototypeOf(this) === Base
        ? hasBrand(x, brand)
        : Function.prototype[Symbol.hasInstance].call(this, x);
    }
  };
  return Base;
}
