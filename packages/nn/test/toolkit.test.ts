// The training toolkit: gradient clipping against norms computed by hand, the DataLoader's
// batches and shuffles, and packState/unpackState through a safetensors file.
import { Rng, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  clipGradNorm,
  clipGradValue,
  DataLoader,
  loadSafetensorsWithMetadata,
  packState,
  saveSafetensors,
  unpackState,
} from '../src/index';
import { expectError } from './helpers';

/** Two float64 parameters with gradients [3, −4] and [12]: ‖g‖₂ = 13, ‖g‖₁ = 19, ‖g‖∞ = 12. */
function params(): Tensor[] {
  const a = tensor([1, 1], { dtype: 'float64', requiresGrad: true });
  const b = tensor([1], { dtype: 'float64', requiresGrad: true });
  a.grad = tensor([3, -4], { dtype: 'float64' });
  b.grad = tensor([12], { dtype: 'float64' });
  return [a, b];
}
const gradsOf = (ps: Tensor[]) => ps.flatMap((p) => Array.from(p.grad?.data ?? []));

describe('clipGradNorm', () => {
  const cases: [string, number, number][] = [
    ['2-norm: √(9 + 16 + 144) = 13', 2, 13],
    ['1-norm: 3 + 4 + 12 = 19', 1, 19],
    ['3-norm: (27 + 64 + 1728)^(1/3)', 3, 1819 ** (1 / 3)],
    ['∞-norm: max |g| = 12', Number.POSITIVE_INFINITY, 12],
  ];
  for (const [name, p, norm] of cases) {
    it(`${name}; every gradient is scaled by maxNorm/(norm + 1e-6)`, () => {
      const ps = params();
      expect(clipGradNorm(ps, 6.5, { normType: p })).toBeCloseTo(norm, 13);
      const c = 6.5 / (norm + 1e-6);
      gradsOf(ps).forEach((g, i) => {
        expect(g).toBeCloseTo(([3, -4, 12][i] as number) * c, 13);
      });
    });
  }

  it('leaves gradients whose norm is within maxNorm unchanged, skips null grads, takes one Tensor', () => {
    const ps = [...params(), tensor([5], { requiresGrad: true })];
    expect(clipGradNorm(ps, 13.5)).toBe(13);
    expect(gradsOf(ps)).toEqual([3, -4, 12]);
    const [a] = params() as [Tensor];
    expect(clipGradNorm(a, 100)).toBe(5);
  });

  it('reports a NaN or infinite norm instead of hiding it (and scales as torch: to NaN)', () => {
    const ps = params();
    ((ps[1] as Tensor).grad as Tensor).data[0] = Number.NaN;
    expect(clipGradNorm(ps, 1)).toBeNaN();
    expect(gradsOf(ps).every(Number.isNaN)).toBe(true);
    const qs = params();
    ((qs[0] as Tensor).grad as Tensor).data[1] = Number.NEGATIVE_INFINITY;
    expect(clipGradNorm(qs, 1, { normType: Number.POSITIVE_INFINITY })).toBe(Number.POSITIVE_INFINITY);
    const rs = params();
    ((rs[0] as Tensor).grad as Tensor).data[0] = Number.NaN;
    expect(clipGradNorm(rs, 1, { normType: Number.POSITIVE_INFINITY })).toBeNaN();
  });

  it('errorIfNonfinite throws and changes no gradient', () => {
    const ps = params();
    ((ps[1] as Tensor).grad as Tensor).data[0] = Number.POSITIVE_INFINITY;
    expectError(
      () => clipGradNorm(ps, 1, { errorIfNonfinite: true }),
      'clipGradNorm: the total norm of order 2 of the gradients of 2 parameters is Infinity; no gradient was changed',
    );
    expect(gradsOf(ps)).toEqual([3, -4, Number.POSITIVE_INFINITY]);
  });

  const bad: [() => unknown, string][] = [
    [() => clipGradNorm(params(), -1), 'clipGradNorm: maxNorm must be a number >= 0, got -1'],
    [() => clipGradNorm(params(), Number.NaN), 'clipGradNorm: maxNorm must be a number >= 0, got NaN'],
    [() => clipGradNorm(params(), '1' as never), "clipGradNorm: maxNorm must be a number >= 0, got '1'"],
    [
      () => clipGradNorm(params(), 1, { normType: 0 }),
      'clipGradNorm: normType must be a number > 0 or Infinity, got 0',
    ],
    [
      () => clipGradNorm(params(), 1, { normType: 'inf' as never }),
      "clipGradNorm: normType must be a number > 0 or Infinity, got 'inf'",
    ],
    [
      () => clipGradNorm(params(), 1, { norm_type: 2 } as never),
      "clipGradNorm: unknown option 'norm_type' (expected one of normType, errorIfNonfinite)",
    ],
    [() => clipGradNorm(null as never, 1), 'clipGradNorm: params must be a Tensor or an iterable of Tensors, got null'],
    [() => clipGradNorm([...params(), 3] as never, 1), 'clipGradNorm: params[2] must be a Tensor, got 3'],
    [() => clipGradValue(params(), -0.5), 'clipGradValue: clipValue must be a number >= 0, got -0.5'],
    [() => clipGradValue(params(), null as never), 'clipGradValue: clipValue must be a number >= 0, got null'],
  ];
  for (const [fn, message] of bad) it(message, () => expectError(fn, message));
});

describe('clipGradValue', () => {
  it('clamps every element to [−c, c]; NaN stays NaN', () => {
    const ps = params();
    ((ps[0] as Tensor).grad as Tensor).data[0] = Number.NaN;
    clipGradValue(ps, 3.5);
    const g = gradsOf(ps);
    expect(g[0]).toBeNaN();
    expect(g.slice(1)).toEqual([-3.5, 3.5]);
  });
});

describe('DataLoader', () => {
  // x row i is [i, 10i]; y row i is i: a batch's rows can be read off its values.
  const N = 10;
  const x = tensor(
    Array.from({ length: N }, (_, i) => [i, 10 * i]),
    { dtype: 'float64' },
  );
  const y = tensor(Array.from({ length: N }, (_, i) => i));

  it('batches in order, the last one smaller; shapes and dtypes kept; no grad', () => {
    const loader = new DataLoader([x, y], { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([xb, yb]) => [xb.shape, yb.shape])).toEqual([
      [[4, 2], [4]],
      [[4, 2], [4]],
      [[2, 2], [2]],
    ]);
    expect(batches[2]?.[0].toArray()).toEqual([
      [8, 80],
      [9, 90],
    ]);
    expect(batches[0]?.[0].dtype).toBe('float64');
    expect(batches[0]?.[1].dtype).toBe('float32');
    expect(batches[0]?.[0].requiresGrad).toBe(false);
  });

  it('dropLast leaves out the short batch', () => {
    const loader = new DataLoader([x, y], { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].flatMap(([, yb]) => Array.from(yb.data))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('shuffle: each epoch a new permutation (Fisher–Yates on the rng), rows kept together, seeded', () => {
    const epochs = (seed: number) => {
      const loader = new DataLoader([x, y], { batchSize: 3, shuffle: true, rng: new Rng(seed) });
      return [0, 1].map(() =>
        [...loader].flatMap(([xb, yb]) => {
          (xb.toArray() as number[][]).forEach((row, r) => {
            expect(row).toEqual([yb.data[r], 10 * (yb.data[r] as number)]);
          });
          return Array.from(yb.data);
        }),
      );
    };
    const [e1, e2] = epochs(7) as [number[], number[]];
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...e2].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2);
    expect(epochs(7)).toEqual([e1, e2]);
    // the permutation, by hand: Fisher–Yates from the end with j = rng.int(i + 1)
    const rng = new Rng(7);
    const order = Array.from({ length: N }, (_, i) => i);
    for (let i = N - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    expect(e1).toEqual(order);
  });

  it('does not copy or reorder the dataset', () => {
    const before = Array.from(x.data);
    const loader = new DataLoader([x], { batchSize: 5, shuffle: true, rng: new Rng(1) });
    for (const [xb] of loader) xb.data.fill(-1);
    expect(Array.from(x.data)).toEqual(before);
  });

  const bad: [() => unknown, string][] = [
    [
      () => new DataLoader([x, tensor([1, 2, 3])]),
      'DataLoader: tensors[1] has shape [3] but tensors[0] has 10 rows; every tensor needs the same first dimension',
    ],
    [() => new DataLoader([] as Tensor[]), 'DataLoader: expected a non-empty array of Tensors, got []'],
    [() => new DataLoader([x, [1, 2]] as never), 'DataLoader: tensors[1] must be a Tensor, got [1, 2]'],
    [() => new DataLoader([tensor(3)]), 'DataLoader: tensors[0] is 0-d; each tensor needs a first dimension'],
    [() => new DataLoader([x], { batchSize: 0 }), 'DataLoader: batchSize must be an integer >= 1, got 0'],
    [() => new DataLoader([x], { batchSize: 2.5 }), 'DataLoader: batchSize must be an integer >= 1, got 2.5'],
    [() => new DataLoader([x], { batchSize: '8' as never }), "DataLoader: batchSize must be an integer >= 1, got '8'"],
    [() => new DataLoader([x], { shuffle: 1 as never }), 'DataLoader: shuffle must be a boolean, got 1'],
    [() => new DataLoader([x], { dropLast: null as never }), 'DataLoader: dropLast must be a boolean, got null'],
    [() => new DataLoader([x], { rng: 42 as never }), 'DataLoader: rng must be an Rng, got 42'],
    [
      () => new DataLoader([x], { batch_size: 4 } as never),
      "DataLoader: unknown option 'batch_size' (expected one of batchSize, shuffle, dropLast, rng)",
    ],
    [() => new DataLoader([x], null as never), 'DataLoader: options must be an object, got null'],
  ];
  for (const [fn, message] of bad) it(message, () => expectError(fn, message));
});

describe('packState / unpackState', () => {
  it('round-trips nested state through a safetensors file, tensors by path, ±Infinity and NaN kept', () => {
    const w = tensor([[1, 2]], { dtype: 'float64' });
    const m = tensor([0.5]);
    const state = {
      model: { 'layer.weight': w },
      optimizer: { state: { 0: { step: 3, expAvg: m } }, paramGroups: [{ lr: 0.1, betas: [0.9, 0.999], params: [0] }] },
      scheduler: { best: Number.POSITIVE_INFINITY, low: Number.NEGATIVE_INFINITY, nan: Number.NaN },
      epoch: 4,
      note: 'run 1',
      done: false,
      none: null,
    };
    const packed = packState(state);
    expect(Object.keys(packed.tensors).sort()).toEqual(['model.layer.weight', 'optimizer.state.0.expAvg']);
    const back = unpackState<typeof state>(
      loadSafetensorsWithMetadata(saveSafetensors(packed.tensors, packed.metadata)),
    );
    expect(back.model['layer.weight']?.toArray()).toEqual([[1, 2]]);
    expect(back.model['layer.weight']?.dtype).toBe('float64');
    expect((back.optimizer.state[0].expAvg as Tensor).toArray()).toEqual([0.5]);
    expect({ ...back, model: null, optimizer: { ...back.optimizer, state: null } }).toEqual({
      ...state,
      model: null,
      optimizer: { ...state.optimizer, state: null },
    });
  });

  const bad: [() => unknown, string][] = [
    [
      () => packState({ f: () => 1 }),
      "packState: 'f' is a function; expected a Tensor, number, string, boolean, null, array or plain object",
    ],
    [
      () => packState({ a: { b: new Float32Array(2) } }),
      "packState: 'a.b' is a Float32Array; expected a Tensor, number, string, boolean, null, array or plain object",
    ],
    [
      () => packState({ 'a.b': tensor([1]), a: { b: tensor([2]) } }),
      "packState: two tensors would both be named 'a.b'",
    ],
    [() => packState({ $tensor: 'x' }), "packState: key '$tensor' in the state starts with '$', which is reserved"],
    [() => packState(tensor([1])), 'packState: the state itself cannot be a Tensor; put it in an object'],
    [
      () => unpackState({ tensors: {}, metadata: {} }),
      "unpackState: the metadata has no 'chainrule.state' entry (was the file written from packState?)",
    ],
    [
      () => unpackState({ tensors: {}, metadata: { 'chainrule.state': '{"w":{"$tensor":"w"}}' } }),
      "unpackState: tensor 'w' is missing from the file",
    ],
  ];
  for (const [fn, message] of bad) it(message, () => expectError(fn, message));
});
