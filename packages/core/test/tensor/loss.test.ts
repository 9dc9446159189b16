import { describe, expect, it } from 'vitest';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, gradcheck, huber, tensor, Value } from '../../src/index';
import { expectClose, expectGradcheck, rand64 } from './helpers';

const sig = (z: number) => 1 / (1 + Math.exp(-z));

describe('binaryCrossEntropyWithLogits', () => {
  it('F11: value softplus(z) − tz and gradient (σ(z) − t)/N by hand', () => {
    const zs = [-2, 0, 0.5, 3];
    const ts = [0, 1, 1, 0];
    const z = tensor(zs, { requiresGrad: true, dtype: 'float64' });
    const loss = binaryCrossEntropyWithLogits(z, tensor(ts, { dtype: 'float64' }));
    const hand =
      zs.reduce(
        (s, v, i) => s - ((ts[i] as number) * Math.log(sig(v)) + (1 - (ts[i] as number)) * Math.log(1 - sig(v))),
        0,
      ) / 4;
    expect(Math.abs(loss.item() - hand)).toBeLessThan(1e-15);
    loss.backward();
    expectClose(
      z.grad?.data ?? [],
      zs.map((v, i) => (sig(v) - (ts[i] as number)) / 4),
      1e-15,
    );
  });

  it('is finite and exact for logits of ±100, and passes gradcheck', () => {
    const z = tensor([100, -100, 100], { requiresGrad: true, dtype: 'float64' });
    const l = binaryCrossEntropyWithLogits(z, tensor([0, 1, 1], { dtype: 'float64' }), 'none');
    expectClose(l.data, [100, 100, 0], 1e-15);
    l.sum().backward();
    expectClose(z.grad?.data ?? [], [1, -1, 0], 1e-15);
    expectGradcheck(
      (t) =>
        binaryCrossEntropyWithLogits(
          t,
          tensor(
            [
              [0, 1, 0.3],
              [1, 0, 0.7],
            ],
            { dtype: 'float64' },
          ),
        ),
      [rand64([2, 3])],
    );
  });
});

describe('binaryCrossEntropy', () => {
  it('value and gradient (p − t)/(p(1 − p)N) by hand; gradcheck', () => {
    const p = tensor([0.2, 0.9], { requiresGrad: true, dtype: 'float64' });
    const loss = binaryCrossEntropy(p, tensor([0, 1], { dtype: 'float64' }), 'sum');
    expect(Math.abs(loss.item() - -(Math.log(0.8) + Math.log(0.9)))).toBeLessThan(1e-15);
    loss.backward();
    expectClose(p.grad?.data ?? [], [0.2 / (0.2 * 0.8), -0.1 / (0.9 * 0.1)], 1e-14);
    expectGradcheck((t) => binaryCrossEntropy(t, tensor([0, 1, 0.5], { dtype: 'float64' })), [rand64([3], 0.1, 0.9)]);
  });

  it('clamps log at −100 for probabilities of exactly 0 and 1, as PyTorch', () => {
    const p = tensor([0, 1], { requiresGrad: true, dtype: 'float64' });
    const l = binaryCrossEntropy(p, tensor([1, 0], { dtype: 'float64' }), 'none');
    expect(Array.from(l.data)).toEqual([100, 100]);
    l.sum().backward();
    expect(p.grad?.data.every(Number.isFinite)).toBe(true);
  });

  it('rejects probabilities outside [0, 1] and mismatched shapes, changing nothing', () => {
    const p = tensor([0.5, 1.5], { requiresGrad: true });
    expect(() => binaryCrossEntropy(p, tensor([0, 1]))).toThrow(
      'bceLoss: input must hold probabilities in [0, 1], got 1.5 at index 1',
    );
    expect(() => binaryCrossEntropyWithLogits(p, tensor([0, 1, 1]))).toThrow(
      'bceWithLogitsLoss: input [2] and target [3] must have the same shape',
    );
    expect(p.grad).toBeNull();
  });
});

describe('huber (fused)', () => {
  it('values and gradient by hand: ½d² inside δ, δ(|d| − ½δ) outside; ∂/∂p = d or δ·sign(d)', () => {
    const p = tensor([0.5, 3, -4], { dtype: 'float64', requiresGrad: true });
    const t = tensor([0, 0, 0], { dtype: 'float64' });
    const y = huber(p, t, 2, 'sum');
    expect(y.item()).toBe(0.125 + 2 * (3 - 1) + 2 * (4 - 1));
    y.backward();
    expect(p.grad?.toArray()).toEqual([0.5, 2, -2]);
    const report = gradcheck((q) => huber(q, t, 1.5, 'mean'), [tensor([0.3, 2.5, -0.9], { dtype: 'float64' })]);
    expect(report.ok, report.message).toBe(true);
    expect(() => huber(p, t, 0)).toThrow('huberLoss: delta must be a positive number, got 0');
  });
});

describe('pow at 0', () => {
  it('x⁰ has gradient 0 everywhere, also at x = 0 (PyTorch), in Tensor and Value', () => {
    const x = tensor([0, 2], { requiresGrad: true });
    x.pow(0).sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 0]);
    const v = new Value(0);
    v.pow(0).backward();
    expect(v.grad).toBe(0);
  });
});
