// One test per finding of the reliability audit (issue 12) in @chainrule/nn: each bad input that
// raised a raw TypeError or RangeError, named an internal helper, was silently accepted, or left
// state changed, now throws a ChainruleError naming what the user called, changing nothing.
import { Rng, randn, tensor, zeros } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  BatchNorm1d,
  bceLoss,
  Conv2d,
  calculateFans,
  Dropout,
  huberLoss,
  LayerNorm,
  LeakyReLU,
  Linear,
  loadSafetensorsWithMetadata,
  MaxPool2d,
  MLP,
  mseLoss,
  packState,
  ReLU,
  Sequential,
  SGD,
  Softmax,
  unpackState,
  xavierUniform,
} from '../src/index';
import { expectError } from './helpers';

describe('raw TypeErrors are now named errors', () => {
  it('a layer constructor given an object where a size goes', () => {
    expectError(() => new Linear({} as number, 2), 'Linear: inFeatures must be a positive integer, got an object');
  });
  it('LayerNorm without a shape', () => {
    expectError(
      () => new (LayerNorm as unknown as new () => LayerNorm)(),
      'LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got undefined',
    );
  });
  it('a forward given something other than a Tensor', () => {
    expectError(() => new BatchNorm1d(3).forward(null as never), 'BatchNorm1d: input must be a Tensor, got null');
    expectError(() => new ReLU().forward('x' as never), "ReLU: input must be a Tensor, got 'x'");
    expectError(() => new Dropout(0.5).forward([1, 2] as never), 'Dropout: input must be a Tensor, got [1, 2]');
  });
  it('packState of a cyclic or absurdly deep state, unpackState of a deep one', () => {
    const cyclic: Record<string, unknown> = { w: tensor([1]) };
    cyclic.self = cyclic;
    expectError(() => packState(cyclic), "packState: 'self' contains itself (a cycle); a state must be a tree");
    let deep: unknown = [];
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expectError(() => packState({ deep }), 'packState: the state nests deeper than 1000 levels');
    const text = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expectError(
      () => unpackState({ tensors: {}, metadata: { 'chainrule.state': text } }),
      'unpackState: the packed state nests deeper than 1000 levels',
    );
  });
});

describe('messages name the function the user called, not a helper', () => {
  it('calculateFans no longer takes a second argument as the name of the op', () => {
    expectError(
      () => (calculateFans as (t: unknown, op: unknown) => unknown)(tensor([1]), tensor([2])),
      'calculateFans: fan in and fan out need a tensor of at least 2 dims, got shape [1]',
    );
  });
  it('MLP, not Linear; Sequential and Conv2d, not the op inside', () => {
    expectError(() => new MLP(0, [2]), 'MLP: inFeatures must be a positive integer, got 0');
    expectError(() => new MLP(3, [4, 2]).forward(tensor([[1, 2]])), 'MLP: input [1,2] must end with inFeatures 3');
    expectError(
      () => new Sequential(new Linear(3, 2)).forward(tensor([1, 2])),
      'Sequential: layer 0: Linear: input [2] must end with inFeatures 3',
    );
    expectError(() => new Conv2d(1, 1, 2).forward(tensor([1])), /^Conv2d: conv2d: /);
  });
  it('a size too large to allocate is the layer’s error', () => {
    expectError(() => new Linear(1e7, 1e7), /^Linear: rand: a shape must be/);
    expectError(() => new MLP(1e9, [1e9]), /^MLP: Linear: rand: a shape must be/);
    expectError(() => new BatchNorm1d(2 ** 40), /^BatchNorm1d: numFeatures \[1099511627776\] gives/);
  });
  it('huberLoss and bceLoss, not core’s huber and binaryCrossEntropy', () => {
    expectError(
      () => huberLoss(zeros([2]), zeros([3])),
      'huberLoss: input [2] and target [3] must have the same shape',
    );
    expectError(
      () => huberLoss(zeros([2]), zeros([2]), { delta: -1 }),
      'huberLoss: delta must be a number > 0, got -1',
    );
    expectError(
      () => bceLoss(zeros([2]), 'x' as never),
      "bceLoss: input and target must be Tensors, got a Tensor of shape [2] and 'x'",
    );
    expectError(
      () => bceLoss(tensor([2]), tensor([1])),
      'bceLoss: input must hold probabilities in [0, 1], got 2 at index 0',
    );
  });
  it('loadSafetensorsWithMetadata names itself', () => {
    expectError(
      () => loadSafetensorsWithMetadata(null as never),
      'loadSafetensorsWithMetadata: expected a Uint8Array, got null',
    );
  });
  it('an optimizer method names the method', () => {
    const p = randn([2], { requiresGrad: true, rng: new Rng(0) });
    p.grad = tensor([1, 1]);
    const opt = new Adam([p]);
    (opt.paramGroups[0] as { lr: number }).lr = Number.NaN;
    expectError(() => opt.step(), 'Adam.step: lr must be a finite number >= 0, got NaN');
    expectError(
      () => opt.addParamGroup({ params: [p] }),
      /^Adam\.addParamGroup: paramGroups\[1\]\.params\[0\] is already/,
    );
    expectError(
      () => new Linear(2, 2).loadStateDict(new Map() as never),
      'Linear.loadStateDict: state must be an object mapping names to Tensors, got a Map',
    );
  });
});

describe('values are printed faithfully', () => {
  it('NaN as NaN, strings quoted, null as null, a Map as a Map', () => {
    expectError(() => new LeakyReLU(Number.NaN), 'LeakyReLU: negativeSlope must be a finite number, got NaN');
    expectError(() => new Softmax('1' as never), "Softmax: dim must be an integer, got '1'");
    expectError(() => new Dropout(null as never), 'Dropout: p must be a number in [0, 1], got null');
    expectError(() => xavierUniform(new Map() as never), 'xavierUniform: the tensor must be a Tensor, got a Map');
    expectError(
      () => mseLoss(zeros([1]), zeros([1]), { reduction: 'avg' as 'mean' }),
      "mseLoss: reduction must be 'mean', 'sum' or 'none', got 'avg'",
    );
  });
});

describe('silently accepted inputs are now rejected', () => {
  it('layer options: unknown keys, a bad eps, an integer dtype, a junk rng', () => {
    expectError(() => new LayerNorm(3, { eps: -1 }), 'LayerNorm: eps must be a finite number > 0, got -1');
    expectError(
      () => new LayerNorm(3, { epsilon: 1e-3 } as never),
      "LayerNorm: unknown option 'epsilon' (expected one of eps, affine, dtype)",
    );
    expectError(
      () => new Linear(2, 2, { dtype: 'int32' }),
      "Linear: dtype must be 'float32' or 'float64', got 'int32'",
    );
    expectError(() => new Linear(2, 2, { rng: 42 as never }), 'Linear: rng must be an Rng, got 42');
    expectError(
      () => new Conv2d(1, 1, 3, { stride: 0 }),
      'Conv2d: stride must be a positive integer or 2 of them, got 0',
    );
    expectError(() => new MaxPool2d(2, { padding: 3 }), 'MaxPool2d: padding 3 must be at most half of kernelSize 2');
  });
  it('integer tensors into a layer, an int32 tensor to initialise, a non-boolean train mode', () => {
    expectError(
      () => new Linear(2, 2).forward(tensor(Int32Array.of(1, 2))),
      "Linear: input must be a float32 or float64 Tensor, got int32 (convert it with .to('float32'))",
    );
    expectError(
      () => xavierUniform(zeros([2, 2], { dtype: 'int32' })),
      /^xavierUniform: the tensor must be a float32 or float64 Tensor, got int32/,
    );
    expectError(() => new Linear(2, 2).train('no' as never), "Linear.train: mode must be a boolean, got 'no'");
  });
});

describe('a failed call changes nothing', () => {
  it('BatchNorm1d with a bad input in training does not touch its running statistics', () => {
    const bn = new BatchNorm1d(2);
    const before = [...bn.running_mean.data, ...bn.running_var.data, ...bn.num_batches_tracked.data];
    expectError(() => bn.forward(tensor([[1, 2, 3]])), 'BatchNorm1d: expected input [N, 2] or [N, 2, L], got [1,3]');
    expectError(() => bn.forward(tensor([[1, 2]])), /training needs more than 1 value per channel/);
    expect([...bn.running_mean.data, ...bn.running_var.data, ...bn.num_batches_tracked.data]).toEqual(before);
  });
  it('a step refused for a bad hyperparameter leaves parameters and state alone', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    p.grad = tensor([1, 1]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.step();
    const state = Array.from((opt.state.get(p) as { momentumBuffer: Float32Array }).momentumBuffer);
    const data = Array.from(p.data);
    (opt.paramGroups[0] as { momentum: number }).momentum = -1;
    expectError(() => opt.step(), 'SGD.step: momentum must be a finite number >= 0, got -1');
    expect(Array.from(p.data)).toEqual(data);
    expect(Array.from((opt.state.get(p) as { momentumBuffer: Float32Array }).momentumBuffer)).toEqual(state);
  });
});
