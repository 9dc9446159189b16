// ops: fused binary cross-entropy losses, whose backward is the hand-derived closed form.
// Vocabulary: p (probabilities) or z (logits), t (targets, constant) → y; gy = ∂L/∂y.
import { check, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { sameShape } from '../../plans/shape';
import { empty } from '../create';
import { floating } from '../dtype';
import { gradBuffer, record } from '../record';
import { checkReduction, type Reduction, reduceLosses } from '../reduction';
import { Tensor } from '../tensor';

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
  checkReduction(op, reduction);
  const bad = K.firstOutside(p.data, 0, 1);
  check(bad < 0, () => `${op}: input must hold probabilities in [0, 1], got ${p.data[bad]} at index ${bad}`);
  const losses = empty(p.shape, floating(p.dtype));
  K.bce(p.data, target.data, losses.data);
  const { y, gyStep, scale } = reduceLosses(losses, reduction);
  return record(
    y,
    op,
    [p],
    (gy) => {
      // ∂L/∂p = (p − t) / (p(1 − p)), the denominator kept ≥ 1e-12 as PyTorch does
      K.bceBackward(p.data, target.data, gy, gyStep, scale, gradBuffer(p));
    },
    (gy) => [
      p
        .sub(target)
        .div(p.mul(p.neg().add(1)).clamp(1e-12))
        .mul(gy.mul(scale)),
    ],
  );
}

/** Binary cross-entropy on logits, softplus(z) − t·z: stable for any z. */
export function binaryCrossEntropyWithLogits(z: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  const op = 'bceWithLogitsLoss';
  checkTarget(op, z, target);
  checkReduction(op, reduction);
  const losses = empty(z.shape, floating(z.dtype));
  K.bceWithLogits(z.data, target.data, losses.data);
  const { y, gyStep, scale } = reduceLosses(losses, reduction);
  return record(
    y,
    op,
    [z],
    (gy) => {
      // F11: ∂L/∂z = σ(z) − t (divided by N for the mean)
      K.bceWithLogitsBackward(z.data, target.data, gy, gyStep, scale, gradBuffer(z));
    },
    (gy) => [z.sigmoid().sub(target).mul(gy.mul(scale))],
  );
}

/**
 * The Huber loss of p against a constant target: ½d² where |d| < δ, else δ(|d| − ½δ), d = p − t
 * (nn's huberLoss). Fused, so that the branch not taken never enters the gradient.
 * @throws ChainruleError if shapes differ or δ is not a positive number.
 */
export function huber(p: Tensor, target: Tensor, delta = 1, reduction: Reduction = 'mean'): Tensor {
  const op = 'huberLoss';
  checkTarget(op, p, target);
  checkReduction(op, reduction);
  check(typeof delta === 'number' && delta > 0, () => `${op}: delta must be a positive number, got ${show(delta)}`);
  const losses = empty(p.shape, floating(p.dtype));
  K.huber(p.data, target.data, delta, losses.data);
  const { y, gyStep, scale } = reduceLosses(losses, reduction);
  return record(
    y,
    op,
    [p],
    (gy) => {
      // ∂L/∂p = d where |d| < δ, δ·sign(d) elsewhere (d = p − t), divided by N for the mean
      K.huberBackward(p.data, target.data, delta, gy, gyStep, scale, gradBuffer(p));
    },
    (gy) => [p.sub(target).clamp(-delta, delta).mul(gy.mul(scale))],
  );
}
