// The WebAssembly memory's edges: no call may lay out more than the kernels address (a named error
// from `reserve`, never a truncated copy), calls whose operands pass WASM_MAX_BYTES take the
// TypeScript kernels, and a call over RESIDENT_MAX_BYTES runs in a memory of its own that is given
// back at the next call. The 2 GiB and 4 GiB cases (ReLU on 2 GiB, a convolution with an input of
// 2 GiB and an output of 4 GiB) need ~10 GiB of RAM and a minute: they run with
// CHAINRULE_BIG_MEMORY=1 and are skipped with a message otherwise.
import { freemem } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainruleError } from '../../src/errors';
import { conv2d, tensor } from '../../src/index';
import { relu, setKernels, setNumThreads } from '../../src/kernels/index';
import {
  kernelBackend,
  MEMORY_MAX_BYTES,
  RESIDENT_MAX_BYTES,
  reserve,
  WASM_MAX_BYTES,
  wasmMemoryBytes,
} from '../../src/kernels/wasm/runtime';

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';
const big = process.env.CHAINRULE_BIG_MEMORY === '1';
const GiB = 2 ** 30;

describe.skipIf(!wasmOn)('WebAssembly memory edges', () => {
  beforeAll(() => setKernels('wasm'));

  it('reserve past the addressable limit throws a named error and changes nothing', () => {
    const before = wasmMemoryBytes();
    expect(() => reserve(MEMORY_MAX_BYTES + 16)).toThrow(ChainruleError);
    expect(() => reserve(4 * GiB)).toThrow(
      `kernels: a WebAssembly call needs ${4 * GiB} bytes of memory, over the ${MEMORY_MAX_BYTES} the kernels address`,
    );
    expect(wasmMemoryBytes()).toBe(before);
    expect(WASM_MAX_BYTES).toBeLessThanOrEqual(MEMORY_MAX_BYTES / 2);
  });

  it('a call over RESIDENT_MAX_BYTES runs in its own memory, given back at the next call', () => {
    relu(new Float32Array(4096), new Float32Array(4096));
    const resident = wasmMemoryBytes();
    expect(resident).toBeLessThanOrEqual(RESIDENT_MAX_BYTES);
    const n = RESIDENT_MAX_BYTES / 8 + 1024; // x and y together just over the resident limit
    const x = new Float32Array(n);
    for (let i = 0; i < n; i += 997) x[i] = i % 2 ? i : -i;
    x[n - 1] = 7;
    const y = new Float32Array(n).fill(Number.NaN);
    relu(x, y);
    expect(kernelBackend()).not.toBe('ts');
    expect(y[n - 1]).toBe(7); // the last element is copied back (no truncated copy)
    for (let i = 0; i < n; i += 997) expect(y[i]).toBe(Math.max(x[i] as number, 0));
    expect(y.every((v) => v >= 0)).toBe(true);
    expect(wasmMemoryBytes()).toBeGreaterThan(RESIDENT_MAX_BYTES); // the oversized call's memory, for now
    relu(new Float32Array(4096), new Float32Array(4096));
    expect(wasmMemoryBytes()).toBe(resident); // given back
  });
});

describe.skipIf(!wasmOn)('2 GiB and 4 GiB boundaries (CHAINRULE_BIG_MEMORY=1)', () => {
  const room = freemem() > 12 * GiB;
  if (!big || !room) {
    it.skip(
      big
        ? `skipped: ${(freemem() / GiB).toFixed(1)} GiB free, these need 12`
        : 'skipped: set CHAINRULE_BIG_MEMORY=1 to run ReLU on 2 GiB and a convolution of 2 GiB in, 4 GiB out (~10 GiB of RAM)',
      () => undefined,
    );
    return;
  }
  afterAll(() => setNumThreads(2));

  it('ReLU on a 2 GiB tensor: every element right (TypeScript kernels past WASM_MAX_BYTES)', () => {
    const n = 2 ** 29; // 2 GiB of float32
    const x = new Float32Array(n);
    for (let i = 0; i < n; i += 4099) x[i] = i % 3 ? -i : i;
    x[n - 1] = 5;
    const y = new Float32Array(n).fill(Number.NaN);
    relu(x, y);
    expect(y[n - 1]).toBe(5);
    for (let i = 0; i < n; i += 4099) expect(y[i]).toBe(Math.max(x[i] as number, 0));
    for (let i = 0; i < n; i++) if (!(y[i] === Math.max(x[i] as number, 0))) expect.fail(`y[${i}] = ${y[i]}`);
  }, 600_000);

  it('conv2d with a 2 GiB input and a 4 GiB output: every sampled output right, the last ones too', () => {
    // 1 → 2 channels, 1×1 kernel, bias: y[c] = w[c]·x + b[c] over 2²⁹ + 2¹⁸ positions
    const side = [16384 + 8, 32768];
    const positions = (side[0] as number) * (side[1] as number);
    let data: Float32Array | null = new Float32Array(positions);
    for (let i = 0; i < positions; i += 1_000_003) data[i] = (i % 7) - 3;
    data[positions - 1] = 1.5;
    const x = tensor(data).reshape([1, 1, ...side]);
    data = null;
    const y = conv2d(x, tensor([[[[2]]], [[[-3]]]]), tensor([1, -1])).data;
    expect(y.length).toBe(2 * positions); // 4 GiB + 2 MiB of float32
    expect(y[positions - 1]).toBe(4);
    expect(y[2 * positions - 1]).toBe(-5.5);
    for (let i = 0; i < positions; i += 1_000_003) {
      expect(y[i]).toBe(2 * (x.data[i] as number) + 1);
      expect(y[positions + i]).toBe(-3 * (x.data[i] as number) - 1);
    }
  }, 900_000);
});
