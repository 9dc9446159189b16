// The built package, as users load it: dist/index.js through import, dist/index.cjs through require.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Fails with the fix when the package has not been built (`pnpm test` builds before it tests). */
export function requireBuild(): void {
  for (const file of ['index.js', 'index.cjs']) {
    if (!existsSync(distDir + file)) throw new Error(`packages/core/dist/${file} is missing: run \`pnpm build\` first`);
  }
}

type Core = typeof import('../../src/index');

/** The ESM build and the CJS build, loaded side by side in this process. */
export async function loadBoth(): Promise<{ esm: Core; cjs: Core }> {
  requireBuild();
  const esm = (await import(/* @vite-ignore */ `${distDir}index.js`)) as Core;
  const cjs = createRequire(import.meta.url)(`${distDir}index.cjs`) as Core;
  return { esm, cjs };
}
