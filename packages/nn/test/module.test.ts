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
      'norm.running_mean',
      'norm.running_var',
      'norm.num_batches_tracked',
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
      'MLP.loadStateDict: missing keys: layers.1.bias; unexpected keys: extra; shape mismatches: layers.0.weight ([1,2] vs expected [3,2]); nothing was loaded',
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

class Tied extends Module {
  emb = new Linear(3, 4, { bias: false, rng: new Rng(4) });
  private readonly _inner = new Linear(4, 4, { rng: new Rng(5) });
  blocks = [[this._inner], { skip: new Identityish() }];
  table = { proj: new Linear(4, 4, { rng: new Rng(6) }) };
  byName = new Map<string, Module | Tensor>([
    ['head', new Linear(4, 3, { bias: false, rng: new Rng(7) })],
    ['gain', tensor([1.5], { requiresGrad: true })],
  ]);
  options = { lr: 0.1, label: 'not a tensor' };
  constructor() {
    super();
    // weight tying by plain assignment: table.proj shares blocks.0.0's weight
    this.table.proj.weight = this._inner.weight;
  }
  forward(x: Tensor): [Tensor, Tensor] {
    const h = this.emb.forward(x);
    const a = this._inner.forward(h);
    const b = this.table.proj.forward(h);
    return [a, b];
  }
}

class Identityish extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

describe('Module walks containers', () => {
  it('names tensors in nested arrays, plain objects and Maps as PyTorch, and lists a tied parameter once', () => {
    const m = new Tied();
    expect(Object.keys(m.stateDict())).toEqual([
      'emb.weight',
      'blocks.0.0.weight',
      'blocks.0.0.bias',
      'table.proj.weight',
      'table.proj.bias',
      'byName.head.weight',
      'byName.gain',
    ]);
    expect(m.stateDict()['table.proj.weight']).toBe(m.stateDict()['blocks.0.0.weight']);
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'emb.weight',
      'blocks.0.0.weight',
      'blocks.0.0.bias',
      'table.proj.bias',
      'byName.head.weight',
      'byName.gain',
    ]);
    expect(new Set(m.parameters()).size).toBe(m.parameters().length);
  });

  it('a tied parameter accumulates the gradients of both uses', () => {
    const m = new Tied();
    const [a, b] = m.forward(tensor([[1, -2, 0.5]]));
    a.add(b).sum().backward();
    const w = m.table.proj.weight;
    const single = new Tied();
    single.loadStateDict(m.stateDict());
    single
      .forward(tensor([[1, -2, 0.5]]))[0]
      .sum()
      .backward();
    const g1 = Array.from((single.table.proj.weight.grad as Tensor).data);
    // the forward's two branches are identical up to the bias, so each contributes the same gradient
    expect(Array.from((w.grad as Tensor).data)).toEqual(g1.map((v) => 2 * v));
  });

  it('modules, namedModules and apply walk the tree once per module, apply children first', () => {
    const m = new Tied();
    expect(m.namedModules().map(([n]) => n)).toEqual([
      '',
      'emb',
      'blocks.0.0',
      'blocks.1.skip',
      'table.proj',
      'byName.head',
    ]);
    expect(m.modules()).toHaveLength(6);
    const order: string[] = [];
    expect(m.apply((mod) => order.push(mod.constructor.name))).toBe(m);
    expect(order).toEqual(['Linear', 'Linear', 'Identityish', 'Linear', 'Linear', 'Tied']);
    m.eval();
    expect(m.modules().every((mod) => !mod.training)).toBe(true);
  });

  it('loadStateDict converts float dtypes, and rejects a non-Tensor value without writing anything', () => {
    const m = new Linear(2, 1, { dtype: 'float64', rng: new Rng(1) });
    m.loadStateDict({ weight: tensor([[0.5, 0.25]]), bias: tensor([1]) });
    expect(Array.from(m.weight.data)).toEqual([0.5, 0.25]);
    expect(m.weight.dtype).toBe('float64');
    const before = Array.from(m.weight.data);
    const bad = { weight: tensor([[9, 9]]), bias: [1] as unknown as Tensor };
    expect(() => m.loadStateDict(bad)).toThrow('Linear.loadStateDict: not Tensors: bias ([1]); nothing was loaded');
    expect(Array.from(m.weight.data)).toEqual(before);
  });
});
