import { ChainruleError, Rng, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { BatchNorm1d, Dropout, Linear, MLP, Module, ReLU, Sequential } from '../src/index';

class Block extends Module {
  readonly encoder = new Linear(3, 4, { rng: new Rng(1) });
  readonly heads = [new Linear(4, 2, { rng: new Rng(2) }), new Linear(4, 1, { bias: false, rng: new Rng(3) })];
  readonly norm = new BatchNorm1d(4);
  readonly scale = tensor([2], { requiresGrad: true });
  readonly _cache = tensor([0]);
  forward(x: Tensor): Tensor {
    const h = this.norm.forward(this.encoder.forward(x)).relu();
    return (this.heads[0] as Linear)
      .forward(h)
      .sum(1, true)
      .add((this.heads[1] as Linear).forward(h))
      .mul(this.scale);
  }
}

describe('Module', () => {
  it('finds parameters and buffers by walking fields, arrays included, with dotted names', () => {
    const m = new Block();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'encoder.weight',
      'encoder.bias',
      'heads.0.weight',
      'heads.0.bias',
      'heads.1.weight',
      'norm.weight',
      'norm.bias',
      'scale',
    ]);
    expect(Object.keys(m.stateDict())).toEqual([
      'encoder.weight',
      'encoder.bias',
      'heads.0.weight',
      'heads.0.bias',
      'heads.1.weight',
      'norm.weight',
      'norm.bias',
      'norm.runningMean',
      'norm.runningVar',
      'scale',
    ]);
    expect(m.parameters()).toHaveLength(8);
    expect(new MLP(2, [3, 1]).namedParameters().map(([n]) => n)).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'layers.1.bias',
    ]);
    expect(new Sequential(new Linear(2, 2), new ReLU(), new Linear(2, 1)).namedParameters().map(([n]) => n)).toEqual([
      '0.weight',
      '0.bias',
      '2.weight',
      '2.bias',
    ]);
  });

  it('zeroGrad, train and eval reach every submodule', () => {
    const m = new Block();
    m.forward(
      tensor([
        [1, 2, 3],
        [0, 1, 0],
      ]),
    )
      .sum()
      .backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    m.eval();
    expect(m.training).toBe(false);
    expect(m.norm.training).toBe(false);
    m.train();
    expect(m.heads[1]?.training).toBe(true);
  });

  it('loadStateDict copies values in place and round-trips stateDict', () => {
    const a = new MLP(2, [3, 1], { rng: new Rng(1) });
    const b = new MLP(2, [3, 1], { rng: new Rng(2) });
    const w = (b.layers[0] as Linear).weight;
    b.loadStateDict(a.stateDict());
    expect((b.layers[0] as Linear).weight).toBe(w);
    expect(Array.from(w.data)).toEqual(Array.from((a.layers[0] as Linear).weight.data));
    const x = tensor([[0.5, -1]]);
    expect(b.forward(x).item()).toBe(a.forward(x).item());
  });

  it('strict loading lists every missing, unexpected and mis-shaped key, and changes nothing', () => {
    const m = new MLP(2, [3, 1], { rng: new Rng(1) });
    const before = JSON.stringify(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.data)]));
    const state = { ...new MLP(2, [3, 1]).stateDict() } as Record<string, Tensor>;
    delete state['layers.1.bias'];
    state['layers.0.weight'] = tensor([[1, 2]]);
    state.extra = tensor([1]);
    expect(() => m.loadStateDict(state)).toThrow(ChainruleError);
    expect(() => m.loadStateDict(state)).toThrow(
      'loadStateDict: missing keys: layers.1.bias; unexpected keys: extra; shape mismatches: layers.0.weight ([1,2] vs expected [3,2]); nothing was loaded',
    );
    expect(JSON.stringify(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.data)]))).toBe(before);
    expect(() => m.loadStateDict(state, { strict: false })).toThrow('shape mismatches: layers.0.weight');
    delete state['layers.0.weight'];
    m.loadStateDict(state, { strict: false });
  });

  it('toString shows the tree', () => {
    expect(new Sequential(new Linear(2, 3), new ReLU(), new Dropout(0.1)).toString()).toBe(
      'Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n  (2): Dropout(p=0.1)\n)',
    );
  });
});
