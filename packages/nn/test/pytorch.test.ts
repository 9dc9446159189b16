// PyTorch interop: each layer loads PyTorch's weights (a state dict in safetensors, written by
// scripts/torch_fixtures.py) and reproduces PyTorch's output and gradients in float64 to 1e-10.
import type { Tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, MaxPool2d, type Module } from '../src/index';
import { expectMatchesTorch, loadFixture } from './fixtures';

// biome-ignore lint/suspicious/noExplicitAny: constructor arguments come from the fixture's JSON config
type Ctor = new (...args: any[]) => Module;
const layers: Record<string, Ctor> = { Conv1d, Conv2d, MaxPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d };

function build(name: string): { fixture: ReturnType<typeof loadFixture>; module: Module } {
  const fixture = loadFixture(name);
  const { layer, args, opts } = fixture.config;
  const Layer = layers[layer] as Ctor;
  const module = new Layer(...args, { ...opts, dtype: 'float64' });
  return { fixture, module };
}

const single = (m: Module, inputs: Record<string, Tensor>) => m.forward(inputs.x);

describe('layers against PyTorch (float64, 1e-10): output, every parameter gradient, input gradient', () => {
  for (const name of [
    'conv1d_stride_padding',
    'conv1d_same_dilation_groups',
    'conv2d_padding',
    'conv2d_stride_pair_nobias',
    'conv2d_dilation',
    'conv2d_groups_stride',
    'conv2d_same_even_kernel',
    'conv2d_valid',
  ]) {
    it(`F18–F20: ${name}`, () => {
      const { fixture, module } = build(name);
      expectMatchesTorch(fixture, module, single);
    });
  }

  for (const name of ['maxpool2d', 'maxpool2d_stride_padding']) {
    it(`F21: ${name}`, () => {
      const { fixture, module } = build(name);
      expectMatchesTorch(fixture, module, single);
    });
  }

  for (const name of ['avgpool2d', 'avgpool2d_stride_padding']) {
    it(`F22: ${name}`, () => {
      const { fixture, module } = build(name);
      expectMatchesTorch(fixture, module, single);
    });
  }

  for (const name of [
    'batchnorm2d_train',
    'batchnorm2d_momentum_none',
    'batchnorm2d_eval',
    'batchnorm1d_train_ncl',
    'batchnorm1d_eval_nc',
  ]) {
    it(`${name}: output, gradients and running statistics`, () => {
      const { fixture, module } = build(name);
      expectMatchesTorch(fixture, module, single);
    });
  }

  it('a PyTorch state dict names exactly the parameters and buffers of each layer', () => {
    const { fixture, module } = build('batchnorm2d_train');
    expect(Object.keys(module.stateDict()).sort()).toEqual(Object.keys(fixture.section('state')).sort());
    const conv = build('conv2d_stride_pair_nobias');
    expect(Object.keys(conv.module.stateDict())).toEqual(['weight']);
    expect(Object.keys(conv.fixture.section('state'))).toEqual(['weight']);
  });
});
