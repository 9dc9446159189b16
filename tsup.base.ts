// Build options shared by the published packages (each package's tsup.config.ts spreads them).
import type { Options } from 'tsup';

type Plugin = NonNullable<Options['plugins']>[number];

/**
 * esbuild bundles `export class Tensor { … new Tensor() … }` as `var Tensor = class _Tensor { … }`,
 * so `Tensor.name`, stack traces and `constructor.name` in error messages read `_Tensor`. esbuild's
 * `keepNames` fixes the names but wraps every class and function in a `__name()` call, which
 * bundlers must keep, and that defeats tree-shaking. This plugin drops the inner binding instead:
 * `var Tensor = class {`, whose name JavaScript takes from the variable, and `_Tensor` inside the
 * body becomes `Tensor `, the variable, which holds the same class. Replacements are padded to the
 * same width, so every column, and so the source map, stays valid. With no inner name left, a
 * user's bundler has no second `Tensor` binding to rename (`Tensor2`) either.
 */
export const classNames: Plugin = {
  name: 'chainrule-class-names',
  renderChunk(code, chunk) {
    if (!/\.[cm]?js$/.test(chunk.path)) return;
    let out = code;
    for (const [, name = ''] of code.matchAll(/\bvar (\w+) = class _\1\b/g)) {
      out = out
        .replace(`var ${name} = class _${name}`, `var ${name} = class ${' '.repeat(name.length + 1)}`)
        .replace(new RegExp(`(?<![\\w$.])_${name}(?![\\w$])`, 'g'), `${name} `);
    }
    return { code: out };
  },
};

/** ESM + CJS + .d.ts for Node and bundlers, ES2022, with the class-name fix above. */
export const baseOptions: Options = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  plugins: [classNames],
};
