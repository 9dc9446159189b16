import { ChainruleError, gradcheck, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { bceLoss, bceWithLogitsLoss, crossEntropyLoss, huberLoss, l1Loss, mseLoss, nllLoss } from '../src/index';

const f64 = (data: number[] | number[][], requiresGrad = false) => tensor(data, { dtype: 'float64', requiresGrad });
const close = (got: ArrayLike<number> | undefined, want: number[], tol = 1e-14) => {
  expect(got?.length).toBe(want.length);
  want.forEach((w, i) => {
    expect(Math.abs((got?.[i] as number) - w), `element ${i}`).toBeLessThan(tol);
  });
};
const sig = (z: number) => 1 / (1 + Math.exp(-z));

describe('mseLoss', () => {
  it('F10: value mean (y − t)² and gradient 2(y − t)/N by hand', () => {
    const y = f64([1, 2, 4], true);
    const t = f64([0, 2, 1]);
    const loss = mseLoss(y, t);
    expect(loss.item()).toBe((1 + 0 + 9) / 3);
    loss.backward();
    close(y.grad?.data, [(2 * 1) / 3, 0, (2 * 3) / 3]);
    expect(mseLoss(f64([1, 2, 4]), t, { reduction: 'sum' }).item()).toBe(10);
    expect(Array.from(mseLoss(f64([1, 2, 4]), t, { reduction: 'none' }).data)).toEqual([1, 0, 9]);
  });

  it('F10 with a sigmoid output: δ = 2(y − t)/N ∘ σ(z)(1 − σ(z)) (F2)', () => {
    const z = f64([0.3, -1.2], true);
    mseLoss(z.sigmoid(), f64([1, 0])).backward();
    close(
      z.grad?.data,
      [0.3, -1.2].map((v, i) => ((2 * (sig(v) - (i === 0 ? 1 : 0))) / 2) * sig(v) * (1 - sig(v))),
    );
  });
});

describe('l1Loss and huberLoss', () => {
  it('l1: mean |y − t|, gradient sign(y − t)/N', () => {
    const y = f64([1, 2, 4], true);
    const loss = l1Loss(y, f64([0, 2, 5]));
    expect(loss.item()).toBe(2 / 3);
    loss.backward();
    close(y.grad?.data, [1 / 3, 0, -1 / 3]);
  });

  it('huber selects its branch: no NaN when the unused branch overflows or δ is infinite', () => {
    const big = tensor([3e19, -3e19], { requiresGrad: true }); // float32: d² overflows to ∞
    const loss = huberLoss(big, tensor([0, 0]), { reduction: 'sum' });
    expect(loss.item()).toBeCloseTo(2 * (3e19 - 0.5), -15);
    loss.backward();
    expect(big.grad?.toArray()).toEqual([1, -1]);
    const p = tensor([0.5, -2], { dtype: 'float64', requiresGrad: true });
    const inf = huberLoss(p, tensor([0, 0], { dtype: 'float64' }), {
      delta: Number.POSITIVE_INFINITY,
      reduction: 'sum',
    });
    expect(inf.item()).toBe(0.125 + 2);
    inf.backward();
    expect(p.grad?.toArray()).toEqual([0.5, -2]);
  });

  it('huber: ½d² inside δ, δ(|d| − ½δ) outside; gradient d or δ·sign(d), over N', () => {
    const y = f64([0.5, 3, -2], true);
    const loss = huberLoss(y, f64([0, 0, 0]));
    expect(Math.abs(loss.item() - (0.125 + 2.5 + 1.5) / 3)).toBeLessThan(1e-15);
    loss.backward();
    close(y.grad?.data, [0.5 / 3, 1 / 3, -1 / 3]);
    expect(huberLoss(f64([3]), f64([0]), { delta: 2 }).item()).toBe(2 * (3 - 1));
    const report = gradcheck((p) => huberLoss(p, f64([[0, 0, 0]]), { delta: 0.7 }), [f64([[0.2, 1.5, -3]])]);
    expect(report.ok, report.message).toBe(true);
  });
});

describe('binary cross-entropy', () => {
  it('F11: bceWithLogits gradient is (σ(z) − t)/N, and equals bceLoss(σ(z))', () => {
    const zs = [-1, 0.5, 2];
    const ts = [0, 1, 1];
    const z = f64(zs, true);
    const loss = bceWithLogitsLoss(z, f64(ts));
    const viaProb = bceLoss(f64(zs).sigmoid(), f64(ts));
    expect(Math.abs(loss.item() - viaProb.item())).toBeLessThan(1e-15);
    loss.backward();
    close(
      z.grad?.data,
      zs.map((v, i) => (sig(v) - (ts[i] as number)) / 3),
    );
  });

  it('bceWithLogits is stable for logits of ±100', () => {
    const z = f64([100, -100], true);
    const loss = bceWithLogitsLoss(z, f64([0, 0]), { reduction: 'sum' });
    expect(loss.item()).toBe(100);
    loss.backward();
    close(z.grad?.data, [1, 0]);
  });

  it('bceLoss rejects probabilities outside [0, 1] and mismatched shapes', () => {
    expect(() => bceLoss(f64([0.5, -0.1]), f64([0, 1]))).toThrow(ChainruleError);
    expect(() => bceLoss(f64([0.5, -0.1]), f64([0, 1]))).toThrow(
      'bceLoss: input must hold probabilities in [0, 1], got -0.1 at index 1',
    );
    expect(() => bceLoss(f64([0.5]), f64([0, 1]))).toThrow(
      'bceLoss: input [1] and target [2] must have the same shape',
    );
    expect(() => bceWithLogitsLoss(f64([0.5]), f64([0, 1]))).toThrow('bceWithLogitsLoss: input [1] and target [2]');
  });
});

describe('crossEntropyLoss and nllLoss', () => {
  it('F12: gradient (softmax(z) − onehot(t))/N by hand; nllLoss(logSoftmax) agrees', () => {
    const zs = [
      [2, 1, 0.1],
      [0.5, 2.5, -1],
    ];
    const z = f64(zs, true);
    const loss = crossEntropyLoss(z, [0, 2]);
    const sm = zs.map((row) => {
      const e = row.map(Math.exp);
      const s = e.reduce((a, b) => a + b);
      return e.map((v) => v / s);
    });
    const hand = -(Math.log(sm[0]?.[0] as number) + Math.log(sm[1]?.[2] as number)) / 2;
    expect(Math.abs(loss.item() - hand)).toBeLessThan(1e-14);
    loss.backward();
    close(
      z.grad?.data,
      sm.flatMap((row, n) => row.map((p, c) => (p - (c === [0, 2][n] ? 1 : 0)) / 2)),
    );
    const z2 = f64(zs, true);
    const nll = nllLoss(z2.logSoftmax(), tensor([0, 2]));
    expect(Math.abs(nll.item() - loss.item())).toBeLessThan(1e-15);
    nll.backward();
    close(z2.grad?.data, Array.from(z.grad?.data ?? []));
  });

  it('is stable for logits of ±1000 and supports every reduction', () => {
    const z = f64(
      [
        [1000, -1000],
        [-1000, 1000],
      ],
      true,
    );
    expect(crossEntropyLoss(z, [1, 1], { reduction: 'none' }).toArray()).toEqual([2000, 0]);
    expect(crossEntropyLoss(z, [1, 1], { reduction: 'sum' }).item()).toBe(2000);
    const report = gradcheck(
      (t: Tensor) => nllLoss(t.logSoftmax(), [1, 0], { reduction: 'sum' }),
      [
        f64([
          [0.1, 0.4],
          [2, -1],
        ]),
      ],
    );
    expect(report.ok, report.message).toBe(true);
  });

  it('bad labels throw naming the loss, and nothing is computed', () => {
    const z = f64([[1, 2, 3]], true);
    expect(() => crossEntropyLoss(z, [3])).toThrow(
      'crossEntropyLoss: label 3 at index 0 is not an integer class index in [0, 3)',
    );
    expect(() => crossEntropyLoss(z, [-1])).toThrow('crossEntropyLoss: label -1');
    expect(() => crossEntropyLoss(z, [0.5])).toThrow('crossEntropyLoss: label 0.5');
    expect(() => crossEntropyLoss(z, [0, 1])).toThrow('crossEntropyLoss: got 2 labels for 1 rows');
    expect(() => nllLoss(z, [7])).toThrow('nllLoss: label 7 at index 0 is not an integer class index in [0, 3)');
    expect(() => mseLoss(z, f64([1, 2]))).toThrow('mseLoss: input [1,3] and target [2] must have the same shape');
    expect(() => mseLoss(z, f64([[1, 2, 3]]), { reduction: 'avg' as 'mean' })).toThrow(
      "mseLoss: reduction must be 'mean', 'sum' or 'none', got 'avg'",
    );
    expect(z.grad).toBeNull();
  });
});
