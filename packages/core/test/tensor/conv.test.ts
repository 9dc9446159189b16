import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  avgPool2d,
  ChainruleError,
  type ConvOptions,
  conv1d,
  conv2d,
  maxPool2d,
  noGrad,
  type Tensor,
  tensor,
} from '../../src/index';
import { expectClose, expectGradcheck, rand64 } from './helpers';

/**
 * The most obvious convolution, straight from the definition: y[n,o,i,j] = b[o] +
 * Σ_{c,p,q} w[o,c,p,q] · x[n, g·cg + c, i·s + p·d − pad, j·s + q·d − pad] (zero outside x).
 */
function naiveConv2d(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  [sH, sW]: readonly [number, number],
  [pT, pL]: readonly [number, number],
  [dH, dW]: readonly [number, number],
  groups: number,
  [oH, oW]: readonly [number, number],
): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, cg, kH, kW] = w.shape as [number, number, number, number];
  const og = O / groups;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < oH; i++)
        for (let j = 0; j < oW; j++) {
          let s = b ? (b.data[o] as number) : 0;
          const g = Math.floor(o / og);
          for (let c = 0; c < cg; c++)
            for (let p = 0; p < kH; p++)
              for (let q = 0; q < kW; q++) {
                const h = i * sH + p * dH - pT;
                const v = j * sW + q * dW - pL;
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                const xi = ((n * C + g * cg + c) * H + h) * W + v;
                s += (w.data[((o * cg + c) * kH + p) * kW + q] as number) * (x.data[xi] as number);
              }
          out.push(s);
        }
  return out;
}

describe('conv2d', () => {
  it('F18–F20: a 2×2 kernel on a 3×3 image, forward and every gradient by hand', () => {
    const x = tensor(
      [
        [
          [
            [1, 2, 3],
            [4, 5, 6],
            [7, 8, 9],
          ],
        ],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const w = tensor(
      [
        [
          [
            [1, 0],
            [0, -1],
          ],
        ],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const b = tensor([0.5], { dtype: 'float64', requiresGrad: true });
    const y = conv2d(x, w, b);
    // F18: y[i,j] = x[i,j] − x[i+1,j+1] + 0.5
    expect(y.toArray()).toEqual([
      [
        [
          [-3.5, -3.5],
          [-3.5, -3.5],
        ],
      ],
    ]);
    y.sum().backward();
    // F19: ∂L/∂w[p,q] = Σ over windows of the pixel under tap (p,q); ∂L/∂b = the number of windows
    expect(w.grad?.toArray()).toEqual([
      [
        [
          [12, 16],
          [24, 28],
        ],
      ],
    ]);
    expect(b.grad?.toArray()).toEqual([4]);
    // F20: ∂L/∂x = col2im: each pixel gets w[p,q] from every window that reads it through tap (p,q)
    expect(x.grad?.toArray()).toEqual([
      [
        [
          [1, 1, 0],
          [1, 0, -1],
          [0, -1, -1],
        ],
      ],
    ]);
  });

  it('F18: equals the naive definition for random shapes, strides, paddings, dilations and groups', () => {
    const cases = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 3 }),
      cg: fc.integer({ min: 1, max: 2 }),
      og: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 7 }),
      w: fc.integer({ min: 1, max: 7 }),
      kH: fc.integer({ min: 1, max: 3 }),
      kW: fc.integer({ min: 1, max: 3 }),
      s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      pad: fc.oneof(
        fc.integer({ min: 0, max: 2 }),
        fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
        fc.constantFrom('same' as const, 'valid' as const),
      ),
      bias: fc.boolean(),
    });
    fc.assert(
      fc.property(cases, (c) => {
        const stride: [number, number] = c.pad === 'same' ? [1, 1] : c.s;
        const [pT, pL, pB, pR] =
          c.pad === 'valid'
            ? [0, 0, 0, 0]
            : c.pad === 'same'
              ? [
                  Math.floor((c.d[0] * (c.kH - 1)) / 2),
                  Math.floor((c.d[1] * (c.kW - 1)) / 2),
                  Math.ceil((c.d[0] * (c.kH - 1)) / 2),
                  Math.ceil((c.d[1] * (c.kW - 1)) / 2),
                ]
              : typeof c.pad === 'number'
                ? [c.pad, c.pad, c.pad, c.pad]
                : [c.pad[0], c.pad[1], c.pad[0], c.pad[1]];
        const oH = Math.floor((c.h + pT + pB - c.d[0] * (c.kH - 1) - 1) / stride[0]) + 1;
        const oW = Math.floor((c.w + pL + pR - c.d[1] * (c.kW - 1) - 1) / stride[1]) + 1;
        if (oH < 1 || oW < 1) return;
        const x = rand64([c.n, c.groups * c.cg, c.h, c.w]);
        const w = rand64([c.groups * c.og, c.cg, c.kH, c.kW]);
        const b = c.bias ? rand64([c.groups * c.og]) : null;
        const opts: ConvOptions = { stride, padding: c.pad, dilation: c.d, groups: c.groups };
        const y = conv2d(x, w, b, opts);
        expect(y.shape).toEqual([c.n, c.groups * c.og, oH, oW]);
        expectClose(y.data, naiveConv2d(x, w, b, stride, [pT, pL], c.d, c.groups, [oH, oW]), 1e-12);
      }),
      { numRuns: 60, seed: 17 },
    );
  });

  it('F19–F20: gradcheck in float64 w.r.t. input, weight and bias, for stride, padding, dilation and groups', () => {
    const variants: ConvOptions[] = [
      {},
      { stride: 2, padding: 1 },
      { padding: 'same', dilation: 2 },
      { stride: [2, 1], padding: [0, 1], groups: 2 },
    ];
    for (const opts of variants) {
      const x = rand64([2, 4, 5, 4]);
      const w = rand64([4, (opts.groups ?? 1) === 2 ? 2 : 4, 3, 2]);
      const b = rand64([4]);
      expectGradcheck((xx, ww, bb) => conv2d(xx as Tensor, ww as Tensor, bb, opts), [x, w, b]);
    }
  });

  it('an unbatched input [C, H, W] gives [C_out, H_out, W_out]; float32 and float64 mix to float64', () => {
    const x = rand64([2, 4, 4]);
    const w = tensor(new Float32Array(3 * 2 * 2 * 2).fill(1), { shape: [3, 2, 2, 2] });
    const y = conv2d(x, w);
    expect(y.shape).toEqual([3, 3, 3]);
    expect(y.dtype).toBe('float64');
    const batched = conv2d(x.reshape([1, 2, 4, 4]), w);
    expectClose(y.data, batched.data, 0);
  });

  it('rejects bad shapes and options with the op, values and expectation in the message, changing nothing', () => {
    const x = rand64([1, 3, 5, 5]);
    const w = rand64([4, 3, 3, 3]);
    const err = (f: () => unknown, msg: string) => {
      expect(f).toThrow(ChainruleError);
      expect(f).toThrow(msg);
    };
    err(() => conv2d(x, rand64([4, 2, 3, 3])), 'conv2d: weight [4,2,3,3] expects 2 input channels');
    err(() => conv2d(rand64([3, 5]), w), 'conv2d: expects input [N, C, H, W] or [C, H, W], got [3,5]');
    err(() => conv2d(x, w, rand64([3])), 'conv2d: bias [3] should have shape [4]');
    err(() => conv2d(x, w, null, { stride: 0 }), 'conv2d: stride must be a positive integer or 2 of them, got 0');
    err(() => conv2d(x, w, null, { padding: 'same', stride: 2 }), "conv2d: padding 'same' needs stride 1");
    err(() => conv2d(x, w, null, { groups: 2 }), 'conv2d: groups 2 must divide both the input channels 3');
    err(
      () => conv2d(x, rand64([4, 3, 7, 7])),
      'conv2d: the padded input [5,5] is smaller than the dilated kernel [7,7]',
    );
    err(() => conv2d(x, 3 as unknown as Tensor), 'conv2d: weight must be a Tensor, got number 3');
    expect(x.grad).toBeNull();
  });
});

describe('conv1d', () => {
  it('F18: hand values with stride, padding and dilation', () => {
    // x = [1, 2, 3, 4, 5], w = [1, −1] dilated by 2 (taps 2 apart), padding 1 → [0,1,2,3,4,5,0]
    const x = tensor([[[1, 2, 3, 4, 5]]], { dtype: 'float64' });
    const w = tensor([[[1, -1]]], { dtype: 'float64' });
    expect(conv1d(x, w, null, { padding: 1, dilation: 2 }).toArray()).toEqual([[[-2, -2, -2, -2, 4]]]);
    expect(conv1d(x, w, tensor([10], { dtype: 'float64' }), { stride: 2 }).toArray()).toEqual([[[9, 9]]]);
    expect(conv1d(x, w, null, { padding: 'same' }).shape).toEqual([1, 1, 5]);
  });

  it('F19–F20: gradcheck in float64 w.r.t. input, weight and bias, with groups', () => {
    const x = rand64([2, 4, 7]);
    const w = rand64([6, 2, 3]);
    const b = rand64([6]);
    for (const opts of [{ groups: 2 }, { groups: 2, stride: 2, padding: 2, dilation: 2 }]) {
      expectGradcheck((xx, ww, bb) => conv1d(xx as Tensor, ww as Tensor, bb, opts), [x, w, b]);
    }
  });

  it('rejects a 2-D kernel', () => {
    expect(() => conv1d(rand64([1, 2, 5]), rand64([1, 2, 3, 3]))).toThrow(
      'conv1d: expects weight [out, in/groups, k], got [1,2,3,3]',
    );
  });
});

describe('pooling', () => {
  const img = () =>
    tensor(
      [
        [
          [
            [1, 5, 2, 0],
            [3, 4, 8, 1],
            [0, 2, 7, 7],
            [6, 1, 3, 9],
          ],
        ],
      ],
      { dtype: 'float64', requiresGrad: true },
    );

  it('F21: maxPool2d hand values; the gradient goes to each window maximum, the first one on ties', () => {
    const x = img();
    const y = maxPool2d(x, 2);
    expect(y.toArray()).toEqual([
      [
        [
          [5, 8],
          [6, 9],
        ],
      ],
    ]);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([
      [
        [
          [0, 1, 0, 0],
          [0, 0, 1, 0],
          [0, 0, 0, 0],
          [1, 0, 0, 1],
        ],
      ],
    ]);
    // overlapping windows (stride 1): the 8 is the maximum of four windows, so its gradient is 4
    const x2 = img();
    maxPool2d(x2, [2, 2], { stride: 1 }).sum().backward();
    expect(x2.grad?.toArray()).toEqual([
      [
        [
          [0, 1, 0, 0],
          [0, 1, 4, 0],
          [0, 0, 1, 0],
          [1, 0, 0, 1],
        ],
      ],
    ]);
    // without a graph (noGrad, or an input that needs no gradient) no argmax is kept: same values, no node
    const inference = noGrad(() => maxPool2d(img(), 2));
    expect(inference.toArray()).toEqual(y.toArray());
    expect([inference.requiresGrad, inference.children.length]).toEqual([false, 0]);
    expect(maxPool2d(img().detach(), 2).toArray()).toEqual(y.toArray());
    // a tie goes to the first maximum in the window (row-major), as PyTorch
    const x3 = tensor(
      [
        [
          [
            [7, 7],
            [1, 7],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    maxPool2d(x3, 2).sum().backward();
    expect(x3.grad?.toArray()).toEqual([
      [
        [
          [1, 0],
          [0, 0],
        ],
      ],
    ]);
    // the padding is −∞: a window over the corner sees only the real pixel
    expect(maxPool2d(tensor([[[[-5]]]]), 2, { stride: 1, padding: 1 }).toArray()).toEqual([
      [
        [
          [-5, -5],
          [-5, -5],
        ],
      ],
    ]);
  });

  it('F22: avgPool2d hand values, the padding counted as zeros (count_include_pad)', () => {
    const x = img();
    expect(avgPool2d(x, 2).toArray()).toEqual([
      [
        [
          [13 / 4, 11 / 4],
          [9 / 4, 26 / 4],
        ],
      ],
    ]);
    const y = avgPool2d(x, 3, { stride: 2, padding: 1 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(y.data[0]).toBeCloseTo((1 + 5 + 3 + 4) / 9, 15);
    y.sum().backward();
    // pixel (1,1) lies in all four windows
    expect(x.grad?.data[5]).toBeCloseTo(4 / 9, 15);
    expect(x.grad?.data[0]).toBeCloseTo(1 / 9, 15);
  });

  it('F21–F22: gradcheck in float64 for several kernel, stride and padding settings', () => {
    // distinct values (a shuffled range) keep the max away from ties, where it is not differentiable
    const x = rand64([2, 3, 6, 5]);
    const order = Array.from(x.data.keys()).sort((a, b) => (x.data[a] as number) - (x.data[b] as number));
    order.forEach((idx, rank) => {
      x.data[idx] = rank * 0.01;
    });
    for (const [k, opts] of [
      [2, {}],
      [3, { stride: 1, padding: 1 }],
      [[3, 2], { stride: [2, 1], padding: [1, 0] }],
    ] as const) {
      expectGradcheck((xx) => maxPool2d(xx as Tensor, k, opts), [x]);
      expectGradcheck((xx) => avgPool2d(xx as Tensor, k, opts), [x]);
    }
  });

  it('rejects a padding above half the kernel and a bad kernel size', () => {
    expect(() => maxPool2d(rand64([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(
      'maxPool2d: padding [2,2] should be at most half the kernel size [2,2]',
    );
    expect(() => avgPool2d(rand64([1, 1, 4, 4]), 0)).toThrow('avgPool2d: kernelSize must be a positive integer');
    expect(() => avgPool2d(rand64([4, 4]), 2)).toThrow('avgPool2d: expects input [N, C, H, W] or [C, H, W], got [4,4]');
  });
});
