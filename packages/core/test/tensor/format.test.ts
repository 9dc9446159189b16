import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { arange, tensor, Value } from '../../src/index';
import { formatTensor, type Printable } from '../../src/tensor/format';
import fixtures from './fixtures/print.json';

// PyTorch's repr of the same tensors, from scripts/print-fixtures.py (torch 1.13).
const torch: Record<string, string> = fixtures.cases;
const a = (n: number, div = 1) => tensor(Float32Array.from({ length: n }, (_, i) => i / div));

const cases: Record<string, () => Printable> = {
  scalar: () => tensor(1),
  scalarFraction: () => tensor(2.5),
  vector: () => tensor([1, 2, 3]),
  matrix: () =>
    tensor([
      [1, 2],
      [3, 4],
    ]),
  fractions: () =>
    tensor([
      [0.1, -2.25],
      [3.33333, 100.5],
    ]),
  negativeFractions: () => tensor([-0.5, 0.25]),
  tiny: () => tensor([1e-5, 1, 3e3]),
  huge: () => tensor([1e9, 2]),
  nonFinite: () => tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5]),
  zeros: () => tensor(new Float32Array(6), { shape: [2, 3] }),
  float64RequiresGrad: () =>
    tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64', requiresGrad: true },
    ),
  cube: () => arange(8).reshape([2, 2, 2]),
  wrapped: () => a(30, 7),
  summarized1d: () => arange(1001),
  summarized2d: () => a(1200, 3).reshape([40, 30]),
  summarized3d: () => arange(2000).reshape([10, 10, 20]),
  empty: () => tensor([]),
  empty2d: () => tensor(new Float32Array(0), { shape: [2, 0] }),
  // int32 and bool through the structural type the formatter reads
  int32: () => ({ data: Int32Array.of(1, -20, 300, 4), shape: [2, 2], dtype: 'int32', requiresGrad: false }),
  bool: () => ({ data: Uint8Array.of(1, 0, 0, 1), shape: [2, 2], dtype: 'bool', requiresGrad: false }),
};

describe('printing a tensor', () => {
  it('covers every PyTorch fixture', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(torch).sort());
  });

  for (const [name, make] of Object.entries(cases)) {
    it(`prints ${name} as PyTorch does`, () => {
      expect(formatTensor(make())).toBe(torch[name]);
    });
  }

  it('is what toString, String(), template literals, util.inspect and console.log show', () => {
    const t = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const expected = 'tensor([1., 2.], dtype=float64, requiresGrad=true)';
    expect(t.toString()).toBe(expected);
    expect(String(t)).toBe(expected);
    expect(`${t}`).toBe(expected);
    expect(inspect(t)).toBe(expected);
    expect(inspect({ t })).toBe(`{ t: ${expected} }`);
  });

  it('marks a tensor computed from one that requires grad', () => {
    const w = tensor([0.5, -1], { requiresGrad: true });
    expect(String(w.mul(2))).toBe('tensor([ 1., -2.], requiresGrad=true)');
    expect(String(w.mul(2).detach())).toBe('tensor([ 1., -2.])');
  });

  it('puts a suffix on its own line when it would pass 80 columns', () => {
    const t = tensor(Float64Array.from({ length: 9 }, (_, i) => i + 0.5));
    expect(String(t)).toBe(
      'tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000],\n       dtype=float64)',
    );
  });
});

describe('printing a Value', () => {
  it("prints as micrograd's repr, in toString, util.inspect and console.log", () => {
    const a = new Value(2);
    const y = a.mul(-3);
    y.backward();
    expect(String(y)).toBe('Value(data=-6, grad=1)');
    expect(inspect(a)).toBe('Value(data=2, grad=-3)');
    expect(inspect(new Value(1.5, { label: 'w' }))).toBe('Value(data=1.5, grad=0, label=w)');
  });
});
