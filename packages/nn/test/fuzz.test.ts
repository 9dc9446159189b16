import * as core from '@chainrule/core';
import { ChainruleError, Rng, Tensor, tensor } from '@chainrule/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzStats } from '../../../scripts/fuzz-stats';
import * as nn from '../src/index';
import { LRScheduler, Module, Optimizer, ReduceLROnPlateau } from '../src/index';

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);

/** Outcome counts per op, for scripts/fuzz-long.sh. */
const count = fuzzStats('nn');

/** Small float tensors (sometimes int32/bool), some requiring grad, some with a gradient. */
const tensorArb: fc.Arbitrary<Tensor> = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 }),
    fc.constantFrom('float32', 'float32', 'float64', 'int32', 'bool') as fc.Arbitrary<core.DType>,
    fc.boolean(),
    fc.boolean(),
    fc.integer({ min: 0, max: 1000 }),
  )
  .map(([shape, dtype, req, withGrad, seed]) => {
    const t = core
      .randn(shape, { rng: new Rng(seed), dtype: 'float64' })
      .mul(3)
      .to(dtype);
    if (req && (dtype === 'float32' || dtype === 'float64')) {
      t.requiresGrad = true;
      if (withGrad) t.grad = core.randn(shape, { rng: new Rng(seed + 1), dtype });
    }
    return t;
  });

/** Leaf parameters an optimizer accepts, with gradients. */
const paramsArb: fc.Arbitrary<Tensor[]> = fc
  .array(fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), fc.integer({ min: 0, max: 99 })), {
    minLength: 1,
    maxLength: 3,
  })
  .map((specs) =>
    specs.map(([shape, seed]) => {
      const p = core.randn(shape, { rng: new Rng(seed), requiresGrad: true });
      p.grad = core.randn(shape, { rng: new Rng(seed + 7) });
      return p;
    }),
  );

/** Hyperparameter-like values: valid ones and the usual mistakes. */
const numberArb = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 0.1, 0.5, 0.9, 1e-3),
  fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY, -1e9, 1e9, 2 ** 31, -0.5),
  fc.constantFrom('0.1' as unknown, null, undefined, true, 1n, [0.9, 0.999], [0.9], {}),
);
const optionKeys = [
  'lr',
  'momentum',
  'betas',
  'eps',
  'weightDecay',
  'amsgrad',
  'nesterov',
  'dampening',
  'alpha',
  'centered',
  'nonFinite',
  'reduction',
  'delta',
  'bias',
  'dtype',
  'rng',
  'eps',
  'affine',
  'momentum',
  'stride',
  'padding',
  'dilation',
  'groups',
  'activation',
  'outputActivation',
  'stepSize',
  'gamma',
  'milestones',
  'tMax',
  'etaMin',
  'startFactor',
  'endFactor',
  'totalIters',
  'mode',
  'factor',
  'patience',
  'threshold',
  'thresholdMode',
  'cooldown',
  'minLr',
  'batchSize',
  'shuffle',
  'dropLast',
  'normType',
  'errorIfNonfinite',
  'gain',
  'a',
  'nonlinearity',
  'strict',
  'maxTensors',
  'maxHeaderBytes',
  'paddingIdx',
  'typo',
];
const optionValueArb: fc.Arbitrary<unknown> = fc.oneof(
  numberArb,
  fc.constantFrom('mean', 'sum', 'none', 'min', 'max', 'rel', 'relu', 'tanh', 'fanIn', 'same', 'valid', 'x'),
  fc.constantFrom('float32', 'float64', 'int32'),
  fc.integer({ min: 0, max: 1000 }).map((s) => new Rng(s)),
);
const optionsArb: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.constantFrom(...optionKeys),
  optionValueArb,
  {
    maxKeys: 3,
  },
);

/** A fresh optimizer over fresh parameters. */
const optimizerArb: fc.Arbitrary<Optimizer> = fc
  .tuple(paramsArb, fc.constantFrom('SGD', 'Adam', 'AdamW', 'RMSprop'), fc.boolean())
  .map(([ps, kind, momentum]) => {
    if (kind === 'SGD') return new nn.SGD(ps, { lr: 0.1, ...(momentum ? { momentum: 0.9 } : {}) });
    if (kind === 'Adam') return new nn.Adam(ps, { amsgrad: momentum });
    if (kind === 'AdamW') return new nn.AdamW(ps);
    return new nn.RMSprop(ps, { centered: momentum, momentum: momentum ? 0.5 : 0 });
  });

/** Valid instances of every layer, built fresh for each run. */
const layerFactories: Record<string, () => Module> = {
  Linear: () => new nn.Linear(3, 2, { rng: new Rng(1) }),
  MLP: () => new nn.MLP(3, [4, 2], { rng: new Rng(2) }),
  Sequential: () => new nn.Sequential(new nn.Linear(3, 4, { rng: new Rng(3) }), new nn.Tanh(), new nn.Linear(4, 2)),
  ReLU: () => new nn.ReLU(),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  GELU: () => new nn.GELU(),
  LeakyReLU: () => new nn.LeakyReLU(0.1),
  Softmax: () => new nn.Softmax(1),
  Dropout: () => new nn.Dropout(0.5),
  BatchNorm1d: () => new nn.BatchNorm1d(3),
  BatchNorm2d: () => new nn.BatchNorm2d(2),
  LayerNorm: () => new nn.LayerNorm(3),
  Conv1d: () => new nn.Conv1d(2, 3, 2, { rng: new Rng(4) }),
  Conv2d: () => new nn.Conv2d(2, 3, 2, { rng: new Rng(5), padding: 1 }),
  Flatten: () => new nn.Flatten(),
  Identity: () => new nn.Identity(),
  MaxPool2d: () => new nn.MaxPool2d(2),
  AvgPool2d: () => new nn.AvgPool2d(2, { padding: 1 }),
};
/**
 * Layers added on other branches (embedding, recurrent, attention): fuzzed like the others as
 * soon as this package exports them. `make` builds a valid one; `opts` are its option names.
 */
const laterLayers: Record<string, { make: (C: Ctor) => unknown; opts: string[] }> = {
  Embedding: { make: (C) => new C(5, 3, { rng: new Rng(6) }), opts: ['paddingIdx', 'rng', 'dtype'] },
  RNN: {
    make: (C) => new C(3, 4, { rng: new Rng(7) }),
    opts: ['numLayers', 'nonlinearity', 'bias', 'batchFirst', 'rng', 'dtype'],
  },
  GRU: { make: (C) => new C(3, 4, { rng: new Rng(8) }), opts: ['numLayers', 'bias', 'batchFirst', 'rng', 'dtype'] },
  LSTM: { make: (C) => new C(3, 4, { rng: new Rng(9) }), opts: ['numLayers', 'bias', 'batchFirst', 'rng', 'dtype'] },
  GRUCell: { make: (C) => new C(3, 4, { rng: new Rng(10) }), opts: ['bias', 'rng', 'dtype'] },
  LSTMCell: { make: (C) => new C(3, 4, { rng: new Rng(11) }), opts: ['bias', 'rng', 'dtype'] },
  MultiheadAttention: {
    make: (C) => new C(4, 2, { rng: new Rng(12) }),
    opts: ['bias', 'batchFirst', 'dropout', 'rng', 'dtype'],
  },
};
for (const [name, { make }] of Object.entries(laterLayers)) {
  const C = (nn as unknown as Record<string, unknown>)[name];
  if (typeof C === 'function') layerFactories[name] = () => make(C as Ctor) as Module;
}
const layerArb: fc.Arbitrary<Module> = fc.constantFrom(...Object.values(layerFactories)).map((make) => make());

/** Anything a user might pass by mistake, and plenty of valid values. */
const argArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -4, max: 4 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1e9, 1e7, 0.5, -0.5, 2 ** 31, 2 ** 53),
  },
  { weight: 4, arbitrary: tensorArb },
  { weight: 2, arbitrary: paramsArb },
  { weight: 2, arbitrary: fc.array(fc.integer({ min: -3, max: 4 }), { maxLength: 4 }) },
  { weight: 2, arbitrary: optionsArb },
  { weight: 1, arbitrary: optimizerArb },
  { weight: 1, arbitrary: layerArb },
  {
    weight: 1,
    arbitrary: fc.array(
      optionsArb.map((o) => ({ params: [], ...o })),
      { maxLength: 2 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, undefined, 'a', 'mean', true, false, {}, [], 1n, [[1], [2, 3]], [null]),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(new Map(), new Float32Array(2), new Uint8Array(12), () => 1, Symbol('s'), new Rng(0)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 }).map(hostile) },
);

/** A cyclic object or a deeply nested array (past the call stack's depth if walked recursively). */
function hostile(kind: number): unknown {
  if (kind === 0) {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    return o;
  }
  let deep: unknown = [];
  for (let k = 0; k < 20000; k++) deep = [deep];
  return deep;
}

/** Everything observable that a failed call must leave as it was, walked through containers. */
function snapshot(values: readonly unknown[]): string {
  const seen = new Set<unknown>();
  let depth = 0;
  const walk = (v: unknown): unknown => {
    if (depth > 50) return 'deep'; // a hostile argument nested past the stack's depth
    depth++;
    try {
      return walkOne(v);
    } finally {
      depth--;
    }
  };
  const walkOne = (v: unknown): unknown => {
    if (v instanceof Tensor) {
      return [Array.from(v.data), v.shape, v.requiresGrad, v.version, v.grad ? Array.from(v.grad.data) : null];
    }
    if (typeof v !== 'object' || v === null || seen.has(v)) return null;
    seen.add(v);
    if (v instanceof Module) return [v.training, v.namedTensors().map(([n, t]) => [n, walk(t)])];
    if (v instanceof Optimizer) {
      const groups = v.paramGroups.map(({ params, ...h }) => [
        params.map(walk),
        Object.entries(h).map(([k, x]) => [k, typeof x === 'object' ? walk(x) : String(x)]),
      ]);
      const state = [...v.state].map(([p, s]) => [
        v.params.indexOf(p),
        Object.entries(s).map(([k, x]) => [
          k,
          typeof x === 'number' || x === null ? x : Array.from(x as ArrayLike<number>),
        ]),
      ]);
      return [groups, state, v.skippedSteps];
    }
    if (v instanceof LRScheduler || v instanceof ReduceLROnPlateau) {
      return [JSON.stringify(v.stateDict()), walk(v.optimizer)];
    }
    if (v instanceof nn.DataLoader) return v.tensors.map(walk);
    if (v instanceof Uint8Array) return Array.from(v);
    if (Array.isArray(v)) return v.map(walk);
    if (Object.getPrototypeOf(v) === Object.prototype) return Object.entries(v).map(([k, x]) => [k, walk(x)]);
    return null;
  };
  return JSON.stringify(values.map(walk), (_, x) => (typeof x === 'bigint' ? `${x}n` : x));
}

/** Calls fn; a throw must be a ChainruleError naming `name`, and must leave `inputs` unchanged. */
function expectContract(name: string, fn: () => unknown, inputs: readonly unknown[]): void {
  const before = snapshot(inputs);
  let outcome: 'ok' | 'chainrule' | 'other' = 'ok';
  try {
    const out = fn();
    // an iterable result (DataLoader) is consumed: the error may come on iteration
    if (out instanceof nn.DataLoader) for (const _ of out);
  } catch (e) {
    outcome = e instanceof ChainruleError ? 'chainrule' : 'other';
    count(name, outcome);
    const what = `${name}(${inputs.map((x) => core.show(x)).join(', ')})`;
    expect(e, `${what} threw ${String(e)}`).toBeInstanceOf(ChainruleError);
    expect((e as Error).message.startsWith(`${name}:`), `${what} threw "${(e as Error).message}"`).toBe(true);
    expect(snapshot(inputs), `${what} changed its inputs`).toBe(before);
    return;
  }
  count(name, outcome);
}

type Fn = (...a: unknown[]) => unknown;
type Ctor = new (...a: unknown[]) => unknown;
const lib = nn as unknown as Record<string, unknown>;

/** The exported functions, each reporting under its own name. */
const functions = [
  'mseLoss',
  'l1Loss',
  'huberLoss',
  'bceLoss',
  'bceWithLogitsLoss',
  'crossEntropyLoss',
  'nllLoss',
  'calculateFans',
  'calculateGain',
  'xavierUniform',
  'xavierNormal',
  'kaimingUniform',
  'kaimingNormal',
  'uniform',
  'normal',
  'truncNormal',
  'constant',
  'parameter',
  'clipGradNorm',
  'clipGradValue',
  'saveSafetensors',
  'loadSafetensors',
  'loadSafetensorsWithMetadata',
  'packState',
  'unpackState',
];

/** The exported classes a user constructs. */
const constructors = [
  ...Object.keys(layerFactories),
  'SGD',
  'Adam',
  'AdamW',
  'RMSprop',
  'StepLR',
  'MultiStepLR',
  'ExponentialLR',
  'CosineAnnealingLR',
  'LinearLR',
  'ReduceLROnPlateau',
  'LambdaLR',
  'OneCycleLR',
  'SequentialLR',
  'DataLoader',
];

/** Exports that are not called directly: abstract bases and constants. */
const notCalled = ['Module', 'Optimizer', 'LRScheduler', 'STATE_METADATA_KEY', 'init'];

it('the fuzz lists cover every runtime export of @chainrule/nn', () => {
  const listed = new Set([...functions, ...constructors, ...notCalled]);
  expect(Object.keys(nn).filter((k) => !listed.has(k))).toEqual([]);
});

/** Options drawn from `keys` with valid and invalid values. */
const optsFor = (...keys: string[]) => fc.dictionary(fc.constantFrom(...keys), optionValueArb, { maxKeys: 2 });
const small = fc.integer({ min: 1, max: 4 });
const shapeArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 });
const floatOf = (shape: number[], seed: number) => core.randn(shape, { rng: new Rng(seed) });
/** Two float tensors of one shape. */
const pairArb = fc.tuple(shapeArb, fc.nat(99)).map(([sh, sd]) => [floatOf(sh, sd), floatOf(sh, sd + 1)] as const);
const logitsArb = fc
  .tuple(small, small, fc.nat(99))
  .map(([n, c, sd]) => [floatOf([n, c], sd), Array.from({ length: n }, (_, i) => (i * 7 + sd) % c)] as const);
const stateArb = fc
  .array(fc.tuple(fc.constantFrom('w', 'b', 'layers.0.weight', 'x'), shapeArb, fc.nat(99)), { maxLength: 3 })
  .map((xs) => Object.fromEntries(xs.map(([k, sh, sd]) => [k, floatOf(sh, sd)])));

/**
 * Arguments that are valid or nearly so, per name: the fuzz reaches the code past the argument
 * checks (a throw there must change nothing too) as well as the checks themselves.
 */
const nearValid: Record<string, fc.Arbitrary<unknown[]>> = {
  mseLoss: fc.tuple(pairArb, optsFor('reduction')).map(([[a, b], o]) => [a, b, o]),
  l1Loss: fc.tuple(pairArb, optsFor('reduction')).map(([[a, b], o]) => [a, b, o]),
  huberLoss: fc.tuple(pairArb, optsFor('reduction', 'delta')).map(([[a, b], o]) => [a, b, o]),
  bceLoss: fc.tuple(pairArb, optsFor('reduction')).map(([[a, b], o]) => [a.sigmoid(), b.sigmoid(), o]),
  bceWithLogitsLoss: fc.tuple(pairArb, optsFor('reduction')).map(([[a, b], o]) => [a, b.sigmoid(), o]),
  crossEntropyLoss: fc.tuple(logitsArb, optsFor('reduction')).map(([[z, t], o]) => [z, t, o]),
  nllLoss: fc.tuple(logitsArb, optsFor('reduction')).map(([[z, t], o]) => [z.logSoftmax(1), t, o]),
  calculateFans: shapeArb.map((sh) => [floatOf([2, ...sh], 0)]),
  calculateGain: fc.tuple(fc.constantFrom('linear', 'relu', 'tanh', 'leakyRelu', 'selu', 'gelu'), numberArb),
  xavierUniform: fc.tuple(shapeArb, optsFor('gain', 'rng')).map(([sh, o]) => [floatOf([2, ...sh], 1), o]),
  xavierNormal: fc.tuple(shapeArb, optsFor('gain', 'rng')).map(([sh, o]) => [floatOf([2, ...sh], 1), o]),
  kaimingUniform: fc
    .tuple(shapeArb, optsFor('a', 'mode', 'nonlinearity', 'rng'))
    .map(([sh, o]) => [floatOf([2, ...sh], 1), o]),
  kaimingNormal: fc
    .tuple(shapeArb, optsFor('a', 'mode', 'nonlinearity', 'rng'))
    .map(([sh, o]) => [floatOf([2, ...sh], 1), o]),
  uniform: fc.tuple(shapeArb, optsFor('a', 'b', 'rng')).map(([sh, o]) => [floatOf(sh, 1), o]),
  normal: fc.tuple(shapeArb, optsFor('mean', 'std', 'rng')).map(([sh, o]) => [floatOf(sh, 1), o]),
  truncNormal: fc.tuple(shapeArb, optsFor('mean', 'std', 'a', 'b', 'rng')).map(([sh, o]) => [floatOf(sh, 1), o]),
  constant: fc.tuple(shapeArb, numberArb).map(([sh, v]) => [floatOf(sh, 1), v]),
  parameter: shapeArb.map((sh) => [floatOf(sh, 1)]),
  clipGradNorm: fc.tuple(paramsArb, numberArb, optsFor('normType', 'errorIfNonfinite')),
  clipGradValue: fc.tuple(paramsArb, numberArb),
  saveSafetensors: fc.tuple(stateArb, fc.constantFrom(undefined, { note: 'x' }, { k: 1 })),
  loadSafetensors: fc
    .tuple(stateArb, optsFor('maxTensors', 'maxHeaderBytes'))
    .map(([st, o]) => [nn.saveSafetensors(st), o]),
  loadSafetensorsWithMetadata: fc
    .tuple(stateArb, optsFor('maxTensors', 'maxHeaderBytes'))
    .map(([st, o]) => [nn.saveSafetensors(st), o]),
  packState: fc.tuple(stateArb, numberArb).map(([st, n]) => [{ model: st, epoch: n }]),
  unpackState: fc
    .tuple(stateArb, fc.constantFrom(0, 3, Number.NaN, -Infinity))
    .map(([st, n]) => [nn.packState({ model: st, epoch: n })]),
  Linear: fc.tuple(small, small, optsFor('bias', 'rng', 'dtype')),
  MLP: fc.tuple(small, fc.array(small, { maxLength: 3 }), optsFor('activation', 'outputActivation', 'rng', 'dtype')),
  Sequential: fc.array(layerArb, { maxLength: 3 }),
  LeakyReLU: fc.tuple(numberArb),
  Softmax: fc.tuple(fc.integer({ min: -3, max: 3 })),
  Dropout: fc.tuple(numberArb, optsFor('rng')),
  BatchNorm1d: fc.tuple(small, optsFor('eps', 'momentum', 'affine', 'dtype')),
  BatchNorm2d: fc.tuple(small, optsFor('eps', 'momentum', 'affine', 'dtype')),
  LayerNorm: fc.tuple(fc.oneof(small, shapeArb), optsFor('eps', 'affine', 'dtype')),
  Conv1d: fc.tuple(small, small, small, optsFor('stride', 'padding', 'dilation', 'groups', 'bias', 'rng', 'dtype')),
  Conv2d: fc.tuple(small, small, small, optsFor('stride', 'padding', 'dilation', 'groups', 'bias', 'rng', 'dtype')),
  Flatten: fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 })),
  Identity: fc.constant([]),
  ReLU: fc.constant([]),
  Sigmoid: fc.constant([]),
  Tanh: fc.constant([]),
  GELU: fc.constant([]),
  MaxPool2d: fc.tuple(small, optsFor('stride', 'padding', 'rng', 'dtype')),
  AvgPool2d: fc.tuple(small, optsFor('stride', 'padding', 'rng', 'dtype')),
  SGD: fc.tuple(paramsArb, optsFor('lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'nonFinite')),
  Adam: fc.tuple(paramsArb, optsFor('lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'nonFinite')),
  AdamW: fc.tuple(paramsArb, optsFor('lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'nonFinite')),
  RMSprop: fc.tuple(paramsArb, optsFor('lr', 'alpha', 'eps', 'momentum', 'centered', 'weightDecay')),
  StepLR: fc.tuple(optimizerArb, optsFor('stepSize', 'gamma')),
  MultiStepLR: fc.tuple(optimizerArb, optsFor('milestones', 'gamma')),
  ExponentialLR: fc.tuple(optimizerArb, optsFor('gamma')),
  CosineAnnealingLR: fc.tuple(optimizerArb, optsFor('tMax', 'etaMin')),
  LinearLR: fc.tuple(optimizerArb, optsFor('startFactor', 'endFactor', 'totalIters')),
  LambdaLR: fc.tuple(optimizerArb, fc.constantFrom({ lrLambda: (e: number) => 0.9 ** e }, { lrLambda: 5 }, {})),
  OneCycleLR: fc.tuple(
    optimizerArb,
    optsFor('maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'divFactor'),
  ),
  SequentialLR: fc.tuple(optimizerArb, optsFor('schedulers', 'milestones')),
  ReduceLROnPlateau: fc.tuple(
    optimizerArb,
    optsFor('mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'),
  ),
  DataLoader: fc
    .tuple(
      small,
      fc.array(shapeArb, { minLength: 1, maxLength: 2 }),
      optsFor('batchSize', 'shuffle', 'dropLast', 'rng'),
    )
    .map(([n, shapes, o]) => [shapes.map((sh, i) => floatOf([n, ...sh], i)), o]),
};

for (const [name, { opts }] of Object.entries(laterLayers)) {
  if (name in layerFactories) nearValid[name] = fc.tuple(small, small, optsFor(...opts));
}

/** nearValid's arguments, half the time with one of them replaced by an arbitrary value. */
function argsFor(name: string): fc.Arbitrary<unknown[]> {
  const valid = nearValid[name] as fc.Arbitrary<unknown[]>;
  return fc.oneof(
    fc.array(argArb, { maxLength: 4 }),
    valid,
    fc.tuple(valid, fc.nat(4), argArb).map(([args, i, junk]) => {
      const out = [...args];
      out[i % (out.length + 1)] = junk;
      return out;
    }),
  );
}

it('every function and constructor has near-valid arguments', () => {
  expect([...functions, ...constructors].filter((n) => !(n in nearValid))).toEqual([]);
});

describe('fuzz: every call succeeds or throws a ChainruleError naming what was called, and a throw changes nothing', () => {
  for (const name of functions) {
    it(name, () => {
      const fn = lib[name] as Fn;
      fc.assert(
        fc.property(argsFor(name), (args) => {
          expectContract(name, () => fn(...args), args);
        }),
        { numRuns: RUNS, seed: 11 },
      );
    });
  }
  for (const name of constructors) {
    it(`new ${name}`, () => {
      const C = lib[name] as Ctor;
      fc.assert(
        fc.property(argsFor(name), (args) => {
          expectContract(name, () => new C(...args), args);
        }),
        { numRuns: RUNS, seed: 13 },
      );
    });
  }
  it('layer.forward / loadStateDict / train / apply / namedTensors / namedModules', () => {
    fc.assert(
      fc.property(
        layerArb,
        fc.constantFrom('forward', 'forward', 'loadStateDict', 'train', 'apply', 'namedTensors', 'namedModules'),
        fc.array(argArb, { maxLength: 3 }),
        (layer, method, args) => {
          const cls = layer.constructor.name;
          const name = method === 'forward' ? cls : `${cls}.${method}`;
          const m = (layer as unknown as Record<string, Fn>)[method] as Fn;
          expectContract(name, () => m.apply(layer, args), [layer, ...args]);
        },
      ),
      { numRuns: RUNS * 10, seed: 17 },
    );
  });
  it('layer.forward with tensors of near-valid shapes', () => {
    fc.assert(
      fc.property(
        layerArb,
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 5 }),
        (layer, shape) => {
          const x = core.randn(shape, { rng: new Rng(shape.length) });
          expectContract(layer.constructor.name, () => layer.forward(x), [layer, x]);
        },
      ),
      { numRuns: RUNS * 10, seed: 19 },
    );
  });
  it('optimizer.step / zeroGrad / loadStateDict / addParamGroup', () => {
    fc.assert(
      fc.property(
        optimizerArb,
        fc.constantFrom('step', 'zeroGrad', 'loadStateDict', 'addParamGroup'),
        fc.array(argArb, { maxLength: 2 }),
        fc.constantFrom('none', 'badLr', 'badGrad', 'stepFirst'),
        (opt, method, args, tamper) => {
          // the usual ways state goes wrong between steps: a scheduler or user sets a bad lr,
          // a grad of the wrong shape or type is assigned
          if (tamper === 'badLr') (opt.paramGroups[0] as { lr: unknown }).lr = args[0];
          if (tamper === 'badGrad') {
            try {
              (opt.params[0] as Tensor).grad = args[0] as Tensor;
            } catch {
              // core's grad setter refuses most junk itself
            }
          }
          if (tamper === 'stepFirst') {
            try {
              opt.step();
            } catch {
              // a tampered state may refuse to step; the call under test is next
            }
          }
          const m = (opt as unknown as Record<string, Fn>)[method] as Fn;
          expectContract(`${opt.name}.${method}`, () => m.apply(opt, args), [opt, ...args]);
        },
      ),
      { numRuns: RUNS * 10, seed: 23 },
    );
  });
  it('optimizer.loadStateDict with a mutated state dict', () => {
    fc.assert(
      fc.property(
        optimizerArb,
        fc.constantFrom('state', 'paramGroups'),
        fc.string({ maxLength: 3 }),
        argArb,
        (opt, part, key, value) => {
          opt.step();
          const sd = opt.stateDict() as unknown as Record<string, Record<string, unknown>>;
          const target =
            part === 'state'
              ? (sd.state as Record<string, unknown>)
              : ((sd.paramGroups as unknown as object[])[0] as object);
          const keys = Object.keys(target);
          const k = keys.length > 0 && key.length % 2 === 0 ? (keys[key.length % keys.length] as string) : key;
          (target as Record<string, unknown>)[k] = value;
          expectContract(`${opt.name}.loadStateDict`, () => opt.loadStateDict(sd as never), [opt]);
        },
      ),
      { numRuns: RUNS * 5, seed: 29 },
    );
  });
  it('scheduler.step / loadStateDict', () => {
    const makers: Record<string, (o: Optimizer) => LRScheduler | ReduceLROnPlateau> = {
      StepLR: (o) => new nn.StepLR(o, { stepSize: 2 }),
      MultiStepLR: (o) => new nn.MultiStepLR(o, { milestones: [1, 3] }),
      ExponentialLR: (o) => new nn.ExponentialLR(o, { gamma: 0.5 }),
      CosineAnnealingLR: (o) => new nn.CosineAnnealingLR(o, { tMax: 3 }),
      LinearLR: (o) => new nn.LinearLR(o),
      ReduceLROnPlateau: (o) => new nn.ReduceLROnPlateau(o, { patience: 0 }),
    };
    fc.assert(
      fc.property(
        optimizerArb,
        fc.constantFrom(...Object.keys(makers)),
        fc.constantFrom('step', 'loadStateDict'),
        fc.array(argArb, { maxLength: 2 }),
        (opt, kind, method, args) => {
          const s = (makers[kind] as (o: Optimizer) => LRScheduler | ReduceLROnPlateau)(opt);
          const m = (s as unknown as Record<string, Fn>)[method] as Fn;
          expectContract(`${kind}.${method}`, () => m.apply(s, args), [s, ...args]);
        },
      ),
      { numRuns: RUNS * 5, seed: 31 },
    );
  });
});

it('a throw names the called layer, not the op inside it', () => {
  const mlp = new nn.MLP(3, [4, 2]);
  expect(() => mlp.forward(tensor([[1, 2]]))).toThrow(/^MLP: /);
  expect(() => new nn.Sequential(new nn.Linear(3, 2)).forward(tensor([1, 2]))).toThrow(/^Sequential: /);
  expect(() => new nn.Conv2d(1, 1, 2).forward(tensor([1]))).toThrow(/^Conv2d: /);
});
