// ops: softmax and log-softmax along a dim, numerically stable (the max is subtracted first).
// Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x. Both backwards read only y.
import { check, describe, fmtShape } from '../../errors';
import * as K from '../../kernels/index';
import { empty, toLabels } from '../create';
import { gradBuffer, record } from '../record';
import { normalizeDim, sizeOf } from '../shape';
import type { Tensor } from '../tensor';

/** [outer, n, inner]: the tensor viewed around `dim`, as the softmax kernels take it. */
function around(op: string, x: Tensor, dim: number): [number, number, number] {
  const d = normalizeDim(op, dim, x.ndim);
  if (x.ndim === 0) return [1, 1, 1];
  return [sizeOf(x.shape.slice(0, d)), x.shape[d] as number, sizeOf(x.shape.slice(d + 1))];
}

/** softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x) along `dim`. */
export function softmax(x: Tensor, dim = -1): Tensor {
  const [outer, n, inner] = around('softmax', x, dim);
  const y = empty(x.shape, x.dtype);
  K.softmax(outer, n, inner, x.data, y.data);
  return record(y, 'softmax', [x], (gy) => {
    // ∂L/∂x = y ∘ (gy − Σ gy∘y)   (the Jacobian diag(y) − y yᵀ, applied without forming it)
    K.softmaxBackward(outer, n, inner, y.data, gy, gradBuffer(x));
  });
}

/** logSoftmax(x)ᵢ = xᵢ − max x − ln Σⱼ exp(xⱼ − max x) along `dim`. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const [outer, n, inner] = around('logSoftmax', x, dim);
  const y = empty(x.shape, x.dtype);
  K.logSoftmax(outer, n, inner, x.data, y.data);
  return record(y, 'logSoftmax', [x], (gy) => {
    // ∂L/∂x = gy − softmax(x) Σ gy ,  softmax(x) = exp(y)
    K.logSoftmaxBackward(outer, n, inner, y.data, gy, gradBuffer(x));
  });
}

/** How a loss reduces its per-element values: `'mean'` (the default), `'sum'`, or `'none'` (one loss per element). */
export type Reduction = 'mean' | 'sum' | 'none';

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
  check(
    reduction === 'mean' || reduction === 'sum' || reduction === 'none',
    () => `${op}: reduction must be 'mean', 'sum' or 'none', got ${describe(reduction)}`,
  );
  const rows = logits.ndim === 1 ? 1 : (logits.shape[0] as number);
  const c = logits.shape[logits.ndim - 1] as number;
  const t = toLabels(op, labels, rows, c);
  const losses = empty(logits.ndim === 1 ? [] : [rows], logits.dtype);
  const probs = empty(logits.shape, logits.dtype);
  K.crossEntropy(rows, c, logits.data, t, losses.data, probs.data);
  const y = reduction === 'none' ? losses : empty([], logits.dtype);
  if (reduction !== 'none') {
    let s = 0;
    for (let r = 0; r < rows; r++) s += losses.data[r] as number;
    y.data[0] = reduction === 'mean' ? s / rows : s;
  }
  return record(y, 'crossEntropy', [logits], (gy) => {
    // F12: ∂L/∂z = (softmax(z) − onehot(t)) · gy, divided by N for the mean
    const scale = reduction === 'mean' ? 1 / rows : 1;
    K.crossEntropyBackward(rows, c, probs.data, t, gy, reduction === 'none' ? 1 : 0, scale, gradBuffer(logits));
  });
}
