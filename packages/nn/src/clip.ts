// Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_: in place on the
// `.grad` of each parameter, between backward() and the optimizer's step().
import { type Buf, ChainruleError, Tensor } from '@chainrule/core';
import { clampInPlace, maxAbs, scaleInPlace, sumAbsPow } from './optim/kernels';
import { isPlainObject, show } from './optim/optimizer';

/** The gradients' data of `params` (a Tensor or an iterable of them), skipping null grads. */
function gradsOf(op: string, params: unknown): Buf[] {
  const list = params instanceof Tensor ? [params] : params;
  if (list === null || typeof list !== 'object' || !(Symbol.iterator in list)) {
    throw new ChainruleError(`${op}: params must be a Tensor or an iterable of Tensors, got ${show(params)}`);
  }
  const out: Buf[] = [];
  let i = 0;
  for (const p of list as Iterable<unknown>) {
    if (!(p instanceof Tensor)) throw new ChainruleError(`${op}: params[${i}] must be a Tensor, got ${show(p)}`);
    if (p.grad !== null) out.push(p.grad.data);
    i++;
  }
  return out;
}

/** Options of clipGradNorm. */
export interface ClipGradNormOptions {
  /** The p of the p-norm: any number > 0, or Infinity for the max-norm (default 2). */
  normType?: number;
  /** Throw (changing nothing) if the total norm is NaN or infinite, instead of returning it (default false). */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales the gradients of `params` so that their total norm is at most `maxNorm`, as
 * torch.nn.utils.clip_grad_norm_: with ‖g‖ₚ = (Σ over all gradient elements |gᵢ|ᵖ)^(1/p)
 * (p = ∞: max |gᵢ|), every gradient is multiplied by min(1, maxNorm/(‖g‖ₚ + 1e-6)).
 * Returns ‖g‖ₚ before clipping, summed in float64. A NaN or infinite norm is returned as it is
 * (and, as in torch, the scale then turns the gradients to NaN or 0, which the optimizer's
 * `nonFinite` option can catch); with `errorIfNonfinite` it throws instead.
 * @throws ChainruleError for invalid params, maxNorm or normType, or (errorIfNonfinite) a
 *   non-finite total norm; nothing is changed then.
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0); // log it: spikes show instability
 * opt.step();
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  opts: ClipGradNormOptions = {},
): number {
  const op = 'clipGradNorm';
  const grads = gradsOf(op, params);
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new ChainruleError(`${op}: maxNorm must be a number >= 0, got ${show(maxNorm)}`);
  }
  if (!isPlainObject(opts)) throw new ChainruleError(`${op}: options must be an object, got ${show(opts)}`);
  for (const k of Object.keys(opts)) {
    if (k !== 'normType' && k !== 'errorIfNonfinite') {
      throw new ChainruleError(`${op}: unknown option '${k}' (expected one of normType, errorIfNonfinite)`);
    }
  }
  const { normType: p = 2, errorIfNonfinite = false } = opts;
  if (typeof p !== 'number' || !(p > 0)) {
    throw new ChainruleError(`${op}: normType must be a number > 0 or Infinity, got ${show(p)}`);
  }
  if (typeof errorIfNonfinite !== 'boolean') {
    throw new ChainruleError(`${op}: errorIfNonfinite must be a boolean, got ${show(errorIfNonfinite)}`);
  }
  let total: number;
  if (p === Number.POSITIVE_INFINITY) {
    total = 0;
    for (const g of grads) {
      const m = maxAbs(g);
      if (Number.isNaN(m)) {
        total = m;
        break;
      }
      if (m > total) total = m;
    }
  } else {
    let s = 0;
    for (const g of grads) s += sumAbsPow(g, p);
    total = s ** (1 / p);
  }
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new ChainruleError(
      `${op}: the total norm of order ${p} of the gradients of ${grads.length} parameters is ${total}; no gradient was changed`,
    );
  }
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) for (const g of grads) scaleInPlace(g, coef);
  return total;
}

/**
 * Clamps every gradient element of `params` to [−clipValue, clipValue], in place, as
 * torch.nn.utils.clip_grad_value_ (a NaN stays NaN).
 * @throws ChainruleError for invalid params or a clipValue that is not a number >= 0 (nothing changed).
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const grads = gradsOf('clipGradValue', params);
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) {
    throw new ChainruleError(`clipGradValue: clipValue must be a number >= 0, got ${show(clipValue)}`);
  }
  for (const g of grads) clampInPlace(g, clipValue);
}
