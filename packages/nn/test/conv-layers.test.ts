import { Rng, randn, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import {
  AvgPool2d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Flatten,
  Identity,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
} from '../src/index';

describe('Conv1d / Conv2d', () => {
  it("have PyTorch's parameter names and layouts: weight [out, in/groups, ...kernel], bias [out]", () => {
    const c = new Conv2d(4, 6, [3, 2], { groups: 2 });
    expect(c.namedParameters().map(([n, t]) => [n, [...t.shape]])).toEqual([
      ['weight', [6, 2, 3, 2]],
      ['bias', [6]],
    ]);
    expect(new Conv1d(3, 5, 4, { bias: false }).namedParameters().map(([n, t]) => [n, [...t.shape]])).toEqual([
      ['weight', [5, 3, 4]],
    ]);
  });

  it('initialise as PyTorch: weight and bias in U(±1/√fanIn), fanIn = (in/groups)·∏kernel; seeded', () => {
    const c = new Conv2d(8, 16, 3, { rng: new Rng(1) });
    const bound = 1 / Math.sqrt(8 * 9);
    for (const t of [c.weight, c.bias]) {
      const v = Array.from(t?.data ?? []);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      // a uniform sample fills its range: the extremes come within 5% of the bound
      expect(Math.max(...v)).toBeGreaterThan(0.9 * bound);
      expect(Math.min(...v)).toBeLessThan(-0.9 * bound);
    }
    const again = new Conv2d(8, 16, 3, { rng: new Rng(1) });
    expect(Array.from(again.weight.data)).toEqual(Array.from(c.weight.data));
    expect(Array.from(again.bias?.data ?? [])).toEqual(Array.from(c.bias?.data ?? []));
    expect(new Conv1d(2, 2, 3, { dtype: 'float64' }).weight.dtype).toBe('float64');
  });

  it('forward: shapes for padding, stride and same; options reach the op', () => {
    const x = randn([2, 3, 9, 8]);
    expect(new Conv2d(3, 4, 3, { padding: 1 }).forward(x).shape).toEqual([2, 4, 9, 8]);
    expect(new Conv2d(3, 4, 3, { stride: 2 }).forward(x).shape).toEqual([2, 4, 4, 3]);
    expect(new Conv2d(3, 4, [2, 4], { padding: 'same' }).forward(x).shape).toEqual([2, 4, 9, 8]);
    expect(new Conv1d(3, 2, 3, { dilation: 2 }).forward(randn([1, 3, 10])).shape).toEqual([1, 2, 6]);
  });

  it('reject bad sizes and options with the layer name', () => {
    expect(() => new Conv2d(0, 4, 3)).toThrow('Conv2d: inChannels must be a positive integer, got 0');
    expect(() => new Conv2d(3, 4, [3])).toThrow('Conv2d: kernelSize must be a positive integer or 2 of them, got [3]');
    expect(() => new Conv1d(3, 4, 3, { groups: 2 })).toThrow(
      'Conv1d: groups 2 must divide inChannels 3 and outChannels 4',
    );
    expect(() => new Conv2d(3, 4, 3, { stride: -1 })).toThrow(
      'Conv2d: stride must be a positive integer or 2 of them, got -1',
    );
    expect(() => new Conv2d(3, 4, 3, { padding: 'full' as 'same' })).toThrow(
      "Conv2d: padding must be an integer >= 0, 2 of them, 'same' or 'valid', got 'full'",
    );
    expect(() => new Conv2d(3, 4, 3, { strides: 2 } as never)).toThrow("Conv2d: unknown option 'strides'");
    // a mismatch found by the op is reported under the layer the user called
    expect(() => new Conv2d(3, 4, 3).forward(randn([1, 2, 5, 5]))).toThrow(
      'Conv2d: conv2d: weight [4,3,3,3] expects 3 input',
    );
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow('MaxPool2d: padding 2 must be at most half of kernelSize 2');
  });

  it('toString shows the configuration', () => {
    expect(new Conv2d(1, 16, 3, { padding: 1 }).toString()).toBe(
      'Conv2d(1, 16, kernelSize=[3,3], stride=1, padding=1)',
    );
  });
});

describe('pooling, Flatten, Identity', () => {
  it('MaxPool2d and AvgPool2d default the stride to the kernel', () => {
    const x = tensor([
      [
        [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
      ],
    ]);
    expect(new MaxPool2d(2).forward(x).toArray()).toEqual([[[[6, 8]]]]);
    expect(new AvgPool2d(2).forward(x).toArray()).toEqual([[[[3.5, 5.5]]]]);
    expect(new MaxPool2d([1, 2], { stride: 1 }).forward(x).shape).toEqual([1, 1, 2, 3]);
  });

  it('Flatten keeps the batch dim by default; Identity returns its input', () => {
    const x = randn([2, 3, 4, 5]);
    expect(new Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new Flatten(2).forward(x).shape).toEqual([2, 3, 20]);
    expect(new Flatten(0, 1).forward(x).shape).toEqual([6, 4, 5]);
    const id = new Identity();
    expect(id.forward(x)).toBe(x);
    const pair = [x, x] as const;
    expect(id.forward(pair)).toBe(pair);
  });

  it('a CNN as a Sequential names its parameters by position, as PyTorch', () => {
    const net = new Sequential(
      new Conv2d(1, 4, 3, { padding: 1 }),
      new BatchNorm2d(4),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(4 * 4 * 4, 3),
    );
    expect(Object.keys(net.stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '5.weight',
      '5.bias',
    ]);
    expect(net.forward(randn([2, 1, 8, 8])).shape).toEqual([2, 3]);
  });
});

describe('BatchNorm2d', () => {
  it('normalises each channel over N, H, W in training; eval uses the running statistics', () => {
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    // channel 0 holds 1…4, channel 1 holds 10 everywhere
    const x = tensor(
      [
        [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [10, 10],
            [10, 10],
          ],
        ],
      ],
      { dtype: 'float64' },
    );
    const y = bn.forward(x);
    const s = Math.sqrt(1.25 + 1e-5);
    expect(Math.abs((y.data[0] as number) - -1.5 / s)).toBeLessThan(1e-12);
    expect(Array.from(y.data.slice(4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(bn.running_mean.data)).toEqual([0.25, 1]);
    // unbiased variance 5/3 for channel 0
    expect(Math.abs((bn.running_var.data[0] as number) - (0.9 + 0.1 * (5 / 3)))).toBeLessThan(1e-12);
    expect(bn.num_batches_tracked.item()).toBe(1);
    bn.eval();
    const z = bn.forward(x);
    expect(
      Math.abs((z.data[0] as number) - (1 - 0.25) / Math.sqrt((bn.running_var.data[0] as number) + 1e-5)),
    ).toBeLessThan(1e-12);
    expect(bn.num_batches_tracked.item()).toBe(1);
  });

  it('rejects other ranks and channel counts', () => {
    expect(() => new BatchNorm2d(3).forward(randn([2, 3, 4]))).toThrow(
      'BatchNorm2d: expected input [N, 3, H, W], got [2,3,4]',
    );
    expect(() => new BatchNorm2d(3, { momentum: 2 })).toThrow('BatchNorm2d: momentum must be in [0, 1] or null, got 2');
  });
});
