// Embedding: a learned lookup table, row i of `weight` is the vector of token i.
import { ChainruleError, type DType, embedding, noGrad, type Rng, randn, show, Tensor, where } from '@chainrule/core';
import { Module } from '../module';

/** Options of `Embedding`. */
export interface EmbeddingOptions {
  /**
   * A token whose row is kept out of training, as PyTorch's padding_idx: the row starts at
   * zero and gets no gradient. Negative values count from the end.
   */
  paddingIdx?: number;
  /** The random source for the initial weights (default: core's global Rng). */
  rng?: Rng;
  dtype?: DType;
}

/**
 * A table of `numEmbeddings` vectors of size `embeddingDim`: forward(indices) returns the rows
 * picked by an int32 tensor of any shape, shape [...indices.shape, embeddingDim]. The weight
 * starts N(0, 1), PyTorch's default, with the `paddingIdx` row zeroed.
 * @throws ChainruleError if a size is not a positive integer or paddingIdx is out of range.
 * @example
 * const emb = new Embedding(100, 16, { paddingIdx: 0, rng: new Rng(0) });
 * emb.forward(tensor([[3, 7, 0]], { dtype: 'int32' })).shape;   // [1, 3, 16]
 */
export class Embedding extends Module {
  /** The table [numEmbeddings, embeddingDim], one row per index (N(0, 1) at first). */
  weight: Tensor;
  /** The padding row, normalised to [0, numEmbeddings), or null. */
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0)
        throw new ChainruleError(`Embedding: ${name} must be a positive integer, got ${show(v)}`);
    }
    const pad = opts.paddingIdx;
    if (pad !== undefined && !(Number.isInteger(pad) && pad >= -numEmbeddings && pad < numEmbeddings)) {
      throw new ChainruleError(
        `Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}), got ${show(pad)}`,
      );
    }
    this.paddingIdx = pad === undefined ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = randn([numEmbeddings, embeddingDim], {
      dtype: opts.dtype ?? 'float32',
      requiresGrad: true,
      ...(opts.rng ? { rng: opts.rng } : {}),
    });
    const row = this.paddingIdx;
    if (row !== null) noGrad(() => this.weight.data.fill(0, row * embeddingDim, (row + 1) * embeddingDim));
  }

  /**
   * The rows of weight picked by `indices` (int32, any shape) → [...indices.shape, embeddingDim].
   * @throws ChainruleError if indices is not an int32 tensor of indices in [0, numEmbeddings).
   */
  forward(indices: Tensor): Tensor {
    if (!(indices instanceof Tensor)) {
      throw new ChainruleError(`Embedding: indices must be an int32 Tensor, got ${show(indices)}`);
    }
    const rows = embedding(indices, this.weight);
    if (this.paddingIdx === null) return rows;
    // The padding token's rows keep their value but pass no gradient back to weight (PyTorch
    // zeroes that row of ∂L/∂W): where() routes gy to the live rows and to a detached copy
    // for the padding ones.
    const live = indices.ne(this.paddingIdx).unsqueeze(-1);
    return where(live, rows, rows.detach());
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}`;
  }
}
