// ops: scaled dot-product attention, softmax(q kᵀ · scale + mask) v, as PyTorch's
// F.scaled_dot_product_attention. A composite of matmul, softmax and matmul; the scale and a causal
// mask are folded into the softmax's kernel (one node), an explicit mask goes through maskedFill/add.
import { check, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { empty } from '../create';
import { floating } from '../dtype';
import { gradBuffer, record } from '../record';
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
  check(
    attnMask === undefined || attnMask instanceof Tensor,
    () => `scaledDotProductAttention: attnMask must be a Tensor, got ${show(attnMask)}`,
  );
  const raw = matmul(q, transpose(k, -2, -1));
  if (attnMask === undefined) return matmul(scaledSoftmax(raw, scale, isCausal), v);
  // a composite (its backward: matmul's F13, softmax's, mul's), scores = q kᵀ · scale
  const scores =
    attnMask.dtype === 'bool'
      ? maskedFill(mul(raw, scale), attnMask.eq(0), Number.NEGATIVE_INFINITY)
      : add(mul(raw, scale), attnMask);
  return matmul(softmax(scores, -1), v);
}

/**
 * softmax(scores · scale) along the last dim, with `causal` the lower-triangular mask (query i
 * sees keys j ≤ i) applied first: the scale, the mask and the softmax as one node.
 */
function scaledSoftmax(x: Tensor, scale: number, causal: boolean): Tensor {
  const n = x.shape[x.ndim - 1] as number;
  const l = x.shape[x.ndim - 2] as number;
  const rows = n === 0 ? 0 : x.size / n;
  const y = empty(x.shape, floating(x.dtype));
  K.scaledSoftmax(rows, n, l, scale, causal, x.data, y.data);
  return record(
    y,
    'scaledSoftmax',
    [x],
    (gy) => {
      // ∂L/∂x = scale · y ∘ (gy − Σ gy∘y)   (softmax's Jacobian, times the scale; a masked score has y = 0)
      K.scaledSoftmaxBackward(rows, n, scale, y.data, gy, gradBuffer(x));
    },
    (gy) => [y.mul(gy.sub(gy.mul(y).sum(-1, true))).mul(scale)],
  );
}
