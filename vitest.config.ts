import { defineConfig } from 'vitest/config';

// Tests import sibling packages from their TypeScript source (the '@chainrule/source'
// export condition), so `vitest run` needs no build.
export default defineConfig({
  resolve: { conditions: ['@chainrule/source'] },
  ssr: { resolve: { conditions: ['@chainrule/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'docs/site/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 60_000,
  },
});
