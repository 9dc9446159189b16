// Issue benchmark for the tensor kernels: float32 square matmul, chainrule's gemm against
// TensorFlow.js on its pure-JavaScript CPU backend and on its WebAssembly backend, in one run.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Rng } from '@chainrule/core';
import * as kernels from '@chainrule/core/kernels';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { compare } from './measure';

export interface MatmulRow {
  n: number;
  chainrule: number;
  tfjsCpu: number;
  tfjsWasm: number;
}

function randomF32(size: number, rng: Rng): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** GFLOP/s (2N³ flops per product) at each N, every library measured in the same suite. */
export async function benchMatmul(
  sizes = [64, 128, 256, 512, 1024],
  log: (line: string) => void = console.log,
): Promise<MatmulRow[]> {
  // the .wasm binaries come from the installed package, never from the network
  const require = createRequire(import.meta.url);
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  const rng = new Rng(1);
  const rows: MatmulRow[] = [];
  log('float32 matmul, N×N · N×N: GFLOP/s (higher is better)');
  log('     N | chainrule | tfjs-cpu | tfjs-wasm | vs cpu | vs wasm');
  for (const n of sizes) {
    const a = randomF32(n * n, rng);
    const b = randomF32(n * n, rng);
    const c = new Float32Array(n * n);
    const cases: Record<string, () => void> = { chainrule: () => kernels.gemm(n, n, n, a, false, b, false, c, false) };
    const gflops: Record<string, number> = {};
    // tfjs runs one backend at a time, so each backend is its own suite, right after ours
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      await tf.ready();
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      const run = () => {
        const y = tf.matMul(ta, tb);
        y.dataSync();
        y.dispose();
      };
      const maxTime = n >= 1024 ? 3 : 1.5;
      const timings = compare(
        { ...(backend === 'cpu' ? cases : {}), [`tfjs-${backend}`]: run },
        { maxTime, minSamples: 3 },
      );
      for (const t of timings) gflops[t.name] = (2 * n ** 3) / t.seconds / 1e9;
      ta.dispose();
      tb.dispose();
    }
    const row = {
      n,
      chainrule: gflops.chainrule ?? Number.NaN,
      tfjsCpu: gflops['tfjs-cpu'] ?? Number.NaN,
      tfjsWasm: gflops['tfjs-wasm'] ?? Number.NaN,
    };
    rows.push(row);
    log(
      `${String(n).padStart(6)} | ${row.chainrule.toFixed(2).padStart(9)} | ${row.tfjsCpu.toFixed(2).padStart(8)} | ` +
        `${row.tfjsWasm.toFixed(2).padStart(9)} | ${(row.chainrule / row.tfjsCpu).toFixed(2).padStart(5)}x | ` +
        `${(row.chainrule / row.tfjsWasm).toFixed(2).padStart(6)}x`,
    );
  }
  return rows;
}
