import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainruleError, tensor, zeros } from '../../src/index';
import { expectClose, expectGradcheck, rand64, unravel } from './helpers';

const m = () =>
  tensor(
    [
      [1, 5, 3],
      [4, 2, 6],
    ],
    { requiresGrad: true, dtype: 'float64' },
  );

describe('sum', () => {
  it('hand values: all, one dim, negative dim, keepDim, a dim list', () => {
    expect(m().sum().item()).toBe(21);
    expect(m().sum().shape).toEqual([]);
    expect(m().sum(0).toArray()).toEqual([5, 7, 9]);
    expect(m().sum(-1).toArray()).toEqual([9, 12]);
    expect(m().sum(1, true).toArray()).toEqual([[9], [12]]);
    expect(m().sum([0, 1], true).toArray()).toEqual([[21]]);
    expect(m().sum([]).item()).toBe(21);
  });

  it('∂L/∂x is gy broadcast over the summed dims', () => {
    const x = m();
    x.sum(1).backward(tensor([10, 20], { dtype: 'float64' }));
    expect(x.grad?.toArray()).toEqual([
      [10, 10, 10],
      [20, 20, 20],
    ]);
    expectGradcheck((t) => t.sum([0, 2]), [rand64([2, 3, 4])]);
    expectGradcheck((t) => t.sum(-2, true), [rand64([2, 3, 4])]);
  });

  it('property: sum over a random dim set equals a naive loop, mean = sum / n', () => {
    const arb = fc
      .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
      .chain((shape) => fc.tuple(fc.constant(shape), fc.subarray(shape.map((_, i) => i)), fc.boolean(), fc.boolean()));
    fc.assert(
      fc.property(arb, ([shape, dims, keepDim, negative]) => {
        const x = rand64(shape);
        const given = negative ? dims.map((d) => d - shape.length) : dims;
        const y = x.sum(given, keepDim);
        const all = dims.length === 0;
        const keptShape = shape.map((d, i) => (all || dims.includes(i) ? 1 : d));
        const expected = new Float64Array(keptShape.reduce((a, b) => a * b, 1));
        for (let i = 0; i < x.size; i++) {
          const idx = unravel(i, shape);
          let o = 0;
          for (let d = 0; d < shape.length; d++)
            o = o * (keptShape[d] as number) + ((keptShape[d] as number) === 1 ? 0 : (idx[d] as number));
          expected[o] = (expected[o] as number) + (x.data[i] as number);
        }
        expectClose(y.data, expected, 1e-12);
        expect(y.shape).toEqual(keepDim ? keptShape : shape.filter((_d, i) => !(all || dims.includes(i))));
        const mean = x.mean(given, keepDim);
        const n = x.size / expected.length;
        expectClose(
          mean.data,
          expected.map((v) => v / n),
          1e-12,
        );
      }),
      { numRuns: 150, seed: 11 },
    );
  });
});

describe('mean', () => {
  it('hand values and gradient 1/n', () => {
    expect(m().mean().item()).toBe(3.5);
    expect(m().mean(0).toArray()).toEqual([2.5, 3.5, 4.5]);
    const x = m();
    x.mean().backward();
    expect(x.grad?.toArray()).toEqual([
      [1 / 6, 1 / 6, 1 / 6],
      [1 / 6, 1 / 6, 1 / 6],
    ]);
    expectGradcheck((t) => t.mean([1, 2], true), [rand64([2, 3, 4])]);
  });
});

describe('max', () => {
  it('hand values over all, one dim and keepDim; the gradient goes to the arg-max', () => {
    expect(m().max().item()).toBe(6);
    expect(m().max(1).toArray()).toEqual([5, 6]);
    expect(m().max(0, true).toArray()).toEqual([[4, 5, 6]]);
    const x = m();
    x.max(0).backward(tensor([1, 2, 3], { dtype: 'float64' }));
    expect(x.grad?.toArray()).toEqual([
      [0, 2, 0],
      [1, 0, 3],
    ]);
  });

  it('ties: the whole gradient goes to the first maximum in row-major order', () => {
    const x = tensor(
      [
        [2, 7, 7],
        [7, 1, 0],
      ],
      { requiresGrad: true },
    );
    x.max().backward();
    expect(x.grad?.toArray()).toEqual([
      [0, 1, 0],
      [0, 0, 0],
    ]);
    const z = tensor(
      [
        [3, 3],
        [1, 1],
      ],
      { requiresGrad: true },
    );
    z.max(1).sum().backward();
    expect(z.grad?.toArray()).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it('NaN propagates; -Infinity is a valid maximum', () => {
    expect(tensor([1, Number.NaN, 3]).max().item()).toBeNaN();
    expect(tensor([Number.NEGATIVE_INFINITY]).max().item()).toBe(Number.NEGATIVE_INFINITY);
  });

  it('gradcheck over a dim list (no ties in random data)', () => {
    expectGradcheck((t) => t.max([0, 2]), [rand64([3, 2, 4])]);
    expectGradcheck((t) => t.max(-1, true), [rand64([3, 5])]);
  });
});

describe('reduction errors', () => {
  it('a dim out of range or repeated throws, naming the op and the valid range', () => {
    const x = m();
    expect(() => x.sum(2)).toThrow(ChainruleError);
    expect(() => x.sum(2)).toThrow('sum: dim 2 is out of range for a tensor of 2 dims (expected an integer in -2..1)');
    expect(() => x.mean(-3)).toThrow(
      'mean: dim -3 is out of range for a tensor of 2 dims (expected an integer in -2..1)',
    );
    expect(() => x.max([0, -2])).toThrow('max: dim list [0, -2] repeats a dim');
    expect(() => x.sum(0.5)).toThrow('sum: dim 0.5 is out of range');
    expect(() => tensor([]).max()).toThrow('max: cannot reduce over an empty dim of a tensor of shape [0]');
    expect(x.grad).toBeNull();
  });
});

describe('float32 sums', () => {
  it('accumulate in float64 along a reduced run: Σ 0.1 over 10⁶ elements is within float32 rounding of 10⁵', () => {
    const x = tensor(new Float32Array(1_000_000).fill(0.1));
    // a float32 running sum drifts by ~1% here; one rounding at the end is exact to ~1e-7
    const exact = 1_000_000 * Math.fround(0.1);
    expect(Math.abs(x.sum().item() - exact) / exact).toBeLessThan(1e-7);
    expect(Math.abs(x.reshape([1000, 1000]).sum(1).sum().item() - exact) / exact).toBeLessThan(1e-6);
  });
});

describe('min, argmax, argmin, var, std, logsumexp, cumsum', () => {
  it('min is −max(−x): values, the gradient to the first arg-min, and empty results', () => {
    const x = tensor(
      [
        [3, 1, 1],
        [0, 5, -2],
      ],
      { requiresGrad: true },
    );
    expect(x.min(1).toArray()).toEqual([1, -2]);
    expect(x.min().item()).toBe(-2);
    x.min(1).sum().backward();
    expect(x.grad?.toArray()).toEqual([
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(zeros([0, 3]).max(1).shape).toEqual([0]); // as PyTorch: nothing to reduce, nothing returned
    expect(() => zeros([0, 3]).max(0)).toThrow('max: cannot reduce over an empty dim of a tensor of shape [0,3]');
    expectGradcheck((t) => t.min(0), [rand64([3, 4])]);
  });

  it('argmax and argmin give int32 indices: the first on ties, NaN counts as the extreme', () => {
    const x = tensor([
      [1, 7, 7],
      [9, 2, 9],
    ]);
    expect(x.argmax(1).toArray()).toEqual([1, 0]);
    expect(x.argmax(1).dtype).toBe('int32');
    expect(x.argmin(0, true).toArray()).toEqual([[0, 1, 0]]);
    expect(x.argmax().toArray()).toBe(3);
    expect(x.argmax(undefined, true).shape).toEqual([1, 1]);
    expect(tensor([1, Number.NaN, 5]).argmax().item()).toBe(1);
    expect(tensor([1, Number.NaN, -5]).argmin().item()).toBe(1);
  });

  it('var and std with Bessel correction (default 1) or none', () => {
    const x = tensor([1, 2, 3, 4], { dtype: 'float64' });
    expect(x.var().item()).toBeCloseTo(5 / 3, 14);
    expect(x.var(0, { correction: 0 }).item()).toBeCloseTo(1.25, 14);
    expect(x.std().item()).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(
      tensor([[1, 3]])
        .var(1, { keepDim: true })
        .toArray(),
    ).toEqual([[2]]);
    expectGradcheck((t) => t.var(1), [rand64([3, 4])]);
    expectGradcheck((t) => t.std([0, 1], { correction: 0 }), [rand64([3, 4])]);
  });

  it('logsumexp is stable at ±1000, gives −∞ for a row of −∞, and its gradient is softmax', () => {
    const big = tensor([1000, 1000], { dtype: 'float64' });
    expect(big.logsumexp(0).item()).toBeCloseTo(1000 + Math.log(2), 10);
    expect(tensor([-1000, -1000], { dtype: 'float64' }).logsumexp(0).item()).toBeCloseTo(-1000 + Math.log(2), 10);
    expect(tensor([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]).logsumexp(0).item()).toBe(
      Number.NEGATIVE_INFINITY,
    );
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    x.logsumexp(0).backward();
    expectClose(x.grad?.data ?? [], Array.from(x.detach().softmax(0).data), 1e-14);
    expect(rand64([2, 3, 4]).logsumexp([0, 2], true).shape).toEqual([1, 3, 1]);
    expectGradcheck((t) => t.logsumexp(-1), [rand64([3, 4])]);
  });

  it('cumsum runs along a dim; ∂L/∂x_i = Σ_{j ≥ i} gy_j', () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    expect(x.cumsum(1).toArray()).toEqual([
      [1, 3, 6],
      [4, 9, 15],
    ]);
    expect(x.cumsum(0).toArray()).toEqual([
      [1, 2, 3],
      [5, 7, 9],
    ]);
    x.cumsum(1).sum().backward();
    expect(x.grad?.toArray()).toEqual([
      [3, 2, 1],
      [3, 2, 1],
    ]);
    expectGradcheck((t) => t.cumsum(0).tanh(), [rand64([3, 2])]);
  });
});
