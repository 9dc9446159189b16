// Build options shared by the published packages (each package's tsdown.config.ts spreads them).
// tsdown 0.21.x: the last line of releases that runs on Node 20 (0.22 and later need Node 22).
import type { Rolldown, UserConfig } from 'tsdown';

/**
 * Rolldown hoists `export class Tensor { … new Tensor() … }` as `var Tensor = class Tensor { … }`
 * (a class that names itself keeps its inner binding). A user's bundler then sees two `Tensor`
 * bindings and renames the inner one: esbuild makes it `class Tensor2`, and `Tensor.name`,
 * `constructor.name`, stack traces and error messages read `Tensor2`. This plugin drops the inner
 * name: `var Tensor = class {`, whose name JavaScript takes from the variable; `Tensor` inside the
 * body then refers to the variable, which holds the same class. (tsup, on esbuild, had the same
 * problem as `class _Tensor`.)
 */
export const classNames: Rolldown.Plugin = {
  name: 'chainrule-class-names',
  renderChunk(code) {
    const out = code.replace(/\bvar (\w+) = class \1\b/g, 'var $1 = class');
    return out === code ? null : { code: out, map: null };
  },
};

/**
 * ESM + CJS + `.d.ts`/`.d.cts` for Node and bundlers, ES2022, platform-neutral (core runs in
 * browsers). Both formats are code-split, so the entries of a package share their chunks: one
 * kernel runtime per format, not one per entry. The output is not minified: names, doc comments and
 * `//#region src/…` markers stay, so the code a debugger steps through is readable as it is. That
 * is what the tarball ships, once per format, and nothing else: no source maps, no `src/`.
 */
export const baseOptions: UserConfig = {
  format: ['esm', 'cjs'],
  platform: 'neutral',
  target: 'es2022',
  // Node's modules stay imports (only @chainrule/nn/node has them); nothing else is bundled in
  deps: { neverBundle: [/^node:/] },
  dts: true,
  sourcemap: false,
  clean: true,
  fixedExtension: false,
  plugins: [classNames],
  // a warning (an unresolved import, say) fails the build; the timing note of a busy machine is none
  failOnWarn: true,
  checks: { pluginTimings: false },
  hash: false,
  // the chunks that entries share, in dist/shared/ (core: shared/kernels.js and shared/kernels.cjs)
  outputOptions: (options, format) => ({
    ...options,
    chunkFileNames: `shared/[name].${format === 'cjs' ? 'cjs' : 'js'}`,
  }),
};
