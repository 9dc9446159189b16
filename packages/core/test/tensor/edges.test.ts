// Numerical and size edges that once gave wrong numbers or raw errors (issue 20), against
// PyTorch's own values (scripts/torch_edges_fixture.py → test/fixtures/edges.json): logSoftmax of
// logits of 1e13 and more, bceWithLogits at infinite logits, arange with a step of the wrong sign;
// and named errors, before any large allocation, for clone(bad dtype), repeat and embedding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  arange,
  binaryCrossEntropyWithLogits,
  ChainruleError,
  embedding,
  logSoftmax,
  tensor,
  zeros,
} from '../../src/index';

type Num = number | 'inf' | '-inf' | 'nan';
const dec = (v: Num): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? Number.NaN : v);
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'edges.json'), 'utf8')) as {
  logSoftmax: { dtype: 'float32' | 'float64'; x: Num[]; y: Num[] }[];
  bceWithLogits: { dtype: 'float32' | 'float64'; z: Num[]; t: number[]; loss: Num[]; grad: Num[] }[];
  arangeRejected: { args: number[]; error: string | null }[];
};

/** Equal to PyTorch: the same non-finite values, finite ones within `rel` (float32 rounds its own way). */
function close(got: ArrayLike<number>, want: Num[], rel: number): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    const [g, v] = [got[i] as number, dec(w)];
    if (!Number.isFinite(v)) expect(g).toBe(v);
    else if (Math.abs(g - v) > rel * Math.max(1, Math.abs(v))) expect.fail(`[${i}] = ${g}, PyTorch ${v}`);
  });
}

describe('numerical edges, against PyTorch', () => {
  it('logSoftmax of logits of 1e13 and more: (x − max) − ln Σ, as PyTorch', () => {
    for (const { dtype, x, y } of fixture.logSoftmax) {
      const got = logSoftmax(tensor(x.map(dec), { dtype }), 0);
      close(got.data, y, dtype === 'float64' ? 1e-15 : 1e-7);
    }
  });

  it('bceWithLogits at ±∞ logits: the values and gradients PyTorch gives (NaN and ∞ included)', () => {
    for (const { dtype, z, t, loss, grad } of fixture.bceWithLogits) {
      const zt = tensor(z.map(dec), { dtype, requiresGrad: true });
      const l = binaryCrossEntropyWithLogits(zt, tensor(t, { dtype }), 'none');
      close(l.data, loss, dtype === 'float64' ? 1e-15 : 1e-7);
      l.sum().backward();
      close(zt.grad?.data ?? [], grad, dtype === 'float64' ? 1e-15 : 1e-7);
    }
  });

  it('arange rejects a step whose sign leads away from end, where PyTorch raises; (0, 0, −1) is empty', () => {
    for (const { args, error } of fixture.arangeRejected) {
      expect(error).toBe('upper bound and larger bound inconsistent with step sign');
      const call = () => (arange as (...a: number[]) => unknown)(...args);
      expect(call).toThrow(ChainruleError);
      expect(call).toThrow(/^arange: a step of -?\d+ never goes from -?\d+ to -?\d+/);
    }
    expect(() => arange(0, 10, -1)).toThrow("arange: a step of -1 never goes from 0 to 10 (the step's sign must");
    expect(arange(0, 0, -1).shape).toEqual([0]);
    expect(Array.from(arange(3, 0, -1).data)).toEqual([3, 2, 1]);
  });
});

describe('named errors before large allocations', () => {
  it('clone with a bad dtype names clone and the value, and changes nothing', () => {
    const x = tensor([1, 2]);
    expect(() => x.clone('float16' as never)).toThrow(ChainruleError);
    expect(() => x.clone('float16' as never)).toThrow(
      "clone: dtype must be 'float32', 'float64', 'int32' or 'bool', got 'float16'",
    );
    expect(() => x.clone(null as never)).toThrow(/^clone: dtype must be .* got null$/);
    expect(Array.from(x.data)).toEqual([1, 2]);
  });

  it('repeat and embedding check the result size before building their index maps', () => {
    // 6·2³⁰ and 2³² elements: an index map of that size would take 16–24 GiB and a minute first
    expect(() => tensor([1, 2, 3]).repeat([2 ** 30, 2])).toThrow(
      'repeat: the result would have 6442450944 elements, over the 2147483647 (2³¹ − 1) a tensor may hold',
    );
    expect(() => embedding(new Int32Array(2 ** 22), zeros([4, 1024]))).toThrow(
      'embedding: the result would have 4294967296 elements, over the 2147483647 (2³¹ − 1) a tensor may hold',
    );
  });
});
