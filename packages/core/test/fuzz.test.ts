import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzStats } from '../../../scripts/fuzz-stats';
import * as core from '../src/index';
import { ChainruleError, Rng, Tensor, tensor } from '../src/index';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Outcome counts per op, for scripts/fuzz-long.sh. */
const count = fuzzStats('core');

/** Small tensors of every dtype, some requiring grad. */
const tensorArb: fc.Arbitrary<Tensor> = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 }),
    fc.constantFrom('float32', 'float64', 'int32', 'bool') as fc.Arbitrary<core.DType>,
    fc.boolean(),
    fc.integer({ min: 0, max: 1000 }),
  )
  .map(([shape, dtype, grad, seed]) => {
    const t = core
      .randn(shape, { rng: new Rng(seed), dtype: 'float64' })
      .mul(3)
      .to(dtype);
    if (grad && (dtype === 'float32' || dtype === 'float64')) t.requiresGrad = true;
    return t;
  });

/** Anything a user might pass by mistake, and plenty of valid values. */
const argArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -4, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1e9, 1e7, 0.5, -0.5, 2 ** 31) },
  { weight: 3, arbitrary: tensorArb },
  { weight: 2, arbitrary: fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, 'a', '...', true, false, {}, [], 1n, [[1], [2, 3]]) },
  { weight: 1, arbitrary: fc.constantFrom(new Map(), new Float32Array(2), () => 1, Symbol('s')) },
  {
    weight: 1,
    arbitrary: fc.record({ dtype: fc.constantFrom('float32', 'int32', 'x'), keepDim: fc.constantFrom(true, 'yes') }),
  },
);

type Snapshot = string;
function snapshot(values: readonly unknown[]): Snapshot {
  return JSON.stringify(
    values.map((v) =>
      v instanceof Tensor
        ? [Array.from(v.data), v.shape, v.requiresGrad, v.version, v.grad ? Array.from(v.grad.data) : null]
        : null,
    ),
  );
}

/** Calls fn; a throw must be a ChainruleError naming `name`, and must leave `inputs` unchanged. */
function expectContract(name: string, fn: () => unknown, inputs: readonly unknown[]): void {
  const before = snapshot(inputs);
  try {
    fn();
    count(name, 'ok');
  } catch (e) {
    count(name, e instanceof ChainruleError ? 'chainrule' : 'other');
    const what = `${name}(${inputs.map((x) => core.show(x)).join(', ')})`;
    expect(e, `${what} threw ${String(e)}`).toBeInstanceOf(ChainruleError);
    expect((e as Error).message.startsWith(`${name}:`), `${what} threw "${(e as Error).message}"`).toBe(true);
    expect(snapshot(inputs), `${what} changed its inputs`).toBe(before);
  }
}

/** Tensor methods (the name the user sees is the method's). */
const methods = Object.getOwnPropertyNames(Tensor.prototype).filter((m) => {
  const d = Object.getOwnPropertyDescriptor(Tensor.prototype, m);
  return (
    m !== 'constructor' &&
    typeof d?.value === 'function' &&
    !['toString', 'toArray', 'zerosLike', 'clone', 'detach', 'bumpVersion'].includes(m)
  );
});

/** Public functions of core whose name is the op they report. */
const functions: [string, (...a: unknown[]) => unknown][] = (
  [
    'tensor',
    'zeros',
    'ones',
    'full',
    'arange',
    'randn',
    'rand',
    'oneHot',
    'cat',
    'stack',
    'where',
    'embedding',
    'scaledDotProductAttention',
    'grad',
    'gradcheck',
    'matmul',
    'linear',
  ] as const
).map((n) => [n, (core as unknown as Record<string, (...a: unknown[]) => unknown>)[n] as (...a: unknown[]) => unknown]);

/** Value methods and the other public classes and functions, with the names they report. */
const valueMethods = Object.getOwnPropertyNames(core.Value.prototype).filter(
  (m) => m !== 'constructor' && typeof Object.getOwnPropertyDescriptor(core.Value.prototype, m)?.value === 'function',
);
const rngMethods = Object.getOwnPropertyNames(Rng.prototype).filter(
  (m) => m !== 'constructor' && typeof Object.getOwnPropertyDescriptor(Rng.prototype, m)?.value === 'function',
);
const others: [string, (...a: unknown[]) => unknown][] = [
  ['Value', (...a) => new core.Value(...(a as [number]))],
  ['Rng', (...a) => new Rng(...(a as [number]))],
  ['Tensor', (...a) => new Tensor(...(a as [core.Buf, number[]]))],
  ['toDot', (...a) => core.toDot(...(a as [Tensor]))],
  ['noGrad', (...a) => core.noGrad(...(a as [() => unknown]))],
];

describe('fuzz: Value, Rng, Tensor, toDot, noGrad', () => {
  const valueArb = fc.double({ min: -5, max: 5, noNaN: true }).map((v) => new core.Value(v));
  for (const m of valueMethods) {
    it(`Value.${m}`, () => {
      fc.assert(
        fc.property(valueArb, fc.array(fc.oneof(argArb, valueArb), { maxLength: 2 }), (v, args) => {
          const fn = (v as unknown as Record<string, (...a: unknown[]) => unknown>)[m] as (...a: unknown[]) => unknown;
          expectContract(m, () => fn.apply(v, args), [v, ...args]);
        }),
        { numRuns: RUNS, seed: 5 },
      );
    });
  }
  for (const m of rngMethods) {
    it(`Rng.${m}`, () => {
      fc.assert(
        fc.property(fc.array(argArb, { maxLength: 2 }), (args) => {
          const rng = new Rng(1);
          const fn = (rng as unknown as Record<string, (...a: unknown[]) => unknown>)[m] as (
            ...a: unknown[]
          ) => unknown;
          expectContract(m, () => fn.apply(rng, args), args);
        }),
        { numRuns: RUNS, seed: 6 },
      );
    });
  }
  for (const [name, fn] of others) {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(argArb, { maxLength: 3 }), (args) => {
          expectContract(name, () => fn(...args), args);
        }),
        { numRuns: RUNS, seed: 8 },
      );
    });
  }
});

describe('fuzz: every call succeeds or throws a ChainruleError naming the op, and a throw changes nothing', () => {
  for (const m of methods) {
    it(`Tensor.${m}`, () => {
      fc.assert(
        fc.property(tensorArb, fc.array(argArb, { maxLength: 3 }), (x, args) => {
          const fn = (x as unknown as Record<string, (...a: unknown[]) => unknown>)[m] as (...a: unknown[]) => unknown;
          expectContract(m, () => fn.apply(x, args), [x, ...args]);
        }),
        { numRuns: RUNS, seed: 42 },
      );
    });
  }
  for (const [name, fn] of functions) {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(argArb, { maxLength: 4 }), (args) => {
          expectContract(name, () => fn(...args), args);
        }),
        { numRuns: RUNS, seed: 7 },
      );
    });
  }
});

it('show() prints values faithfully and never throws', () => {
  expect(core.show(Number.NaN)).toBe('NaN');
  expect(core.show('x')).toBe("'x'");
  expect(core.show(null)).toBe('null');
  expect(core.show(new Map())).toBe('a Map');
  expect(core.show(tensor([1, 2]))).toBe('a Tensor of shape [2]');
  const hostile = new Proxy(
    {},
    {
      getPrototypeOf: () => {
        throw new Error('no');
      },
    },
  );
  expect(core.show(hostile)).toBe('an unprintable value');
});
