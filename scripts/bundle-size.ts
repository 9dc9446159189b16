// What the published packages cost a browser bundle: each entry below is bundled by esbuild from
// the built `dist/` (what users install), minified, and measured raw and gzipped. Shared by the
// budget test (packages/core/test/package/size.test.ts) and the report `pnpm size`.
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const core = `${root}packages/core/dist/index.js`;
const nn = `${root}packages/nn/dist/index.js`;

/** What a user imports, and the most its minified bundle may weigh (bytes). */
export const entries = [
  { name: 'Value only', code: `import { Value } from '${core}'; globalThis.out = Value;`, budget: 5_000 },
  {
    name: 'tensor, ops and backward',
    code: `import { tensor } from '${core}'; globalThis.out = tensor;`,
    // 60 kB of it are the two WebAssembly builds (gemm, convolutions, the optimizer updates, ReLU,
    // bias and pooling kernels, 11 kB of float32 sigmoid, tanh and GELU, 8 kB of the float32
    // LSTM cell, which runs the LSTM forward 1.8× faster than its TypeScript loop, and 2 kB of
    // im2col/col2im by row runs, which run the CNN forward 1.2× faster, and 1.5 kB of the 2×2
    // stride-2 max pool without an index map, 1.7× faster than the general pool kernel and 4 %
    // of the CNN forward) as base64; the ops' VJPs
    // (higher-order gradients) 6 kB, the kernel threads' job protocol and failure handling 3 kB
    // and their reading of the machine's load 1.2 kB (no slower than one thread beside busy
    // neighbours), the parity ops (sort, topk, masks, linspace, eye) 3 kB
    budget: 135_000,
  },
  // the transforms, customOp, checkpoint and gradgradcheck 9 kB, the parity ops 6 kB, the fused
  // lstmCell and layerNorm ops and attention's fused softmax 6 kB (and the LSTM cell's 8 kB above)
  { name: '@chainrule/core, all of it', code: `import * as m from '${core}'; globalThis.out = m;`, budget: 185_500 },
  {
    name: '@chainrule/nn + core, all of it',
    code: `import * as m from '${nn}'; globalThis.out = m;`,
    // PyTorch parity, round two (schedulers, init, recurrent options, losses, safetensors dtypes) 17 kB;
    // the fused LSTM cell, layerNorm and attention softmax in core 13 kB; row runs and the
    // threads' load reading in core 3.5 kB; the 2×2 max pool kernel 1.5 kB
    budget: 242_000,
  },
] as const;

export interface Measured {
  name: string;
  minified: number;
  gzipped: number;
  budget: number;
}

/** Bundles and minifies each entry (ESM, browser platform), in parallel. */
export async function measure(): Promise<Measured[]> {
  return Promise.all(
    entries.map(async ({ name, code, budget }) => {
      const result = await build({
        stdin: { contents: code, resolveDir: root, loader: 'js' },
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      });
      const bytes = result.outputFiles[0]?.contents ?? new Uint8Array();
      return { name, minified: bytes.length, gzipped: gzipSync(bytes).length, budget };
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const m of await measure()) {
    console.log(
      `${m.name.padEnd(34)} ${(m.minified / 1000).toFixed(1).padStart(6)} kB minified ` +
        `${(m.gzipped / 1000).toFixed(1).padStart(6)} kB gzipped   (budget ${(m.budget / 1000).toFixed(1)} kB)`,
    );
  }
}
