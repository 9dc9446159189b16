// Parameters as PyTorch's nn.Parameter: a float leaf tensor that a module trains. Freezing one
// (`requiresGrad = false`) keeps it a parameter: still in parameters() and the state dict, and
// optimizers skip it while it has no gradient. Kept in a WeakSet, so a tensor needs no new field.
import { ChainruleError, show, Tensor } from '@chainrule/core';

const PARAMETERS = new WeakSet<Tensor>();

/**
 * Marks `t` as a parameter (torch.nn.Parameter) and returns it: parameters() lists it even while
 * its requiresGrad is false (frozen). Every layer's weights are parameters from construction; a
 * leaf tensor with requiresGrad becomes one the first time a module walk sees it.
 * @throws ChainruleError for a tensor that is not a float leaf.
 * @example
 * this.scale = parameter(ones([dim], { requiresGrad: true }));
 */
export function parameter(t: Tensor): Tensor {
  if (!(t instanceof Tensor) || (t.dtype !== 'float32' && t.dtype !== 'float64') || t.op !== '') {
    throw new ChainruleError(
      `parameter: expected a float leaf Tensor, got ${t instanceof Tensor ? `a ${t.dtype} tensor${t.op ? ` computed by '${t.op}'` : ''}` : show(t)}`,
    );
  }
  PARAMETERS.add(t);
  return t;
}

/** Whether `t` is a parameter: marked, or a leaf that requires a gradient (which marks it). */
export function isParameter(t: Tensor): boolean {
  if (t.requiresGrad && t.op === '') PARAMETERS.add(t);
  return PARAMETERS.has(t);
}
