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

/**
 * F12: softmax cross-entropy of logits [N, C] (or [C]) against integer class labels, through a
 * stable log-softmax; its gradient is (softmax(z) − onehot(t))/N.
 * @throws ChainruleError for a label that is not an integer in [0, C) or a count mismatch.
 * @example
 * crossEntropyLoss(tensor([[2, 0], [0, 2]]), [0, 1]); // tensor(0.1269): −ln σ(2), both rows right
 */
export function crossEntropyLoss(logits: Tensor, labels: Tensor | ArrayLike<number>, opts: LossOptions = {}): Tensor {
  if (!(logits instanceof TensorClass) || (logits.ndim !== 1 && logits.ndim !== 2)) {
    fail('crossEntropyLoss', `logits must be a [N, C] or [C] Tensor, got ${showShape(logits)}`);
  }
  const reduction = checkOptions('crossEntropyLoss', opts);
  const rows = logits.ndim === 1 ? 1 : (logits.shape[0] as number);
  return within('crossEntropyLoss', () => {
    const t = toLabels('crossEntropyLoss', labels, rows, logits.shape[logits.ndim - 1] as number);
    return crossEntropy(logits, t, reduction);
  });
}

/** Negative log-likelihood of log-probabilities [N, C] at integer labels: −logp[n, tₙ], reduced. */
export function nllLoss(logProbs: Tensor, labels: Tensor | ArrayLike<number>, opts: LossOptions = {}): Tensor {
  if (!(logProbs instanceof TensorClass) || logProbs.ndim !== 2) {
    fail('nllLoss', `logProbs must be a [N, C] Tensor, got ${showShape(logProbs)}`);
  }
  const reduction = checkOptions('nllLoss', opts);
  const [n, c] = logProbs.shape as [number, number];
  const t = within('nllLoss', () => toLabels('nllLoss', labels, n, c));
  const pick = new Float64Array(n * c);
  for (let i = 0; i < n; i++) pick[i * c + (t[i] as number)] = 1;
  // −Σ_c logp ∘ onehot(t) per row: the gather written as a product with a constant one-hot
  const picked = logProbs
    .mul(tensor(pick, { shape: [n, c], dtype: logProbs.dtype }))
    .sum(1)
    .neg();
  return reduce('nllLoss', picked, reduction);
}
