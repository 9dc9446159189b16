// ops: scaled dot-product attention, softmax(q kᵀ · scale + mask) v, as PyTorch's
// F.scaled_dot_product_attention. A composite of matmul, maskedFill/add, softmax and matmul.
import { check, fmtShape, show } from '../../errors';
import { ones } from '../create';
import { Tensor } from '../tensor';
import { add, mul } from './binary';
import { matmul } from './matmul';
import { transpose } from './movement';
import { maskedFill } from './select';
import { softmax } from './softmax';

/** Options of `scaledDotProductAttention`. */
export interface AttentionOptions {
  /** bool: true where a query may attend to a key; float: added to the scores (e.g. −∞ to mask). */
  attnMask?: Tensor;
  /** Each query attends only to keys at its own position or before (a lower-triangular mask). */
  isCausal?: boolean;
  /** The factor applied to q kᵀ; 1/√E by default (E = q's last dim). */
  scale?: number;
}

/**
 * Attention of queries q [..., L, E] over keys k [..., S, E] and values v [..., S, Ev]:
 * softmax(q kᵀ · scale + mask) v → [..., L, Ev]. Batch dims broadcast as in matmul.
 * @throws ChainruleError for shapes that do not fit, a mask that does not broadcast to
 *   [..., L, S], or both attnMask and isCausal.
 * @example
 * const y = scaledDotProductAttention(q, k, v, { isCausal: true });
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  for (const [name, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    check(
      t instanceof Tensor && t.ndim >= 2,
      () => `scaledDotProductAttention: ${name} must be a Tensor of at least 2 dims, got ${show(t)}`,
    );
  }
  check(
    opts !== null && typeof opts === 'object',
    () => `scaledDotProductAttention: options must be an object, got ${show(opts)}`,
  );
  const { attnMask, isCausal = false } = opts;
  const e = q.shape[q.ndim - 1] as number;
  const scale = opts.scale ?? 1 / Math.sqrt(e);
  check(typeof scale === 'number', () => `scaledDotProductAttention: scale must be a number, got ${show(scale)}`);
  check(
    attnMask === undefined || !isCausal,
    () => 'scaledDotProductAttention: give attnMask or isCausal, not both (fold the causal mask into attnMask)',
  );
  check(
    k.shape[k.ndim - 2] === v.shape[v.ndim - 2],
    () =>
      `scaledDotProductAttention: k ${fmtShape(k.shape)} and v ${fmtShape(v.shape)} must have as many keys as values`,
  );
  // a composite (its backward: matmul's F13, softmax's, mul's), scores = q kᵀ · scale
  let scores = mul(matmul(q, transpose(k, -2, -1)), scale);
  if (isCausal) {
    const [l, s] = scores.shape.slice(-2) as [number, number];
    const allowed = ones([l, s], { dtype: 'bool' }).tril();
    scores = maskedFill(scores, allowed.eq(0), Number.NEGATIVE_INFINITY);
  } else if (attnMask !== undefined) {
    check(
      attnMask instanceof Tensor,
      () => `scaledDotProductAttention: attnMask must be a Tensor, got ${show(attnMask)}`,
    );
    scores =
      attnMask.dtype === 'bool' ? maskedFill(scores, attnMask.eq(0), Number.NEGATIVE_INFINITY) : add(scores, attnMask);
  }
  return matmul(softmax(scores, -1), v);
}
