// ops: softmax and log-softmax along a dim, numerically stable (the max is subtracted first).
// Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x. Both backwards read only y.
import { check, fmtShape } from '../../errors';
import * as K from '../../kernels/index';
import { axisPlan } from '../../plans/reduce';
import { checkTensor, empty, oneHot, toLabels } from '../create';
import { floating } from '../dtype';
import { gradBuffer, record } from '../record';
import { checkReduction, type Reduction, reduceLosses } from '../reduction';
import type { Tensor } from '../tensor';

/** softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x) along `dim`. */
export function softmax(x: Tensor, dim = -1): Tensor {
  checkTensor('softmax', x);
  const p = axisPlan('softmax', x.shape, dim);
  const y = empty(x.shape, floating(x.dtype));
  K.softmax(p, x.data, y.data);
  return record(
    y,
    'softmax',
    [x],
    (gy) => {
      // ∂L/∂x = y ∘ (gy − Σ gy∘y)   (the Jacobian diag(y) − y yᵀ, applied without forming it)
      K.softmaxBackward(p, y.data, gy, gradBuffer(x));
    },
    (gy) => [y.mul(gy.sub(gy.mul(y).sum(p.dim, true)))],
  );
}

/** logSoftmax(x)ᵢ = xᵢ − max x − ln Σⱼ exp(xⱼ − max x) along `dim`. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  checkTensor('logSoftmax', x);
  const p = axisPlan('logSoftmax', x.shape, dim);
  const y = empty(x.shape, floating(x.dtype));
  K.logSoftmax(p, x.data, y.data);
  return record(
    y,
    'logSoftmax',
    [x],
    (gy) => {
      // ∂L/∂x = gy − softmax(x) Σ gy ,  softmax(x) = exp(y)
      K.logSoftmaxBackward(p, y.data, gy, gradBuffer(x));
    },
    (gy) => [gy.sub(y.exp().mul(gy.sum(p.dim, true)))],
  );
}

/**
 * Softmax cross-entropy of logits [N, C] (or [C] for one example) against integer class labels,
 * fused into one stable op: loss_n = −log softmax(z_n)[t_n], then `reduction` over n.
 * @throws ChainruleError if a label is not an integer in [0, C) or the counts differ.
 */
export function crossEntropy(
  logits: Tensor,
  labels: ArrayLike<number> | Tensor,
  reduction: Reduction = 'mean',
): Tensor {
  const op = 'crossEntropy';
  check(
    logits.ndim === 1 || logits.ndim === 2,
    () => `${op}: logits must be [N, C] or [C], got shape ${fmtShape(logits.shape)}`,
  );
  checkReduction(op, reduction);
  const rows = logits.ndim === 1 ? 1 : (logits.shape[0] as number);
  const c = logits.shape[logits.ndim - 1] as number;
  const t = toLabels(op, labels, rows, c);
  const losses = empty(logits.ndim === 1 ? [] : [rows], floating(logits.dtype));
  const probs = empty(logits.shape, floating(logits.dtype));
  K.crossEntropy(rows, c, logits.data, t, losses.data, probs.data);
  const { y, gyStep, scale } = reduceLosses(losses, reduction);
  return record(
    y,
    'crossEntropy',
    [logits],
    (gy) => {
      // F12: ∂L/∂z = (softmax(z) − onehot(t)) · gy, divided by N for the mean
      K.crossEntropyBackward(rows, c, probs.data, t, gy, gyStep, scale, gradBuffer(logits));
    },
    (gy) => {
      const target = oneHot(t, c, { dtype: logits.dtype }).reshape(logits.shape);
      const g = reduction === 'none' && logits.ndim === 2 ? gy.unsqueeze(-1) : gy;
      return [softmax(logits, -1).sub(target).mul(g.mul(scale))];
    },
  );
}
