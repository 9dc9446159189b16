// PyTorch parity, round two (nn): a PyTorch checkpoint with BatchNorm and torch's own dtypes,
// the safetensors dtypes PyTorch writes, the global generator and Dropout, the cross-entropy
// options. Fixtures: scripts/torch_parity.py (torch 1.13).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ChainruleError, manualSeed, Rng, type Tensor, tensor, zeros } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv2d,
  CosineAnnealingLR,
  constant,
  crossEntropyLoss,
  Dropout,
  ExponentialLR,
  GRU,
  init,
  LambdaLR,
  Linear,
  LinearLR,
  LSTM,
  loadSafetensors,
  loadSafetensorsWithMetadata,
  Module,
  nllLoss,
  normal,
  OneCycleLR,
  Sequential,
  SequentialLR,
  SGD,
  StepLR,
  saveSafetensors,
  truncNormal,
  uniform,
} from '../src/index';

const dir = join(import.meta.dirname, 'fixtures');
const bytes = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const fx = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8'));
const flatten = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flatten) : [v as number]);

function expectClose(actual: Tensor, expected: ArrayLike<number>, tol: number): void {
  expect(actual.size).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    worst = Math.max(worst, Math.abs((actual.data[i] as number) - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

class Block extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: Sequential | null = null;
  constructor(cIn: number, cOut: number, stride: number) {
    super();
    this.conv1 = new Conv2d(cIn, cOut, 3, { stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(cOut);
    this.conv2 = new Conv2d(cOut, cOut, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(cOut);
    if (stride !== 1 || cIn !== cOut) {
      this.downsample = new Sequential(new Conv2d(cIn, cOut, 1, { stride, bias: false }), new BatchNorm2d(cOut));
    }
  }
  forward(x: Tensor): Tensor {
    const y = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    return y.add(this.downsample ? this.downsample.forward(x) : x).relu();
  }
}

class ResNet extends Module {
  conv1 = new Conv2d(3, 8, 3, { padding: 1, bias: false });
  bn1 = new BatchNorm2d(8);
  layer1 = new Sequential(new Block(8, 8, 1));
  layer2 = new Sequential(new Block(8, 16, 2));
  fc = new Linear(16, 5);
  forward(x: Tensor): Tensor {
    const h = this.layer2.forward(this.layer1.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    return this.fc.forward(h.mean([2, 3]));
  }
}

describe('a PyTorch checkpoint with BatchNorm, saved with torch’s dtypes', () => {
  it('loads with strict: true (I64 num_batches_tracked into int32) and computes PyTorch’s output', () => {
    const state = loadSafetensors(bytes('resnet_bn_torch.safetensors'));
    expect(state['bn1.num_batches_tracked']?.dtype).toBe('int32');
    expect(state['bn1.num_batches_tracked']?.item()).toBe(3);
    const model = new ResNet();
    model.loadStateDict(state, { strict: true });
    expect(model.layer2.layers[0] instanceof Block && model.bn1.num_batches_tracked.item()).toBe(3);
    const io = loadSafetensors(bytes('resnet_bn_io.safetensors'));
    model.eval();
    const y = model.forward(io.input as Tensor);
    expectClose(y, (io.output as Tensor).data, 2e-6);
  });

  it('saves back what torch reads: int32 as I64 on request, every key PyTorch’s', () => {
    const model = new ResNet();
    model.loadStateDict(loadSafetensors(bytes('resnet_bn_torch.safetensors')));
    const { metadata } = loadSafetensorsWithMetadata(bytes('resnet_bn_torch.safetensors'));
    const out = saveSafetensors(model.stateDict(), metadata, { int64: true });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(out.subarray(8, 8 + n)));
    const torchBytes = bytes('resnet_bn_torch.safetensors');
    const tn = Number(new DataView(torchBytes.buffer, torchBytes.byteOffset).getBigUint64(0, true));
    const torchHeader = JSON.parse(new TextDecoder().decode(torchBytes.subarray(8, 8 + tn)));
    // same names, dtypes, shapes and offsets as safetensors.torch.save_file gives, and the same bytes
    expect(header).toEqual(torchHeader);
    expect(out.subarray(8 + n)).toEqual(torchBytes.subarray(8 + tn));
    expect(() => saveSafetensors({}, undefined, { int64: 'yes' as never })).toThrow(/saveSafetensors: int64 must be/);
  });
});

describe('safetensors dtypes as PyTorch writes them', () => {
  it('reads F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL into the nearest chainrule dtype', () => {
    const { tensors, metadata } = loadSafetensorsWithMetadata(bytes('dtypes_torch.safetensors'));
    expect(metadata).toEqual({ written_by: 'torch_parity.py' });
    const want: Record<string, string> = {
      f64: 'float64',
      f32: 'float32',
      f16: 'float32',
      bf16: 'float32',
      i64: 'int32',
      i32: 'int32',
      i16: 'int32',
      i8: 'int32',
      u8: 'int32',
      bool: 'bool',
    };
    for (const [name, dtype] of Object.entries(want)) {
      const t = tensors[name] as Tensor;
      const e = fx.dtypes[name];
      expect(t.dtype, name).toBe(dtype);
      expect([...t.shape], name).toEqual(e.shape);
      const values = flatten(e.values).map((v) => (typeof v === 'boolean' ? Number(v) : v));
      expect([...t.data], name).toEqual(values);
    }
  });
  it('an I64 value outside int32 is a named error', () => {
    expect(() => loadSafetensors(bytes('i64_overflow.safetensors'))).toThrow(
      /loadSafetensors: tensor "big": I64 value 1099511627776 at flat index 1 does not fit int32/,
    );
  });
});

describe('one global generator (torch.manual_seed)', () => {
  it('two Dropout layers draw different masks; manualSeed makes a run repeat', () => {
    const x = tensor(new Float32Array(64).fill(1), { shape: [8, 8] });
    const run = () => {
      const a = new Dropout(0.5);
      const b = new Dropout(0.5);
      return [[...a.forward(x).data], [...b.forward(x).data]];
    };
    manualSeed(3);
    const [m1, m2] = run();
    expect(m1).not.toEqual(m2);
    manualSeed(3);
    expect(run()).toEqual([m1, m2]);
    manualSeed(4);
    expect(run()[0]).not.toEqual(m1);
    // a layer given its own rng does not touch the global stream
    manualSeed(3);
    new Dropout(0.5, { rng: new Rng(9) }).forward(x);
    expect(run()).toEqual([m1, m2]);
  });
  it('layer initialisation follows manualSeed', () => {
    manualSeed(11);
    const a = new Linear(4, 3).weight.data.slice();
    manualSeed(11);
    expect(new Linear(4, 3).weight.data).toEqual(a);
  });
});

describe('crossEntropyLoss and nllLoss options, against torch.nn.functional', () => {
  const logits = () => {
    const z = tensor(fx.losses.logits, { dtype: 'float64' });
    z.requiresGrad = true;
    return z;
  };
  const weight = tensor(fx.losses.weight, { dtype: 'float64' });
  const opts = (o: Record<string, unknown>) => ({ ...o, ...(o.weight ? { weight } : {}) });
  for (const c of fx.losses.crossEntropy) {
    it(`crossEntropyLoss: ${c.name}`, () => {
      const z = logits();
      const target = c.probabilityTarget
        ? tensor(c.target, { dtype: 'float64' })
        : tensor(Int32Array.from(c.target as number[]));
      const loss = crossEntropyLoss(z, target, opts(c.options));
      expectClose(loss, flatten(c.loss), 1e-14);
      loss
        .mul(tensor(c.probe, { dtype: 'float64' }))
        .sum()
        .backward();
      expectClose(z.grad as Tensor, flatten(c.grad), 1e-14);
    });
  }
  for (const c of fx.losses.nll) {
    it(`nllLoss: ${c.name}`, () => {
      const lp = tensor(fx.losses.logProbs, { dtype: 'float64' });
      lp.requiresGrad = true;
      const loss = nllLoss(lp, c.target, opts(c.options));
      expectClose(loss, flatten(c.loss), 1e-14);
      loss.sum().backward();
      expectClose(lp.grad as Tensor, flatten(c.grad), 1e-14);
    });
  }
  it('float32 with every option, as a model computes it', () => {
    const z = tensor(fx.losses.logits);
    z.requiresGrad = true;
    const labels = [0, 3, -100, 1, 3];
    const loss = crossEntropyLoss(z, labels, { weight: tensor(fx.losses.weight), labelSmoothing: 0.1 });
    expectClose(loss, [fx.losses.float32.loss], 1e-6);
    loss.backward();
    expectClose(z.grad as Tensor, flatten(fx.losses.float32.grad), 1e-6);
  });
  it('names bad options', () => {
    const z = logits();
    expect(() => crossEntropyLoss(z, [0, 1, 2, 3, 4])).toThrow(
      /crossEntropyLoss: label 4 at index 4 is not an integer class index in \[0, 4\) \(nor ignoreIndex -100\)/,
    );
    expect(() => crossEntropyLoss(z, [0, 1, 2, 3, 0], { labelSmoothing: 2 })).toThrow(
      /crossEntropyLoss: labelSmoothing must be a number in \[0, 1\], got 2/,
    );
    expect(() => crossEntropyLoss(z, [0, 1, 2, 3, 0], { weight: tensor([1, 2]) })).toThrow(
      /crossEntropyLoss: weight must be a 1-D Tensor of 4 class weights, got \[2\]/,
    );
    expect(() => crossEntropyLoss(z, tensor([[0.5, 0.5]], { dtype: 'float64' }))).toThrow(
      /crossEntropyLoss: got 2 labels for 5 rows/,
    );
    // a float tensor of another shape holds class indices (as a DataLoader batch of labels)
    expect(crossEntropyLoss(z, tensor([0, 1, 2, 3, 0])).item()).toBeCloseTo(
      crossEntropyLoss(z, [0, 1, 2, 3, 0]).item(),
      14,
    );
    expect(() => nllLoss(z, [0, 1, 2, 3, 0], { ignoreIndex: 0.5 })).toThrow(ChainruleError);
  });
});

describe('LambdaLR, OneCycleLR and SequentialLR, against torch.optim.lr_scheduler', () => {
  const optimizer = () =>
    new SGD(
      [
        { params: [zeros([2], { requiresGrad: true })], lr: 0.1 },
        { params: [zeros([3], { requiresGrad: true })], lr: 0.05 },
      ],
      { lr: 0.1, momentum: 0.9 },
    );
  const cases = Object.fromEntries(fx.schedulers.map((c: { name: string }) => [c.name, c]));
  const run = (name: string, make: (o: SGD) => { step(): void; getLastLr(): number[] }, tol = 0) => {
    const c = cases[name];
    const opt = optimizer();
    const sched = make(opt);
    const lrs = [sched.getLastLr()];
    const moms = [opt.paramGroups.map((g) => g.momentum)];
    for (let i = 1; i < c.lrs.length; i++) {
      opt.step();
      sched.step();
      lrs.push(sched.getLastLr());
      moms.push(opt.paramGroups.map((g) => g.momentum));
    }
    const close = (a: number[][], b: number[][]) => {
      a.forEach((row, i) => {
        row.forEach((v, j) => {
          expect(Math.abs(v - (b[i]?.[j] as number))).toBeLessThanOrEqual(tol * Math.abs(v));
        });
      });
    };
    if (tol === 0) expect(lrs).toEqual(c.lrs);
    else close(lrs, c.lrs);
    if (c.momentum) {
      if (tol === 0) expect(moms).toEqual(c.momentum);
      else close(moms, c.momentum);
    }
    return sched;
  };
  it('LambdaLR, one λ and one per group', () => {
    // 0.95 ** e: V8's pow and glibc's may round the last bit differently
    run('LambdaLR 0.95^epoch', (o) => new LambdaLR(o, { lrLambda: (e) => 0.95 ** e }), 1e-15);
    run('LambdaLR per group', (o) => new LambdaLR(o, { lrLambda: [(e) => 1 / (e + 1), (e) => e % 3] }));
  });
  it('OneCycleLR: lr and momentum, cos, linear three-phase, epochs × stepsPerEpoch', () => {
    for (const c of fx.schedulers.filter((x: { name: string }) => x.name.startsWith('OneCycleLR'))) {
      // the cosine phases go through Math.cos: equal to glibc's cos to an ulp or two
      const sched = run(c.name, (o) => new OneCycleLR(o, c.options), 1e-15) as OneCycleLR;
      expect(() => sched.step()).toThrow(/OneCycleLR: tried to step \d+ times; totalSteps is \d+/);
    }
  });
  it('SequentialLR: a warmup then a cosine, and three schedulers', () => {
    run(
      'SequentialLR warmup + cosine',
      (o) =>
        new SequentialLR(o, {
          schedulers: [new LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new CosineAnnealingLR(o, { tMax: 7 })],
          milestones: [3],
        }),
      1e-15,
    );
    run(
      'SequentialLR three schedulers',
      (o) =>
        new SequentialLR(o, {
          schedulers: [
            new LinearLR(o, { startFactor: 0.5, totalIters: 2 }),
            new StepLR(o, { stepSize: 2, gamma: 0.5 }),
            new ExponentialLR(o, { gamma: 0.9 }),
          ],
          milestones: [2, 5],
        }),
    );
  });
  it('names bad arguments', () => {
    const o = optimizer();
    expect(() => new LambdaLR(o, { lrLambda: [(e: number) => e] })).toThrow(
      /LambdaLR: lrLambda must be a function or a list of 2 functions/,
    );
    expect(() => new OneCycleLR(o, { maxLr: 0.1 })).toThrow(/OneCycleLR: give totalSteps, or epochs and stepsPerEpoch/);
    const a = new StepLR(o, { stepSize: 2 });
    expect(() => new SequentialLR(o, { schedulers: [a, a], milestones: [] })).toThrow(
      /SequentialLR: milestones must be 1 increasing integers >= 1/,
    );
    expect(
      () => new SequentialLR(o, { schedulers: [new StepLR(optimizer(), { stepSize: 1 })], milestones: [] }),
    ).toThrow(/SequentialLR: schedulers\[0\] belongs to another optimizer/);
  });
});

describe('torch.nn.init samplers and fillers', () => {
  for (const c of fx.init) {
    it(`${c.fn}(${JSON.stringify(c.options)}): the moments of torch's 10⁶ draws`, () => {
      const t = zeros([1000000], { dtype: 'float64' });
      const fill = { truncNormal, normal, uniform }[c.fn as 'normal'];
      expect(fill(t, { ...c.options, rng: new Rng(8) })).toBe(t);
      const mean = t.mean().item();
      const std = t.std().item();
      // both are means of 10⁶ draws: 5 standard errors apart at most
      expect(Math.abs(mean - c.mean)).toBeLessThan((5 * c.std) / Math.sqrt(1e6) + 1e-12);
      expect(Math.abs(std - c.std)).toBeLessThan((5 * c.std) / Math.sqrt(5e5));
      expect(t.min().item()).toBeGreaterThanOrEqual(c.fn === 'normal' ? -Infinity : (c.options.a ?? -2));
      expect(t.max().item()).toBeLessThanOrEqual(c.fn === 'normal' ? Infinity : (c.options.b ?? 2));
    });
  }
  it('constant, init.zeros, init.ones; seeded by manualSeed; named errors', () => {
    const w = zeros([2, 3], { requiresGrad: true });
    expect([...constant(w, 0.5).data]).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect([...init.ones(w).data]).toEqual([1, 1, 1, 1, 1, 1]);
    expect([...init.zeros(w).data]).toEqual([0, 0, 0, 0, 0, 0]);
    manualSeed(5);
    const a = [...init.truncNormal(zeros([10]), { std: 0.02 }).data];
    manualSeed(5);
    expect([...init.truncNormal(zeros([10]), { std: 0.02 }).data]).toEqual(a);
    expect(() => truncNormal(zeros([3]), { a: 5, b: 9 })).toThrow(
      /truncNormal: \[5, 9\] holds .* too little to sample/,
    );
    expect(() => uniform(zeros([3]), { a: 2, b: 1 })).toThrow(/uniform: expects a ≤ b, got a = 2 and b = 1/);
    expect(() => normal(tensor(Int32Array.of(1)), {})).toThrow(/normal: /);
  });
});

describe('module.to(dtype), frozen parameters and what console.log shows', () => {
  const torchModel = () => {
    const model = new ResNet();
    model.loadStateDict(loadSafetensors(bytes('resnet_bn_torch.safetensors')));
    return model.eval();
  };
  it('to(float64) converts parameters and float buffers (not num_batches_tracked) and still computes PyTorch’s output', () => {
    const model = torchModel().to('float64');
    for (const [name, t] of Object.entries(model.stateDict())) {
      expect(t.dtype, name).toBe(name.endsWith('num_batches_tracked') ? 'int32' : 'float64');
    }
    const io = loadSafetensors(bytes('resnet_bn_io.safetensors'));
    const y = model.forward((io.input as Tensor).to('float64'));
    expect(y.dtype).toBe('float64');
    expectClose(y, (io.output as Tensor).data, 2e-6);
    expect(model.parameters().every((p) => p.requiresGrad && p.op === '')).toBe(true);
    expect(() => model.to('int32' as never)).toThrow(/ResNet.to: dtype must be 'float32' or 'float64', got .int32./);
  });
  it('to() keeps tied weights tied', () => {
    class Tied extends Module {
      emb = new Linear(3, 3);
      out = new Linear(3, 3);
      constructor() {
        super();
        this.out.weight = this.emb.weight;
      }
      forward(x: Tensor): Tensor {
        return this.out.forward(this.emb.forward(x));
      }
    }
    const m = new Tied().to('float64');
    expect(m.out.weight).toBe(m.emb.weight);
    expect(m.out.weight.dtype).toBe('float64');
  });
  it('a frozen parameter stays in parameters() and the state dict; optimizers skip it', () => {
    const model = torchModel();
    const { metadata } = loadSafetensorsWithMetadata(bytes('resnet_bn_torch.safetensors'));
    const count = () => model.parameters().reduce((n, p) => n + p.size, 0);
    expect(count()).toBe(Number(metadata.parameters));
    model.fc.weight.requiresGrad = false; // frozen before any walk of the model
    for (const p of model.layer1.parameters()) p.requiresGrad = false;
    expect(count()).toBe(Number(metadata.parameters));
    expect(model.parameters()).toContain(model.fc.weight);
    expect(Object.keys(model.stateDict())).toContain('fc.weight');
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const frozen = model.fc.weight.data.slice();
    const trained = model.fc.bias?.data.slice();
    model.train();
    const io = loadSafetensors(bytes('resnet_bn_io.safetensors'));
    crossEntropyLoss(model.forward(io.input as Tensor), [0, 1]).backward();
    expect(model.fc.weight.grad).toBeNull();
    opt.step();
    expect(model.fc.weight.data).toEqual(frozen);
    expect(model.fc.bias?.data).not.toEqual(trained);
    // buffers are not parameters
    expect(model.parameters()).not.toContain(model.bn1.running_mean);
  });
  it('console.log shows the module tree and the parameter count, not every field', () => {
    const model = torchModel();
    const { metadata } = loadSafetensorsWithMetadata(bytes('resnet_bn_torch.safetensors'));
    const shown = inspect(model);
    expect(shown.startsWith(String(model))).toBe(true);
    expect(shown.endsWith(`\n${metadata.parameters} parameters`)).toBe(true);
    expect(shown.split('\n').length).toBeLessThan(40);
    expect(inspect(new Conv2d(1, 2, 3))).toBe(`${String(new Conv2d(1, 2, 3))}\n20 parameters`);
    model.fc.weight.requiresGrad = false;
    expect(inspect(model)).toMatch(
      new RegExp(`${metadata.parameters} parameters \\(${Number(metadata.parameters) - 80} trainable\\)$`),
    );
  });
});

describe('dropout between recurrent layers', () => {
  it('acts in training only, draws from the global generator, and zeroes whole inputs of the next layer at p = 1', () => {
    const x = tensor(
      Float32Array.from({ length: 5 * 2 * 3 }, (_, i) => Math.sin(i)),
      { shape: [5, 2, 3] },
    );
    manualSeed(0);
    const gru = new GRU(3, 4, { numLayers: 2, dropout: 0.5 });
    const plain = new GRU(3, 4, { numLayers: 2 });
    plain.loadStateDict(gru.stateDict());
    gru.eval();
    expect([...gru.forward(x)[0].data]).toEqual([...plain.forward(x)[0].data]);
    gru.train();
    manualSeed(1);
    const a = [...gru.forward(x)[0].data];
    manualSeed(1);
    expect([...gru.forward(x)[0].data]).toEqual(a);
    expect(a).not.toEqual([...plain.forward(x)[0].data]);
    // p = 1: layer 1 reads zeros, so its output is the same for any input
    const all = new GRU(3, 4, { numLayers: 2, dropout: 1 });
    expect([...all.forward(x)[0].data]).toEqual([...all.forward(x.mul(3))[0].data]);
    expect(String(gru)).toBe('GRU(3, 4, numLayers=2, dropout=0.5)');
    expect(() => new LSTM(3, 4, { dropout: 2 })).toThrow(/LSTM: dropout must be a number in \[0, 1\], got 2/);
    expect(() => gru.forward(x, undefined, { lengths: [5, 0] })).toThrow(
      /GRU: lengths must be 2 integers in 1..5 \(one per sequence of the batch\), got /,
    );
  });
});
