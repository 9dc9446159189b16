// Loss functions, PyTorch's semantics and defaults: reduction 'mean' (default), 'sum' or 'none'.
// MSE and L1 are compositions of core ops; Huber and the cross-entropies are fused core ops whose
// backward is the closed form (F11, F12).
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  ChainruleError,
  crossEntropy,
  huber,
  type Reduction,
  type Tensor,
  Tensor as TensorClass,
  tensor,
} from '@chainrule/core';
import { fail, number, options, show, within } from './check';

/** Options of every loss: how to reduce the per-element losses (`'mean'` by default, as PyTorch). */
export interface LossOptions {
  reduction?: Reduction;
}

function checkPair(op: string, pred: Tensor, target: Tensor): void {
  if (!(pred instanceof TensorClass) || !(target instanceof TensorClass)) {
    fail(op, `input and target must be Tensors, got ${show(pred)} and ${show(target)}`);
  }
  if (pred.shape.length !== target.shape.length || pred.shape.some((d, i) => d !== target.shape[i])) {
    throw new ChainruleError(
      `${op}: input [${pred.shape.join(',')}] and target [${target.shape.join(',')}] must have the same shape`,
    );
  }
}

function reduce(op: string, losses: Tensor, reduction: Reduction = 'mean'): Tensor {
  if (reduction === 'mean') return losses.mean();
  if (reduction === 'sum') return losses.sum();
  if (reduction === 'none') return losses;
  return fail(op, `reduction must be 'mean', 'sum' or 'none', got ${show(reduction)}`);
}

/** The loss options of `op` (`keys` besides reduction), checked; returns the reduction. */
function checkOptions(op: string, opts: unknown, keys: readonly string[] = []): Reduction {
  const { reduction = 'mean' } = options(op, opts, ['reduction', ...keys]);
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    fail(op, `reduction must be 'mean', 'sum' or 'none', got ${show(reduction)}`);
  }
  return reduction;
}

/** A Tensor's shape as `[2,3]`, anything else as show() prints it. */
function showShape(x: unknown): string {
  return x instanceof TensorClass ? `[${x.shape.join(',')}]` : show(x);
}

/**
 * F10: mean of (y − t)²; its gradient is 2(y − t)/N.
 * @throws ChainruleError if the shapes differ.
 * @example
 * mseLoss(tensor([1, 2]), tensor([1, 4])); // tensor(2.): (0² + 2²) / 2
 */
export function mseLoss(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('mseLoss', pred, target);
  const reduction = checkOptions('mseLoss', opts);
  return within('mseLoss', () => reduce('mseLoss', pred.sub(target).pow(2), reduction));
}

/** Mean of |y − t| (gradient sign(y − t)/N, 0 where y = t, as PyTorch). */
export function l1Loss(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('l1Loss', pred, target);
  const reduction = checkOptions('l1Loss', opts);
  return within('l1Loss', () => reduce('l1Loss', pred.sub(target).abs(), reduction));
}

/** Huber: ½d² where |d| < δ, else δ(|d| − ½δ), d = y − t (default δ = 1). */
export function huberLoss(pred: Tensor, target: Tensor, opts: LossOptions & { delta?: number } = {}): Tensor {
  const op = 'huberLoss';
  checkPair(op, pred, target);
  const reduction = checkOptions(op, opts, ['delta']);
  const delta = number(op, 'delta', opts.delta, 1, 'a number > 0', (d) => d > 0);
  return within(op, () => huber(pred, target, delta, reduction));
}

/**
 * Binary cross-entropy on probabilities in [0, 1] (e.g. after a sigmoid). Prefer
 * bceWithLogitsLoss on logits: it is stable and its gradient is exactly σ(z) − t.
 * @throws ChainruleError if shapes differ or a probability lies outside [0, 1].
 */
export function bceLoss(prob: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('bceLoss', prob, target);
  const reduction = checkOptions('bceLoss', opts);
  return within('bceLoss', () => binaryCrossEntropy(prob, target, reduction));
}

/** F11: binary cross-entropy on logits, −[t ln σ(z) + (1 − t) ln(1 − σ(z))], stable for any z. */
export function bceWithLogitsLoss(logits: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('bceWithLogitsLoss', logits, target);
  const reduction = checkOptions('bceWithLogitsLoss', opts);
  return within('bceWithLogitsLoss', () => binaryCrossEntropyWithLogits(logits, target, reduction));
}

/** Options of `crossEntropyLoss`: PyTorch's, in camelCase. */
export interface CrossEntropyOptions extends NllOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}
/** Options of `nllLoss` (and of crossEntropyLoss with class-index targets). */
export interface NllOptions extends LossOptions {
  /** A class label whose rows contribute nothing, not even to the mean's count (default −100). */
  ignoreIndex?: number;
  /** A rescaling weight per class, a 1-D tensor of C entries; the mean divides by Σ weight[tₙ]. */
  weight?: Tensor;
}

/**
 * F12: softmax cross-entropy of logits [N, C] (or [C]) against integer class labels (an int32
 * tensor or an array) or class probabilities (a float tensor of the logits' shape), as
 * torch.nn.functional.cross_entropy: options `ignoreIndex` (default −100), `labelSmoothing`,
 * class `weight`. Without them it is one fused stable op whose gradient is (softmax(z) − onehot(t))/N;
 * with them, log-softmax times a constant per-class matrix, summed (PyTorch's formulas: the mean
 * divides by Σ weight[tₙ] over the rows not ignored, or by N for probability targets).
 * @throws ChainruleError for a label that is not an integer in [0, C) (or ignoreIndex), a count
 *   mismatch, a weight that is not C finite numbers, or labelSmoothing outside [0, 1].
 * @example
 * crossEntropyLoss(tensor([[2, 0], [0, 2]]), [0, 1]); // tensor(0.1269): −ln σ(2), both rows right
 * crossEntropyLoss(logits, labels, { labelSmoothing: 0.1, ignoreIndex: 0 });
 */
export function crossEntropyLoss(
  logits: Tensor,
  labels: Tensor | ArrayLike<number>,
  opts: CrossEntropyOptions = {},
): Tensor {
  const op = 'crossEntropyLoss';
  if (!(logits instanceof TensorClass) || (logits.ndim !== 1 && logits.ndim !== 2)) {
    fail(op, `logits must be a [N, C] or [C] Tensor, got ${showShape(logits)}`);
  }
  const reduction = checkOptions(op, opts, ['ignoreIndex', 'labelSmoothing', 'weight']);
  const o = opts as CrossEntropyOptions;
  const smoothing = number(op, 'labelSmoothing', o.labelSmoothing, 0, 'a number in [0, 1]', (e) => e >= 0 && e <= 1);
  const c = logits.shape[logits.ndim - 1] as number;
  const weight = classWeight(op, o.weight, c);
  const rows = logits.ndim === 1 ? 1 : (logits.shape[0] as number);
  const isFloat = labels instanceof TensorClass && (labels.dtype === 'float32' || labels.dtype === 'float64');
  // PyTorch's rule: a float target of the logits' shape holds probabilities, else class indices
  if (isFloat && labels.ndim === logits.ndim && labels.shape.every((d, i) => d === logits.shape[i])) {
    return within(op, () => {
      // loss_n = −Σ_c w_c ((1 − ε) p_nc + ε/C) log softmax(z_n)_c; the mean divides by N
      let m = labels.mul(1 - smoothing).add(smoothing / c);
      if (weight) m = m.mul(tensor(weight, { dtype: logits.dtype }));
      const losses = logits.logSoftmax(-1).mul(m).sum(-1).neg();
      return reduce(op, losses, reduction);
    });
  }
  const ignoreIndex = number(op, 'ignoreIndex', o.ignoreIndex, -100, 'an integer', Number.isInteger);
  const t = classLabels(op, labels, rows, c, ignoreIndex);
  if (!weight && smoothing === 0 && !t.includes(ignoreIndex)) {
    return within(op, () => crossEntropy(logits, t, reduction));
  }
  return within(op, () => weightedNll(logits.logSoftmax(-1), t, c, ignoreIndex, weight, smoothing, reduction));
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [C]) at integer labels:
 * −weight[tₙ]·logp[n, tₙ], rows labelled `ignoreIndex` (default −100) left out; the mean
 * divides by Σ weight[tₙ] over the rows kept, as torch.nn.functional.nll_loss.
 * @throws ChainruleError for a label that is not an integer in [0, C) (or ignoreIndex), a count
 *   mismatch or a weight that is not C finite numbers.
 */
export function nllLoss(logProbs: Tensor, labels: Tensor | ArrayLike<number>, opts: NllOptions = {}): Tensor {
  const op = 'nllLoss';
  if (!(logProbs instanceof TensorClass) || (logProbs.ndim !== 1 && logProbs.ndim !== 2)) {
    fail(op, `logProbs must be a [N, C] or [C] Tensor, got ${showShape(logProbs)}`);
  }
  const reduction = checkOptions(op, opts, ['ignoreIndex', 'weight']);
  const c = logProbs.shape[logProbs.ndim - 1] as number;
  const rows = logProbs.ndim === 1 ? 1 : (logProbs.shape[0] as number);
  const weight = classWeight(op, opts.weight, c);
  const ignoreIndex = number(op, 'ignoreIndex', opts.ignoreIndex, -100, 'an integer', Number.isInteger);
  const t = classLabels(op, labels, rows, c, ignoreIndex);
  return within(op, () => weightedNll(logProbs, t, c, ignoreIndex, weight, 0, reduction));
}

/**
 * −Σ_c M[n, c] logp[n, c] per row, M = (1 − ε)·w_t·onehot(tₙ) + (ε/C)·w (zero for ignored rows):
 * PyTorch's nll_loss plus its label-smoothing term in one constant matrix. The mean divides both
 * by Σ w[tₙ] over the rows kept (the count of those rows without weights), as PyTorch.
 */
function weightedNll(
  logp: Tensor,
  t: Int32Array,
  c: number,
  ignoreIndex: number,
  weight: Float64Array | null,
  smoothing: number,
  reduction: Reduction,
): Tensor {
  const rows = t.length;
  const m = new Float64Array(rows * c);
  let denominator = 0;
  for (let n = 0; n < rows; n++) {
    const label = t[n] as number;
    if (label === ignoreIndex) continue;
    denominator += weight ? (weight[label] as number) : 1;
    m[n * c + label] = (1 - smoothing) * (weight ? (weight[label] as number) : 1);
    for (let j = 0; smoothing > 0 && j < c; j++) {
      m[n * c + j] = (m[n * c + j] as number) + (smoothing / c) * (weight ? (weight[j] as number) : 1);
    }
  }
  const losses = logp
    .mul(tensor(m, { shape: [...logp.shape], dtype: logp.dtype }))
    .sum(-1)
    .neg();
  if (reduction === 'none') return losses;
  // mean: Σ losses / Σ w[tₙ] (0/0 = NaN when every row is ignored, as PyTorch)
  return reduction === 'sum' ? losses.sum() : losses.sum().div(denominator);
}

/** Class labels as an Int32Array: integers in [0, C), or ignoreIndex. */
function classLabels(op: string, labels: unknown, rows: number, c: number, ignoreIndex: number): Int32Array {
  const values = labels instanceof TensorClass ? labels.data : labels;
  if (typeof values !== 'object' || values === null || typeof (values as ArrayLike<number>).length !== 'number') {
    fail(op, `labels must be an array or tensor of class indices, got ${show(labels)}`);
  }
  const v = values as ArrayLike<number>;
  if (v.length !== rows) fail(op, `got ${v.length} labels for ${rows} rows`);
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const x = v[i] as number;
    if (!(Number.isInteger(x) && ((x >= 0 && x < c) || x === ignoreIndex))) {
      fail(
        op,
        `label ${show(x)} at index ${i} is not an integer class index in [0, ${c}) (nor ignoreIndex ${ignoreIndex})`,
      );
    }
    out[i] = x;
  }
  return out;
}

/** The `weight` option: null, or C finite non-negative numbers. */
function classWeight(op: string, w: unknown, c: number): Float64Array | null {
  if (w === undefined) return null;
  if (!(w instanceof TensorClass) || w.ndim !== 1 || w.size !== c) {
    fail(op, `weight must be a 1-D Tensor of ${c} class weights, got ${showShape(w)}`);
  }
  const out = Float64Array.from(w.data);
  const bad = out.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) fail(op, `weight must hold finite numbers, got ${show(out[bad])} at class ${bad}`);
  return out;
}
