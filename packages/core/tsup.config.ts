import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.base';

export default defineConfig({
  ...baseOptions,
  entry: { index: 'src/index.ts', kernels: 'src/kernels/index.ts' },
});
