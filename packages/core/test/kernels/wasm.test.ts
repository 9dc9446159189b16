// The WebAssembly gemm against the TypeScript gemm (its reference), over shapes around every block
// boundary of the kernel; the loader's choices; and the committed binary against a fresh compile.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compile, RELAXED_SIMD, renderBinaryModule, SHARED, SIMD128 } from '../../scripts/build-wasm';
import { ChainruleError } from '../../src/errors';
import {
  type Buf,
  gemm,
  gemmBatched,
  gemmBatchedTs,
  gemmBatchedWasm,
  gemmTs,
  gemmWasm,
  kernelBackend,
  setKernels,
  wasmMemoryBytes,
} from '../../src/kernels/index';
import { relaxedSimd, simd128 } from '../../src/kernels/wasm/binary';
import { heapF32 } from '../../src/kernels/wasm/runtime';
import { withSharedMemory } from '../../src/kernels/wasm/shared';
import { Rng } from '../../src/rng';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function random(Type: Ctor, size: number, rng: Rng): Buf {
  const x = new Type(size);
  for (let i = 0; i < size; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

// The kernel's blocks: 4-row tiles, 8 (float32) or 4 (float64) columns, 64-row blocks, k blocks of
// 256. Sizes 1, odd sizes, and each boundary with its neighbours.
const edge = fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 63, 64, 65);
const dim = fc.oneof(edge, fc.integer({ min: 1, max: 40 }));
const depth = fc.oneof(edge, fc.constantFrom(255, 256, 257, 513), fc.integer({ min: 1, max: 300 }));

/** Σ_p |op(A)[i,p]·op(B)[p,j]|: the scale of C's rounding error, per element. */
function magnitudes(m: number, n: number, k: number, a: Buf, tA: boolean, b: Buf, tB: boolean): Float64Array {
  const s = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) {
        const v = (a[tA ? p * m + i : i * k + p] as number) * (b[tB ? j * k + p : p * n + j] as number);
        s[i * n + j] = (s[i * n + j] as number) + Math.abs(v);
      }
  return s;
}

// Node 20 validates the relaxed-SIMD build only behind this V8 flag (Node 22 by default): set it so
// that both builds are tested against the reference.
setFlagsFromString('--experimental-wasm-relaxed-simd');
const BUILDS = ['wasm-simd128', 'wasm-relaxed-simd'] as const;

describe('WebAssembly gemm', () => {
  afterEach(() => setKernels(process.env.CHAINRULE_KERNELS === 'ts' ? 'ts' : 'wasm'));

  it.each(BUILDS)(
    '%s matches the TypeScript gemm: every transpose, accumulate, offsets, block edges, both dtypes',
    (build) => {
      setKernels(build);
      expect(kernelBackend()).toBe(build);
      const arb = fc.record({
        m: dim,
        n: dim,
        k: depth,
        tA: fc.boolean(),
        tB: fc.boolean(),
        accumulate: fc.boolean(),
        offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
        f64: fc.boolean(),
        seed: fc.nat(),
      });
      fc.assert(
        fc.property(arb, ({ m, n, k, tA, tB, accumulate, offsets: [ao, bo, co], f64, seed }) => {
          const Type = f64 ? Float64Array : Float32Array;
          const rng = new Rng(seed);
          const a = random(Type, ao + m * k + 2, rng);
          const b = random(Type, bo + k * n + 2, rng);
          const c = random(Type, co + m * n + 2, rng);
          const want = c.slice();
          const got = c.slice();
          gemmTs(m, n, k, a, tA, b, tB, want, accumulate, ao, bo, co);
          gemmWasm(m, n, k, a, tA, b, tB, got, accumulate, ao, bo, co);
          const scale = magnitudes(m, n, k, a.subarray(ao), tA, b.subarray(bo), tB);
          // both sum in their own order (and the relaxed build may fuse): rounding of Σ|terms| only
          const tol = f64 ? 1e-13 : 1e-6;
          for (let i = 0; i < got.length; i++) {
            const inside = i >= co && i < co + m * n;
            const bound = inside ? tol * ((scale[i - co] as number) + Math.abs(c[i] as number)) : 0;
            if (!(Math.abs((got[i] as number) - (want[i] as number)) <= bound)) {
              expect.fail(`C[${i}] = ${got[i]}, TypeScript ${want[i]} (m=${m} n=${n} k=${k} tA=${tA} tB=${tB})`);
            }
          }
        }),
        { numRuns: 400, seed: 41 },
      );
    },
  );

  it.each(BUILDS)(
    '%s batched gemm equals one TypeScript gemm per batch, repeated and broadcast offsets included',
    (build) => {
      setKernels(build);
      const arb = fc.record({
        m: dim,
        n: dim,
        k: dim,
        tA: fc.boolean(),
        tB: fc.boolean(),
        accumulate: fc.boolean(),
        f64: fc.boolean(),
        // which stored matrix each product reads and writes: repeats are broadcasts (a, b) and
        // gradient sums (c)
        batches: fc.array(fc.tuple(fc.nat(2), fc.nat(2), fc.nat(3)), { minLength: 1, maxLength: 6 }),
        pad: fc.nat(4),
        seed: fc.nat(),
      });
      fc.assert(
        fc.property(arb, ({ m, n, k, tA, tB, accumulate, f64, batches, pad, seed }) => {
          const Type = f64 ? Float64Array : Float32Array;
          const rng = new Rng(seed);
          const a = random(Type, pad + 3 * m * k, rng);
          const b = random(Type, pad + 3 * k * n, rng);
          const c = random(Type, pad + 4 * m * n + pad, rng);
          const aOff = Int32Array.from(batches, ([i]) => pad + i * m * k);
          const bOff = Int32Array.from(batches, ([, j]) => pad + j * k * n);
          const cOff = Int32Array.from(batches, ([, , l]) => pad + l * m * n);
          const want = c.slice();
          const got = c.slice();
          gemmBatchedTs(m, n, k, aOff, bOff, cOff, a, tA, b, tB, want, accumulate);
          gemmBatchedWasm(m, n, k, aOff, bOff, cOff, a, tA, b, tB, got, accumulate);
          // every term is at most 1 in size: rounding of at most k·count terms plus C
          const bound = (f64 ? 1e-14 : 1e-6) * (k * batches.length + 1);
          for (let i = 0; i < c.length; i++) {
            if (!(Math.abs((got[i] as number) - (want[i] as number)) <= bound)) {
              expect.fail(
                `C[${i}] = ${got[i]}, TypeScript ${want[i]} (m=${m} n=${n} k=${k} batches=${JSON.stringify(batches)})`,
              );
            }
          }
        }),
        { numRuns: 150, seed: 43 },
      );
    },
  );

  it('gemmBatched dispatches like gemm: the same result as the loop of gemm', () => {
    const rng = new Rng(8);
    const a = random(Float64Array, 2 * 20 * 30, rng);
    const b = random(Float64Array, 30 * 25, rng);
    const viaBatch = new Float64Array(2 * 20 * 25);
    const viaLoop = new Float64Array(2 * 20 * 25);
    const aOff = Int32Array.of(0, 600);
    const bOff = Int32Array.of(0, 0);
    const cOff = Int32Array.of(0, 500);
    gemmBatched(20, 25, 30, aOff, bOff, cOff, a, false, b, false, viaBatch, false);
    for (let t = 0; t < 2; t++) gemm(20, 25, 30, a, false, b, false, viaLoop, false, aOff[t], bOff[t], cOff[t]);
    for (let i = 0; i < viaLoop.length; i++) expect(viaBatch[i]).toBeCloseTo(viaLoop[i] as number, 12);
  });

  it('accumulate = false overwrites NaN; k = 0 writes zeros, or leaves C when accumulating', () => {
    for (const Type of [Float32Array, Float64Array]) {
      const c = new Type(6 * 9).fill(Number.NaN);
      gemmWasm(6, 9, 0, new Type(0), false, new Type(0), false, c, false, 0, 0, 0);
      expect(c.every((v) => v === 0)).toBe(true);
      c.fill(5);
      gemmWasm(6, 9, 0, new Type(0), false, new Type(0), false, c, true, 0, 0, 0);
      expect(c.every((v) => v === 5)).toBe(true);
      c.fill(Number.NaN);
      // op(A) = 2·1 (6×3), op(B) = 1 (3×9): every entry of C is Σ_p 2·1 = 6
      gemmWasm(6, 9, 3, new Type(18).fill(2), false, new Type(27).fill(1), false, c, false, 0, 0, 0);
      expect(Array.from(c)).toEqual(new Array(54).fill(6));
    }
  });

  it('gemm takes the WebAssembly path unless TypeScript is forced; mixed dtypes stay in TypeScript', () => {
    const rng = new Rng(5);
    const a = random(Float32Array, 32 * 40, rng);
    const b = random(Float32Array, 40 * 24, rng);
    const viaWasm = new Float32Array(32 * 24);
    const viaTs = new Float32Array(32 * 24);
    const direct = new Float32Array(32 * 24);
    setKernels('wasm');
    expect(kernelBackend()).toMatch(/^wasm-(simd128|relaxed-simd)$/);
    gemm(32, 24, 40, a, false, b, false, viaWasm, false);
    gemmWasm(32, 24, 40, a, false, b, false, direct, false, 0, 0, 0);
    expect(viaWasm).toEqual(direct);
    setKernels('ts');
    expect(kernelBackend()).toBe('ts');
    gemm(32, 24, 40, a, false, b, false, viaTs, false);
    gemmTs(32, 24, 40, a, false, b, false, direct, false);
    expect(viaTs).toEqual(direct);
    // a float64 B with float32 A and C: the TypeScript loops, whatever the setting
    setKernels('wasm');
    const b64 = Float64Array.from(b);
    const mixed = new Float32Array(32 * 24);
    gemm(32, 24, 40, a, false, b64, false, mixed, false);
    expect(mixed).toEqual(viaTs);
  });

  it('setKernels rejects other names, and changes nothing then', () => {
    setKernels('ts');
    for (const bad of ['gpu', 'toString']) {
      expect(() => setKernels(bad as 'ts')).toThrow(ChainruleError);
      expect(() => setKernels(bad as 'ts')).toThrow(
        `setKernels: expected 'ts', 'wasm', 'wasm-simd128' or 'wasm-relaxed-simd', got "${bad}"`,
      );
    }
    expect(kernelBackend()).toBe('ts');
  });

  it("setKernels('wasm') picks the relaxed-SIMD build where the engine validates it", () => {
    setKernels('wasm-simd128');
    expect(kernelBackend()).toBe('wasm-simd128');
    setKernels('wasm');
    expect(kernelBackend()).toBe('wasm-relaxed-simd'); // the flag above is set
  });

  it('the suite runs with the kernels CHAINRULE_KERNELS names', () => {
    if (process.env.CHAINRULE_KERNELS === 'ts') expect(kernelBackend()).toBe('ts');
    else expect(kernelBackend()).not.toBe('ts');
  });

  it('a gemm larger than the memory gets more (a grown shared memory in Node); the old buffer is not detached', () => {
    const before = wasmMemoryBytes();
    const old = heapF32();
    const oldLength = old.length;
    // C alone (n×n float32) overflows the current memory; k = 1 keeps the product cheap
    const n = Math.ceil(Math.sqrt(before / 4)) + 8;
    const rng = new Rng(9);
    const a = random(Float32Array, n, rng);
    const b = random(Float32Array, n, rng);
    const c = new Float32Array(n * n);
    gemmWasm(n, n, 1, a, false, b, false, c, false, 0, 0, 0);
    expect(wasmMemoryBytes()).toBeGreaterThanOrEqual(2 * before);
    expect(heapF32()).not.toBe(old);
    // growing a plain memory would have detached it (length 0); a shared one keeps its length
    expect(old.length).toBe(oldLength);
    // C[i, j] = a[i]·b[j]
    expect(c[7 * n + 3]).toBe(Math.fround((a[7] as number) * (b[3] as number)));
    expect(c[n * n - 1]).toBe(Math.fround((a[n - 1] as number) * (b[n - 1] as number)));
  });

  // the compiler takes seconds, and the binary does not depend on the kernel choice: once is enough
  it.skipIf(process.env.CHAINRULE_KERNELS === 'ts')(
    'the committed binary (src/kernels/wasm/binary.ts) is a fresh compile of assembly/',
    async () => {
      const committed = readFileSync(
        fileURLToPath(new URL('../../src/kernels/wasm/binary.ts', import.meta.url)),
        'utf8',
      );
      expect(committed).toBe(await renderBinaryModule());
    },
    60_000,
  );

  it.skipIf(process.env.CHAINRULE_KERNELS === 'ts')(
    "the shared-memory variant derived at load is byte for byte asc's own --sharedMemory build",
    async () => {
      const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
      for (const [b64, features] of [
        [simd128, SIMD128],
        [relaxedSimd, RELAXED_SIMD],
      ] as const) {
        const derived = withSharedMemory(bytes(b64), 65536);
        expect(derived).not.toBeNull();
        expect(Buffer.from(derived ?? [])).toEqual(Buffer.from(await compile([...features, ...SHARED])));
      }
      // a module whose memory is already shared (or that imports none) is left alone
      expect(withSharedMemory(await compile([...SIMD128, ...SHARED]), 65536)).toBeNull();
      expect(withSharedMemory(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), 65536)).toBeNull();
    },
    60_000,
  );
});
