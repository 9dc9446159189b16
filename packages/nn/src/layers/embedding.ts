// Embedding: a learned lookup table, row i of `weight` is the vector of token i.
import { type DType, embedding, noGrad, type Rng, randn, Tensor, where } from '@chainrule/core';
import { fail, floatDType, integer, options, rngOption, show, within, withRng } from '../check';
import { Module } from '../module';
import { parameter } from '../parameter';

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
    const op = 'Embedding';
    integer(op, 'numEmbeddings', numEmbeddings);
    integer(op, 'embeddingDim', embeddingDim);
    const o = options(op, opts, ['paddingIdx', 'rng', 'dtype']);
    const pad = o.paddingIdx;
    if (
      pad !== undefined &&
      !(typeof pad === 'number' && Number.isInteger(pad) && pad >= -numEmbeddings && pad < numEmbeddings)
    ) {
      fail(op, `paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}), got ${show(pad)}`);
    }
    const dtype = floatDType(op, o.dtype);
    const rng = withRng(rngOption(op, o.rng));
    this.paddingIdx = pad === undefined ? null : pad < 0 ? pad + numEmbeddings : pad;
    // within: a table too large to allocate is reported as Embedding's
    this.weight = parameter(
      within(op, () => randn([numEmbeddings, embeddingDim], { dtype, requiresGrad: true, ...rng })),
    );
    const row = this.paddingIdx;
    if (row !== null) noGrad(() => this.weight.data.fill(0, row * embeddingDim, (row + 1) * embeddingDim));
  }

  /**
   * The rows of weight picked by `indices` (int32, any shape) → [...indices.shape, embeddingDim].
   * @throws ChainruleError if indices is not an int32 tensor of indices in [0, numEmbeddings).
   */
  forward(indices: Tensor): Tensor {
    if (!(indices instanceof Tensor)) fail('Embedding', `indices must be an int32 Tensor, got ${show(indices)}`);
    const rows = within('Embedding', () => embedding(indices, this.weight));
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
