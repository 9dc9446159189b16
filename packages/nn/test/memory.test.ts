// Memory of a long training loop on the default kernels: the JS heap and the WebAssembly memory
// stay flat over 10,000 steps, and no ArrayBuffer is detached (a detached buffer anywhere in the
// process slows every typed-array loop in V8 for the rest of its life).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Rng, randn } from '@chainrule/core';
import * as kernels from '@chainrule/core/kernels';
import { describe, expect, it } from 'vitest';
import { crossEntropyLoss, MLP, SGD } from '../src/index';

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('memory of a training loop', () => {
  it('10,000 steps: JS heap within 2 MiB, WebAssembly memory unchanged, no detached buffer', () => {
    const gc = gcFunction();
    const rng = new Rng(11);
    // 32×32×32 products and larger: every gemm of the step takes the WebAssembly path when it is on
    const model = new MLP(32, [48, 32, 4], { rng });
    const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = randn([32, 32], { rng });
    const labels = Array.from({ length: 32 }, (_, i) => i % 4);
    const step = () => {
      const loss = crossEntropyLoss(model.forward(x), labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    };
    for (let i = 0; i < 100; i++) step();
    const heap = kernels.heapF32();
    const wasmBytes = kernels.wasmMemoryBytes();
    gc();
    const start = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) step();
    gc();
    const grown = process.memoryUsage().heapUsed - start;
    expect(grown).toBeLessThan(2 * 2 ** 20);
    expect(kernels.wasmMemoryBytes()).toBe(wasmBytes);
    expect(kernels.heapF32()).toBe(heap);
    // a detached buffer reports byteLength 0
    expect(heap.buffer.byteLength).toBe(wasmBytes);
    for (const p of model.parameters()) {
      expect(p.data.buffer.byteLength).toBeGreaterThan(0);
      expect(p.grad?.data.buffer.byteLength).toBeGreaterThan(0);
    }
  });
});
