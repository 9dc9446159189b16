// PyTorch parity, round two (core): sort argsort topk maskedSelect x[mask] permute/view varargs,
// linspace eye, and the sampling factories. Values come from scripts/torch_parity.py (torch 1.13).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  argsort,
  ChainruleError,
  eye,
  globalRng,
  isGradEnabled,
  linspace,
  manualSeed,
  maskedSelect,
  multinomial,
  noGrad,
  Rng,
  randint,
  randn,
  randperm,
  sort,
  type Tensor,
  tensor,
  topk,
} from '../../src/index';
import { booleanIndex } from '../../src/tensor/ops/sort';
import { expectGradcheck, rand64 } from './helpers';

const fx = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'parity.json'), 'utf8'));
const f64 = (v: unknown, shape?: number[]) => tensor(v as number[], { dtype: 'float64', ...(shape ? { shape } : {}) });
const flat = (t: Tensor) => [...t.data];
const flatten = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flatten) : [v as number]);
/** A weight per element, 0, 1, 2, … (the fixtures' probe): L = Σ values ∘ probe. */
const probe = (t: Tensor, offset = 0) =>
  tensor(
    Float64Array.from({ length: t.size }, (_, i) => i + offset),
    { shape: [...t.shape] },
  );

describe('sort and argsort (stable, as torch.sort(stable=True))', () => {
  for (const c of fx.sort) {
    it(`dim ${c.dim}, descending ${c.descending}: values, indices, argsort and the gradient`, () => {
      const x = f64(fx.x);
      x.requiresGrad = true;
      const [v, i] = x.sort(c.dim, { descending: c.descending });
      expect(i.dtype).toBe('int32');
      expect(flat(v)).toEqual(flatten(c.values));
      expect(flat(i)).toEqual(flatten(c.indices));
      expect(flat(argsort(x, c.dim, { descending: c.descending }))).toEqual(flatten(c.argsort));
      v.mul(probe(v)).sum().backward();
      expect(flat(x.grad as Tensor)).toEqual(flatten(c.grad));
    });
  }
  it('NaN sorts above every number, as PyTorch', () => {
    const x = tensor([2, Number.NaN, -1, Number.NaN, 0]);
    expect(flat(x.argsort())).toEqual(fx.nan.ascending);
    expect(flat(x.argsort(-1, { descending: true }))).toEqual(fx.nan.descending);
  });
  it('gradcheck through sort values (float64)', () => {
    expectGradcheck((x) => sort(x, 1)[0].mul(probe(x)), [rand64([3, 5])]);
  });
  it('0-d tensors, int32 tensors, and bad arguments', () => {
    const [v, i] = tensor(4).sort();
    expect(v.item()).toBe(4);
    expect(i.item()).toBe(0);
    expect(flat(tensor(Int32Array.of(3, -1, 2)).sort()[0])).toEqual([-1, 2, 3]);
    expect(() => tensor([1, 2]).sort(1)).toThrow(/sort: dim 1 is out of range/);
    expect(() => tensor([1, 2]).sort(0, { descending: 'yes' as never })).toThrow(
      /sort: descending must be true or false/,
    );
  });
});

describe('topk (torch.topk)', () => {
  for (const c of fx.topk) {
    it(`k ${c.k}, dim ${c.dim}, largest ${c.largest}`, () => {
      const y = f64(fx.y);
      y.requiresGrad = true;
      const [v, i] = y.topk(c.k, c.dim, { largest: c.largest });
      expect(flat(v)).toEqual(flatten(c.values));
      expect(flat(i)).toEqual(flatten(c.indices));
      if (v.size > 0) {
        v.mul(probe(v, 1)).sum().backward();
        expect(flat(y.grad as Tensor)).toEqual(flatten(c.grad));
      }
    });
  }
  it('gradcheck, and the errors name topk, k and the dim', () => {
    expectGradcheck((x) => topk(x, 2, 0)[0].mul(probe(topk(x, 2, 0)[0])), [rand64([4, 3])]);
    expect(() => tensor([1, 2, 3]).topk(4)).toThrow(/topk: k 4 is larger than dim 0's size 3/);
    expect(() => tensor([1, 2, 3]).topk(-1)).toThrow(/topk: k must be an integer ≥ 0, got -1/);
  });
});

describe('boolean masks: maskedSelect and x.slice(mask)', () => {
  it('maskedSelect broadcasts the mask and routes gradients back, as torch.masked_select', () => {
    const c = fx.maskedSelect;
    const x = f64(c.x);
    x.requiresGrad = true;
    const y = x.maskedSelect(tensor(c.mask));
    expect(flat(y)).toEqual(c.values);
    y.mul(probe(y)).sum().backward();
    expect(flat(x.grad as Tensor)).toEqual(flatten(c.grad));
    expectGradcheck((a) => maskedSelect(a, tensor([[true], [false], [true]])), [rand64([3, 2])]);
  });
  it('x.slice(mask) keeps the trailing dims, as x[mask]', () => {
    const c = fx.boolIndex;
    const x = f64(c.x);
    x.requiresGrad = true;
    const y = x.slice(tensor(c.mask));
    expect([...y.shape]).toEqual(c.shape);
    expect(flat(y)).toEqual(flatten(c.values));
    y.mul(probe(y)).sum().backward();
    expect(flat(x.grad as Tensor)).toEqual(flatten(c.grad));
    expect(flat(booleanIndex(f64(c.x).slice(0), tensor(fx.boolIndex2d.mask)))).toEqual(fx.boolIndex2d.values);
  });
  it('names the problem', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(() => x.maskedSelect(tensor([1, 0]))).toThrow(/maskedSelect: mask must be a bool Tensor, got dtype float32/);
    expect(() => x.maskedSelect(tensor([true, false, true]))).toThrow(ChainruleError);
    expect(() => x.slice(tensor([true, false, true]))).toThrow(
      /slice: a bool mask of shape \[3\] does not match the leading dims of shape \[2,2\]/,
    );
  });
});

describe('permute, view and contiguous as PyTorch users write them', () => {
  it('permute(2, 0, 1) is permute([2, 0, 1]); view takes varargs or an array', () => {
    const x = randn([2, 3, 4]);
    expect(flat(x.permute(2, 0, 1))).toEqual(flat(x.permute([2, 0, 1])));
    expect([...x.permute(2, 0, 1).shape]).toEqual([4, 2, 3]);
    expect([...x.view(6, -1).shape]).toEqual([6, 4]);
    expect([...x.view([4, 6]).shape]).toEqual([4, 6]);
    expect(x.contiguous()).toBe(x);
    expect(() => x.permute(0, 1)).toThrow(ChainruleError);
  });
});

describe('linspace and eye', () => {
  for (const c of fx.linspace) {
    it(`linspace(${c.start}, ${c.end}, ${c.steps}) bit for bit in float32 and float64`, () => {
      expect(flat(linspace(c.start, c.end, c.steps))).toEqual(c.float32);
      expect(flat(linspace(c.start, c.end, c.steps, { dtype: 'float64' }))).toEqual(c.float64);
    });
  }
  it('eye(n), eye(n, m)', () => {
    expect(eye(3).toArray()).toEqual(fx.eye['3']);
    expect(eye(2, 4).toArray()).toEqual(fx.eye['2x4']);
    expect(eye(4, 2, { dtype: 'float64' }).toArray()).toEqual(fx.eye['4x2']);
    expect(() => linspace(0, 1, 2.5)).toThrow(/linspace: steps must be an integer/);
    expect(() => eye(-1)).toThrow(/eye: n must be an integer ≥ 0/);
  });
});

describe('sampling from the global generator', () => {
  it('manualSeed makes randint, randperm, multinomial and randn repeat; an rng option is independent', () => {
    const draw = () => [
      ...flat(randint(-3, 4, [20])),
      ...flat(randperm(10)),
      ...flat(multinomial(tensor([0.2, 0.5, 0.3]), 3)),
      ...flat(randn([3])),
    ];
    manualSeed(7);
    const a = draw();
    manualSeed(7);
    expect(draw()).toEqual(a);
    manualSeed(7);
    randint(0, 2, [5], { rng: new Rng(1) });
    expect(draw()).toEqual(a);
    expect(globalRng()).toBeInstanceOf(Rng);
  });
  it('randint is uniform on [low, high), randperm a permutation', () => {
    const r = randint(-2, 3, [20000], { rng: new Rng(3) });
    expect(r.dtype).toBe('int32');
    const counts = [0, 0, 0, 0, 0];
    for (const v of r.data) counts[v + 2] = (counts[v + 2] as number) + 1;
    for (const c of counts) expect(Math.abs(c / 20000 - 0.2)).toBeLessThan(0.015);
    expect([...randperm(50, { rng: new Rng(4) }).data].sort((p, q) => p - q)).toEqual([...Array(50).keys()]);
    expect(() => randint(3, 3, [2])).toThrow(/randint: expects low < high/);
  });
  it('multinomial: frequencies follow the weights; without replacement, each category once', () => {
    const rng = new Rng(5);
    const s = multinomial(
      tensor([
        [1, 0, 3],
        [0, 2, 2],
      ]),
      4000,
      { replacement: true, rng },
    );
    expect([...s.shape]).toEqual([2, 4000]);
    const freq = (row: number, k: number) =>
      [...s.data.slice(row * 4000, row * 4000 + 4000)].filter((v) => v === k).length / 4000;
    expect(freq(0, 1)).toBe(0);
    expect(Math.abs(freq(0, 2) - 0.75)).toBeLessThan(0.03);
    expect(Math.abs(freq(1, 1) - 0.5)).toBeLessThan(0.03);
    // without replacement: P(first = 2) = 0.6; the second draw is from what is left
    let first2 = 0;
    for (let t = 0; t < 3000; t++) {
      const d = multinomial(tensor([0.1, 0.3, 0.6]), 3, { rng });
      expect([...d.data].sort()).toEqual([0, 1, 2]);
      if (d.data[0] === 2) first2++;
    }
    expect(Math.abs(first2 / 3000 - 0.6)).toBeLessThan(0.03);
    expect(() => multinomial(tensor([0.5, 0, 0.5]), 3)).toThrow(
      /multinomial: cannot draw 3 samples without replacement from row 0, which has 2 categories of non-zero weight/,
    );
    expect(() => multinomial(tensor([0.5, -1]), 1)).toThrow(
      /multinomial: probs must be finite and non-negative, got -1/,
    );
  });
});

describe('noGrad with an async function', () => {
  it('throws a named error instead of recording a graph silently, and leaves the mode as it was', async () => {
    const w = tensor([1, 2], { requiresGrad: true });
    await expect(async () => noGrad((async () => w.mul(2)) as never)).rejects.toThrow(
      /noGrad: expects a synchronous function; an async one would record a graph after its first await/,
    );
    const deferred = () => Promise.resolve().then(() => w.mul(2));
    expect(() => noGrad(deferred)).toThrow(/noGrad: .*fn returned a Promise/);
    expect(isGradEnabled()).toBe(true);
    // the synchronous form, inside an async function, is what works
    const y = await (async () => {
      await Promise.resolve();
      return noGrad(() => w.mul(2));
    })();
    expect(y.requiresGrad).toBe(false);
  });
});
