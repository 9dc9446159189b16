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
  toLabels,
} from '@chainrule/core';

/** Options of every loss: how to reduce the per-element losses (`'mean'` by default, as PyTorch). */
export interface LossOptions {
  reduction?: Reduction;
}

function checkPair(op: string, pred: Tensor, target: Tensor): void {
  if (!(pred instanceof TensorClass) || !(target instanceof TensorClass)) {
    throw new ChainruleError(`${op}: input and target must be Tensors`);
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
  throw new ChainruleError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
}

function checkReduction(op: string, reduction: unknown): void {
  if (reduction !== undefined && reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ChainruleError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

/**
 * F10: mean of (y − t)²; its gradient is 2(y − t)/N.
 * @throws ChainruleError if the shapes differ.
 * @example
 * mseLoss(tensor([1, 2]), tensor([1, 4])); // tensor(2.): (0² + 2²) / 2
 */
export function mseLoss(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('mseLoss', pred, target);
  checkReduction('mseLoss', opts.reduction);
  return reduce('mseLoss', pred.sub(target).pow(2), opts.reduction);
}

/** Mean of |y − t| (gradient sign(y − t)/N, 0 where y = t, as PyTorch). */
export function l1Loss(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('l1Loss', pred, target);
  checkReduction('l1Loss', opts.reduction);
  return reduce('l1Loss', pred.sub(target).abs(), opts.reduction);
}

/** Huber: ½d² where |d| < δ, else δ(|d| − ½δ), d = y − t (default δ = 1). */
export function huberLoss(pred: Tensor, target: Tensor, opts: LossOptions & { delta?: number } = {}): Tensor {
  return huber(pred, target, opts.delta ?? 1, opts.reduction ?? 'mean');
}

/**
 * Binary cross-entropy on probabilities in [0, 1] (e.g. after a sigmoid). Prefer
 * bceWithLogitsLoss on logits: it is stable and its gradient is exactly σ(z) − t.
 * @throws ChainruleError if shapes differ or a probability lies outside [0, 1].
 */
export function bceLoss(prob: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  return binaryCrossEntropy(prob, target, opts.reduction ?? 'mean');
}

/** F11: binary cross-entropy on logits, −[t ln σ(z) + (1 − t) ln(1 − σ(z))], stable for any z. */
export function bceWithLogitsLoss(logits: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  return binaryCrossEntropyWithLogits(logits, target, opts.reduction ?? 'mean');
}

/**
 * F12: softmax cross-entropy of logits [N, C] (or [C]) against integer class labels, through a
 * stable log-softmax; its gradient is (softmax(z) − onehot(t))/N.
 * @throws ChainruleError for a label that is not an integer in [0, C) or a count mismatch.
 * @example
 * crossEntropyLoss(tensor([[2, 0], [0, 2]]), [0, 1]); // tensor(0.1269): −ln σ(2), both rows right
 */
export function crossEntropyLoss(logits: Tensor, labels: Tensor | ArrayLike<number>, opts: LossOptions = {}): Tensor {
  if (!(logits instanceof TensorClass) || (logits.ndim !== 1 && logits.ndim !== 2)) {
    throw new ChainruleError(
      `crossEntropyLoss: logits must be a [N, C] or [C] Tensor, got ${logits instanceof TensorClass ? `[${logits.shape.join(',')}]` : typeof logits}`,
    );
  }
  checkReduction('crossEntropyLoss', opts.reduction);
  const rows = logits.ndim === 1 ? 1 : (logits.shape[0] as number);
  const t = toLabels('crossEntropyLoss', labels, rows, logits.shape[logits.ndim - 1] as number);
  return crossEntropy(logits, t, opts.reduction ?? 'mean');
}

/** Negative log-likelihood of log-probabilities [N, C] at integer labels: −logp[n, tₙ], reduced. */
export function nllLoss(logProbs: Tensor, labels: Tensor | ArrayLike<number>, opts: LossOptions = {}): Tensor {
  if (!(logProbs instanceof TensorClass) || logProbs.ndim !== 2) {
    throw new ChainruleError(
      `nllLoss: logProbs must be a [N, C] Tensor, got ${logProbs instanceof TensorClass ? `[${logProbs.shape.join(',')}]` : typeof logProbs}`,
    );
  }
  checkReduction('nllLoss', opts.reduction);
  const [n, c] = logProbs.shape as [number, number];
  const t = toLabels('nllLoss', labels, n, c);
  const pick = new Float64Array(n * c);
  for (let i = 0; i < n; i++) pick[i * c + (t[i] as number)] = 1;
  // −Σ_c logp ∘ onehot(t) per row: the gather written as a product with a constant one-hot
  const picked = logProbs
    .mul(tensor(pick, { shape: [n, c], dtype: logProbs.dtype }))
    .sum(1)
    .neg();
  return reduce('nllLoss', picked, opts.reduction);
}
