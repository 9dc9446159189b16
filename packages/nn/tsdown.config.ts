import { defineConfig } from 'tsdown';
import { baseOptions } from '../../tsdown.base';

export default defineConfig({
  ...baseOptions,
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
});
