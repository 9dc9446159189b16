// The derivative table (rules.ts) applied to tensors: each op elementwise gives the same values
// and gradients as the scalar Value engine; plus hand values, broadcasting and gradcheck.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainruleError, type Tensor, tensor, Value } from '../../src/index';
import { awayFromKink, binaryRules, powRules, unaryRules } from '../rules';
import {
  broadcastPair,
  clearGrad,
  expectClose,
  expectGradcheck,
  rand64,
  ravelBroadcast,
  rng,
  unravel,
} from './helpers';

type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'tanh' | 'sigmoid' | 'relu' | 'leakyRelu';
const applyT = (op: string, t: Tensor): Tensor => t[op as UnaryOp]();

function sample(domain: [number, number], kink: number | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x: number;
    do x = rng.uniform(domain[0], domain[1]);
    while (!awayFromKink(x, kink));
    out[i] = x;
  }
  return out;
}

describe('unary ops: tensor = scalar engine = hand formula, then gradcheck', () => {
  for (const r of unaryRules) {
    const tag = r.formula ? `${r.formula}: ` : '';
    it(`${tag}${r.op}: ${r.rule}`, () => {
      const data = sample(r.domain, r.kink, 24);
      const x = tensor(data, { shape: [2, 3, 4], requiresGrad: true });
      const y = applyT(r.op, x);
      // upstream gradient varies per element, so the test sees gy ∘ f'(x), not just f'(x)
      const gy = tensor(sample([0.5, 1.5], undefined, 24), { shape: [2, 3, 4] });
      y.backward(gy);
      for (let i = 0; i < data.length; i++) {
        const xi = data[i] as number;
        const g = gy.data[i] as number;
        expect(Math.abs((y.data[i] as number) - r.f(xi))).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(r.f(xi))));
        expect(Math.abs((x.grad?.data[i] as number) - g * r.df(xi))).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(g * r.df(xi))),
        );
        if (r.value) {
          const v = new Value(xi);
          const out = (v[r.op as 'tanh']() as Value).mul(g);
          out.backward();
          expect(y.data[i]).toBe((out.children[0] as Value).data);
          expect(x.grad?.data[i]).toBe(v.grad);
        }
      }
      expectGradcheck((t) => applyT(r.op, t), [tensor(sample(r.domain, r.kink, 6), { shape: [3, 2] })]);
    });
  }

  for (const { exponent, domain } of powRules) {
    it(`pow(${exponent}): ∂L/∂x = gy ∘ n·xⁿ⁻¹, equal to Value.pow`, () => {
      const data = sample(domain, undefined, 8);
      const x = tensor(data, { requiresGrad: true });
      x.pow(exponent).sum().backward();
      for (let i = 0; i < data.length; i++) {
        const v = new Value(data[i] as number);
        v.pow(exponent).backward();
        expect(x.grad?.data[i]).toBe(v.grad);
      }
      expectGradcheck((t) => t.pow(exponent), [tensor(sample(domain, undefined, 5))]);
    });
  }

  it('F9: relu has gradient 0 at exactly 0 (and abs), leakyRelu the slope', () => {
    const x = tensor([0, 0, 0], { requiresGrad: true, dtype: 'float64' });
    x.relu().sum().backward();
    expect(Array.from(x.grad?.data ?? [])).toEqual([0, 0, 0]);
    // the kink beside both sides, into a fresh gradient buffer and (z used twice) accumulated into
    // it, in float32 and float64, small (TypeScript kernel) and large (WebAssembly from 1024 elements)
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [3, 3000]) {
        const z = tensor(
          Array.from({ length: n }, (_, i) => (i % 3) - 1),
          { requiresGrad: true, dtype },
        ); // −1, 0, 1, −1, 0, 1, …
        const want = Array.from({ length: n }, (_, i) => (i % 3 === 2 ? 1 : 0));
        z.relu().sum().backward();
        expect(Array.from(z.grad?.data ?? [])).toEqual(want);
        clearGrad(z);
        z.relu().add(z.relu()).sum().backward();
        expect(Array.from(z.grad?.data ?? [])).toEqual(want.map((v) => 2 * v));
      }
    }
    clearGrad(x);
    x.abs().sum().backward();
    expect(Array.from(x.grad?.data ?? [])).toEqual([0, 0, 0]);
    clearGrad(x);
    x.leakyRelu(0.2).sum().backward();
    expect(Array.from(x.grad?.data ?? [])).toEqual([0.2, 0.2, 0.2]);
  });

  it('sigmoid is finite and exact at ±1000', () => {
    const y = tensor([-1000, 1000], { dtype: 'float64' }).sigmoid();
    expect(Array.from(y.data)).toEqual([0, 1]);
  });
});

describe('binary ops with broadcasting', () => {
  for (const r of binaryRules) {
    it(`${r.op}: ${r.rule}, tensor = scalar engine element by element, over broadcast shapes`, () => {
      const a = rand64([3, 1, 4], ...r.domainA);
      const b = rand64([2, 1], ...r.domainB);
      const y = a[r.op](b);
      expect(y.shape).toEqual([3, 2, 4]);
      y.sum().backward();
      // reference: every output element through the Value engine, gradients summed per operand
      const va = Array.from(a.data, (v) => new Value(v));
      const vb = Array.from(b.data, (v) => new Value(v));
      for (let i = 0; i < y.size; i++) {
        const idx = unravel(i, y.shape);
        const out = (va[ravelBroadcast(idx, a.shape)] as Value)[r.op](vb[ravelBroadcast(idx, b.shape)] as Value);
        expect(y.data[i]).toBe(out.data);
        out.backward();
      }
      expectClose(
        a.grad?.data ?? [],
        va.map((v) => v.grad),
        1e-14,
      );
      expectClose(
        b.grad?.data ?? [],
        vb.map((v) => v.grad),
        1e-14,
      );
      expectGradcheck((p, q) => p[r.op](q), [rand64([2, 3], ...r.domainA), rand64([3], ...r.domainB)]);
      expectGradcheck((p, q) => p[r.op](q), [rand64([4, 1], ...r.domainA), rand64([2, 1, 3], ...r.domainB)]);
    });
  }

  it('[3,1] + [1,4]: gradients [[4],[4],[4]] and [[3,3,3,3]] (F15)', () => {
    const a = tensor([[1], [2], [3]], { requiresGrad: true });
    const b = tensor([[10, 20, 30, 40]], { requiresGrad: true });
    const y = a.add(b);
    expect(y.toArray()).toEqual([
      [11, 21, 31, 41],
      [12, 22, 32, 42],
      [13, 23, 33, 43],
    ]);
    y.sum().backward();
    expect(a.grad?.toArray()).toEqual([[4], [4], [4]]);
    expect(b.grad?.toArray()).toEqual([[3, 3, 3, 3]]);
  });

  it('number operands are 0-d tensors of the other dtype; mixed dtypes promote to float64', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const y = a.mul(2).add(1).sub(0.5).div(4);
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.data)).toEqual([0.625, 1.125, 1.625]);
    y.sum().backward();
    expect(Array.from(a.grad?.data ?? [])).toEqual([0.5, 0.5, 0.5]);
    const z = tensor([1], { dtype: 'float64' }).add(tensor([2]));
    expect(z.dtype).toBe('float64');
  });

  it('a node used twice and a diamond accumulate their gradients (F16)', () => {
    const a = tensor([3, -1], { requiresGrad: true, dtype: 'float64' });
    a.mul(a).sum().backward();
    expect(Array.from(a.grad?.data ?? [])).toEqual([6, -2]);
    // y = c + c·d: ∂y/∂c = 1 + d, which an overwriting (`=`) backward in mul would lose
    const c = tensor([2, -4], { requiresGrad: true, dtype: 'float64' });
    const d = tensor([5, 0.5], { requiresGrad: true, dtype: 'float64' });
    c.add(c.mul(d)).sum().backward();
    expect(Array.from(c.grad?.data ?? [])).toEqual([6, 1.5]);
    expect(Array.from(d.grad?.data ?? [])).toEqual([2, -4]);
    const x = tensor([3], { requiresGrad: true, dtype: 'float64' });
    const w = tensor([2], { requiresGrad: true, dtype: 'float64' });
    // (x + w)(x − w) = x² − w²
    x.add(w).mul(x.sub(w)).backward();
    expect(x.grad?.item()).toBe(6);
    expect(w.grad?.item()).toBe(-4);
  });

  it('property: broadcasting matches a naive index loop, and gradients are reduced to each shape', () => {
    fc.assert(
      fc.property(broadcastPair, ([sa, sb]) => {
        const a = rand64(sa);
        const b = rand64(sb);
        const y = a.mul(b);
        const gy = rand64([...y.shape]);
        y.backward(gy);
        const ga = new Float64Array(a.size);
        const gb = new Float64Array(b.size);
        for (let i = 0; i < y.size; i++) {
          const idx = unravel(i, y.shape);
          const ia = ravelBroadcast(idx, sa);
          const ib = ravelBroadcast(idx, sb);
          expect(y.data[i]).toBe((a.data[ia] as number) * (b.data[ib] as number));
          ga[ia] = (ga[ia] as number) + (gy.data[i] as number) * (b.data[ib] as number);
          gb[ib] = (gb[ib] as number) + (gy.data[i] as number) * (a.data[ia] as number);
        }
        expectClose(a.grad?.data ?? [], ga, 1e-12);
        expectClose(b.grad?.data ?? [], gb, 1e-12);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('non-broadcastable shapes throw, naming the op and shapes, and change nothing', () => {
    const a = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const b = tensor([1, 2, 3, 4], { requiresGrad: true });
    expect(() => a.add(b)).toThrow(ChainruleError);
    expect(() => a.add(b)).toThrow('add: shapes [2,3] and [4] cannot broadcast (dim -1: 3 vs 4)');
    expect(() => a.mul(b)).toThrow('mul: shapes [2,3] and [4] cannot broadcast');
    expect(() => a.sub('x' as unknown as number)).toThrow("sub: expected a Tensor or a number as operand, got 'x'");
    expect(() => a.pow(a as unknown as number)).toThrow('pow: exponent must be a number');
    expect(a.grad).toBeNull();
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
