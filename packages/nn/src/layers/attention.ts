// MultiheadAttention: torch.nn.MultiheadAttention's parameters, masks and outputs, as a
// composite of linear, matmul and softmax (or core's scaledDotProductAttention when the
// attention weights are not asked for).
import {
  ChainruleError,
  type DType,
  linear,
  noGrad,
  ones,
  type Rng,
  scaledDotProductAttention,
  show,
  Tensor,
  zeros,
} from '@chainrule/core';
import { flag, floatDType, options, rngOption, within } from '../check';
import { xavierUniform } from '../init';
import { Module } from '../module';
import { parameter } from '../parameter';
import { Dropout } from './dropout';
import { Linear } from './linear';

/** Options of MultiheadAttention (torch.nn.MultiheadAttention with kdim = vdim = embedDim). */
export interface MultiheadAttentionOptions {
  /** Whether the input and output projections have biases (default true). */
  bias?: boolean;
  /** Inputs and output are [batch, seq, embed] instead of [seq, batch, embed] (default false). */
  batchFirst?: boolean;
  /** Probability of dropping an attention weight in training mode (default 0). */
  dropout?: number;
  /** The random source for the initial weights and the dropout masks (default: core's global Rng). */
  rng?: Rng;
  dtype?: DType;
}

/** Options of MultiheadAttention.forward. As PyTorch, a bool mask is true where attention is NOT allowed. */
export interface MultiheadAttentionForwardOptions {
  /**
   * [L, S] or [N·numHeads, L, S]: bool, true where query l may not attend to key s (the
   * opposite of scaledDotProductAttention's bool mask), or float, added to the scores.
   */
  attnMask?: Tensor;
  /** [N, S] ([S] unbatched): bool, true at padding keys no query may attend to, or float, added. */
  keyPaddingMask?: Tensor;
  /** Return the attention weights, averaged over heads (default true); otherwise null. */
  needWeights?: boolean;
  /** Each query attends only to keys at its own position or before (applied with any other masks). */
  isCausal?: boolean;
}

const fmtShape = (shape: readonly number[]): string => `[${shape.join(',')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((n, i) => n === b[i]);

/**
 * Multi-head attention (Vaswani et al. 2017): with d = embedDim / numHeads and, per head h,
 * Q_h = query W_qhᵀ + b_qh, K_h, V_h likewise (the rows of in_proj_weight [3E, E] are W_q, W_k,
 * W_v),
 *   head_h = softmax(Q_h K_hᵀ / √d + mask) V_h,   output = concat(head_1, …) W_oᵀ + b_o (out_proj).
 * forward(query, key, value, opts?) → [output, weights]: query [L, N, E], key and value
 * [S, N, E] ([N, L, E], [N, S, E] if batchFirst; [L, E], [S, E] unbatched), output like query,
 * weights [N, L, S] (the softmax averaged over heads) or null if needWeights is false.
 * Parameters as PyTorch: in_proj_weight (xavier uniform), in_proj_bias (zeros), out_proj.weight
 * (U(±1/√E)), out_proj.bias (zeros).
 * @throws ChainruleError if embedDim is not a multiple of numHeads, dropout is not in [0, 1),
 *   or inputs and masks do not have the shapes above.
 * @example
 * const mha = new MultiheadAttention(16, 4, { batchFirst: true, rng: new Rng(0) });
 * const x = randn([2, 5, 16]);
 * const [y, w] = mha.forward(x, x, x, { isCausal: true });   // [2, 5, 16], [2, 5, 5]
 */
export class MultiheadAttention extends Module {
  /** The q, k and v projections stacked: [3E, E] (xavier uniform at first). */
  in_proj_weight: Tensor;
  /** Their biases stacked: [3E] (zeros at first); null when built with `bias: false`. */
  in_proj_bias: Tensor | null;
  /** The output projection E → E. */
  out_proj: Linear;
  /** E / numHeads: the width of one head. */
  readonly headDim: number;
  /** Whether inputs and output are [N, L, E] rather than [L, N, E]. */
  readonly batchFirst: boolean;
  /** The dropout probability on the attention weights (training mode only). */
  readonly dropout: number;
  private readonly _dropout: Dropout;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    const o = options('MultiheadAttention', opts, ['bias', 'batchFirst', 'dropout', 'rng', 'dtype']);
    for (const [name, v] of [
      ['embedDim', embedDim],
      ['numHeads', numHeads],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) {
        throw new ChainruleError(`MultiheadAttention: ${name} must be a positive integer, got ${show(v)}`);
      }
    }
    if (embedDim % numHeads !== 0) {
      throw new ChainruleError(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    }
    const dropout = o.dropout ?? 0;
    if (!(typeof dropout === 'number' && dropout >= 0 && dropout < 1)) {
      throw new ChainruleError(`MultiheadAttention: dropout must be a number in [0, 1), got ${show(dropout)}`);
    }
    this.headDim = embedDim / numHeads;
    this.batchFirst = flag('MultiheadAttention', 'batchFirst', o.batchFirst, false);
    this.dropout = dropout;
    const dtype = floatDType('MultiheadAttention', o.dtype);
    const rng = rngOption('MultiheadAttention', o.rng) ? { rng: o.rng as Rng } : {};
    const bias = flag('MultiheadAttention', 'bias', o.bias, true);
    this.in_proj_weight = within('MultiheadAttention', () =>
      parameter(xavierUniform(zeros([3 * embedDim, embedDim], { dtype, requiresGrad: true }), rng)),
    );
    this.in_proj_bias = bias ? parameter(zeros([3 * embedDim], { dtype, requiresGrad: true })) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype, ...rng });
    const outBias = this.out_proj.bias;
    if (outBias) noGrad(() => outBias.data.fill(0));
    this._dropout = new Dropout(dropout, rng);
  }

  /**
   * Attention of `query` over `key` / `value`; see the class for shapes.
   * @throws ChainruleError for inputs or masks of the wrong shape or dtype.
   */
  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: MultiheadAttentionForwardOptions = {},
  ): [Tensor, Tensor | null] {
    const op = 'MultiheadAttention';
    const E = this.embedDim;
    const {
      attnMask,
      keyPaddingMask,
      needWeights = true,
      isCausal = false,
    } = options(op, opts, [
      'attnMask',
      'keyPaddingMask',
      'needWeights',
      'isCausal',
    ]) as MultiheadAttentionForwardOptions;
    for (const [name, flag] of [
      ['needWeights', needWeights],
      ['isCausal', isCausal],
    ] as const) {
      if (typeof flag !== 'boolean') throw new ChainruleError(`${op}: ${name} must be a boolean, got ${show(flag)}`);
    }
    if (!(query instanceof Tensor) || (query.ndim !== 2 && query.ndim !== 3) || query.shape[query.ndim - 1] !== E) {
      throw new ChainruleError(
        `${op}: query must be a Tensor [L, N, ${E}]${this.batchFirst ? ' (batchFirst: [N, L, …])' : ''} or an unbatched [L, ${E}], got ${show(query)}`,
      );
    }
    const batched = query.ndim === 3;
    const seqDim = batched && this.batchFirst ? 1 : 0;
    const N = batched ? (query.shape[1 - seqDim] as number) : 1;
    const L = query.shape[seqDim] as number;
    if (!(key instanceof Tensor) || !(value instanceof Tensor)) {
      throw new ChainruleError(`${op}: key and value must be Tensors, got ${show(key)} and ${show(value)}`);
    }
    const S = key.shape[seqDim] as number;
    const kvShape = batched ? (seqDim === 0 ? [S, N, E] : [N, S, E]) : [S, E];
    if (!sameShape(key.shape, kvShape) || !sameShape(value.shape, kvShape)) {
      throw new ChainruleError(
        `${op}: key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} must both be ${batched ? `[S, N, ${E}] (or [N, S, ${E}] if batchFirst)` : `[S, ${E}]`} for query ${fmtShape(query.shape)}`,
      );
    }
    const h = this.numHeads;
    const masks: [Tensor, number[]][] = [];
    if (attnMask !== undefined) {
      checkMask(op, 'attnMask', attnMask, [[L, S], batched ? [N * h, L, S] : [h, L, S]]);
      masks.push([attnMask, attnMask.ndim === 2 ? [1, 1, L, S] : [N, h, L, S]]);
    }
    if (keyPaddingMask !== undefined) {
      checkMask(op, 'keyPaddingMask', keyPaddingMask, [batched ? [N, S] : [S]]);
      masks.push([keyPaddingMask, [N, 1, 1, S]]);
    }
    if (isCausal) masks.push([ones([L, S], { dtype: 'bool' }).triu(1), [1, 1, L, S]]);
    // the causal mask alone goes to scaledDotProductAttention as isCausal (its fused softmax)
    const causalOnly = isCausal && masks.length === 1;
    return within(op, () => this.attend(query, key, value, masks, needWeights, batched, N, L, S, causalOnly));
  }

  /** forward's computation, after its checks. */
  private attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    masks: [Tensor, number[]][],
    needWeights: boolean,
    batched: boolean,
    N: number,
    L: number,
    S: number,
    causalOnly: boolean,
  ): [Tensor, Tensor | null] {
    const E = this.embedDim;
    const h = this.numHeads;
    // Bool masks (true = not allowed) become −∞ scores; float masks are added.
    const applyMasks = (scores: Tensor): Tensor =>
      masks.reduce((s, [m, shape]) => {
        const b = m.reshape(shape);
        return m.dtype === 'bool' ? s.maskedFill(b, Number.NEGATIVE_INFINITY) : s.add(b);
      }, scores);

    // internally [N, seq, E], heads split off: [N, h, seq, d]
    const toBatchFirst = (t: Tensor) => (batched ? (this.batchFirst ? t : t.transpose(0, 1)) : t.unsqueeze(0));
    const [wq, wk, wv] = this.in_proj_weight.chunk(3, 0) as [Tensor, Tensor, Tensor];
    const [bq, bk, bv] = this.in_proj_bias ? (this.in_proj_bias.chunk(3, 0) as Tensor[]) : [null, null, null];
    const heads = (t: Tensor, w: Tensor, b: Tensor | null | undefined, len: number) =>
      linear(toBatchFirst(t), w, b ?? null)
        .reshape([N, len, h, this.headDim])
        .permute([0, 2, 1, 3]);
    const q = heads(query, wq, bq, L);
    const k = heads(key, wk, bk, S);
    const v = heads(value, wv, bv, S);

    let context: Tensor;
    let weights: Tensor | null = null;
    const dropping = this.training && this.dropout > 0;
    if (needWeights || dropping) {
      // A = softmax(Q Kᵀ / √d + mask), written out so that A can be returned
      const scores = applyMasks(q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(this.headDim)));
      let attn = scores.softmax(-1);
      if (dropping) attn = this._dropout.forward(attn);
      context = attn.matmul(v);
      weights = needWeights ? attn.mean(1) : null;
    } else {
      // the masks folded into one additive mask: applied to zero scores, they are that mask
      const additive =
        masks.length > 0 && !causalOnly ? applyMasks(zeros([N, h, L, S], { dtype: q.dtype })) : undefined;
      context = scaledDotProductAttention(q, k, v, additive ? { attnMask: additive } : { isCausal: causalOnly });
    }
    // concat(head_1, …, head_h) → out_proj
    const merged = context.permute([0, 2, 1, 3]).reshape([N, L, E]);
    let output = this.out_proj.forward(merged);
    output = batched ? (this.batchFirst ? output : output.transpose(0, 1)) : output.squeeze(0);
    if (weights && !batched) weights = weights.squeeze(0);
    return [output, weights];
  }

  protected override extraRepr(): string {
    return (
      `${this.embedDim}, numHeads=${this.numHeads}${this.in_proj_bias ? '' : ', bias=false'}` +
      `${this.batchFirst ? ', batchFirst=true' : ''}${this.dropout ? `, dropout=${this.dropout}` : ''}`
    );
  }
}

/** A mask is a bool or float Tensor of one of the allowed shapes. */
function checkMask(op: string, name: string, m: unknown, shapes: number[][]): asserts m is Tensor {
  const expected = shapes.map(fmtShape).join(' or ');
  if (!(m instanceof Tensor)) throw new ChainruleError(`${op}: ${name} must be a Tensor ${expected}, got ${show(m)}`);
  if (m.dtype !== 'bool' && m.dtype !== 'float32' && m.dtype !== 'float64') {
    throw new ChainruleError(`${op}: ${name} must be bool or float, got ${m.dtype}`);
  }
  if (!shapes.some((s) => sameShape(m.shape, s))) {
    throw new ChainruleError(`${op}: ${name} has shape ${fmtShape(m.shape)}, expected ${expected}`);
  }
}
