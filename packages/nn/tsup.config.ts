import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // class names stay as written (esbuild would rename a self-referencing class to _Tensor), so
  // error messages and show() print 'Tensor', 'Linear', not a bundler's alias
  keepNames: true,
});
