// ops: fused binary cross-entropy losses, whose backward is the hand-derived closed form.
// Vocabulary: p (probabilities) or z (logits), t (targets, constant) → y; gy = ∂L/∂y.
import { check, fmtShape } from '../../errors';
import * as K from '../../kernels/index';
import { empty } from '../create';
import { gradBuffer, record } from '../record';
import { sameShape } from '../shape';
import { Tensor } from '../tensor';
import type { Reduction } from './softmax';

/** Applies `reduction` to per-element losses; the backward's per-element factor is its (gyStep, scale). */
function reduce(op: string, losses: Tensor, reduction: Reduction): { y: Tensor; gyStep: number; scale: number } {
  check(
    reduction === 'mean' || reduction === 'sum' || reduction === 'none',
    () => `${op}: reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`,
  );
  if (reduction === 'none') return { y: losses, gyStep: 1, scale: 1 };
  let s = 0;
  for (let i = 0; i < losses.size; i++) s += losses.data[i] as number;
  const y = empty([], losses.dtype);
  y.data[0] = reduction === 'mean' ? s / losses.size : s;
  return { y, gyStep: 0, scale: reduction === 'mean' ? 1 / losses.size : 1 };
}

function checkTarget(op: string, x: Tensor, target: Tensor): void {
  check(x instanceof Tensor && target instanceof Tensor, () => `${op}: input and target must be Tensors`);
  check(
    sameShape(x.shape, target.shape),
    () => `${op}: input ${fmtShape(x.shape)} and target ${fmtShape(target.shape)} must have the same shape`,
  );
}

/**
 * Binary cross-entropy on probabilities: −(t ln p + (1 − t) ln(1 − p)), logs clamped at −100.
 * @throws ChainruleError if shapes differ or a probability lies outside [0, 1].
 */
export function binaryCrossEntropy(p: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  const op = 'bceLoss';
  checkTarget(op, p, target);
  for (let i = 0; i < p.size; i++) {
    const v = p.data[i] as number;
    check(v >= 0 && v <= 1, () => `${op}: input must hold probabilities in [0, 1], got ${v} at index ${i}`);
  }
  const losses = empty(p.shape, p.dtype);
  K.bce(p.data, target.data, losses.data);
  const { y, gyStep, scale } = reduce(op, losses, reduction);
  return record(y, op, [p], (gy) => {
    // ∂L/∂p = (p − t) / (p(1 − p)), the denominator kept ≥ 1e-12 as PyTorch does
    K.bceBackward(p.data, target.data, gy, gyStep, scale, gradBuffer(p));
  });
}

/** Binary cross-entropy on logits, softplus(z) − t·z: stable for any z. */
export function binaryCrossEntropyWithLogits(z: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  const op = 'bceWithLogitsLoss';
  checkTarget(op, z, target);
  const losses = empty(z.shape, z.dtype);
  K.bceWithLogits(z.data, target.data, losses.data);
  const { y, gyStep, scale } = reduce(op, losses, reduction);
  return record(y, op, [z], (gy) => {
    // F11: ∂L/∂z = σ(z) − t (divided by N for the mean)
    K.bceWithLogitsBackward(z.data, target.data, gy, gyStep, scale, gradBuffer(z));
  });
}
