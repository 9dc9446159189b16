import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// The page imports @chainrule/core and @chainrule/nn through their '@chainrule/source' export
// condition, i.e. straight from their TypeScript source: `pnpm playground` works on a fresh
// clone right after `pnpm install`, with no build of the libraries first, and an edit to a
// library reloads the page. The built site bundles the same source.
export default defineConfig({
  // relative asset URLs: the static site works from any folder it is copied to
  base: './',
  resolve: { conditions: ['@chainrule/source', ...defaultClientConditions] },
  define: { __REPO_ROOT__: JSON.stringify(repoRoot) },
  worker: { format: 'es' },
  // @viz-js/viz embeds Graphviz's WebAssembly in its script (1.4 MB); the page loads it lazily
  build: { chunkSizeWarningLimit: 1600 },
});
