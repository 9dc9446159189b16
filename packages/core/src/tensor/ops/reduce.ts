// ops: reductions over all elements, one dim or a list of dims (negative dims allowed), with
// keepDim as in PyTorch. Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x.
// Each reduction walks a plan of (x's shape, y's keep-dim shape): y is "broadcast" over x.
import { check, fmtShape } from '../../errors';
import * as K from '../../kernels/index';
import { empty } from '../create';
import { gradBuffer, record } from '../record';
import { broadcastPlan, normalizeDims, reducedShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { div } from './binary';

/** Σ over `dim` (all dims when omitted). */
export function sum(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  const dims = normalizeDims('sum', dim, x.ndim);
  const kept = reducedShape(x.shape, dims, true);
  const p = broadcastPlan('sum', x.shape, kept);
  const y = empty(reducedShape(x.shape, dims, keepDim), x.dtype);
  K.sumTo(p, x.data, y.data);
  return record(y, 'sum', [x], (gy) => {
    // ∂L/∂x = gy broadcast back over the summed dims (each x element enters one sum once)
    K.broadcastAdd(p, gy, gradBuffer(x));
  });
}

/** The arithmetic mean over `dim` (all dims when omitted). */
export function mean(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  const dims = normalizeDims('mean', dim, x.ndim);
  const count = sizeOf(dims.map((d) => x.shape[d] as number));
  // mean = sum / n: a composite, its backward is sum's and div's (∂L/∂x = gy / n)
  return div(sum(x, dims, keepDim), count);
}

/**
 * The maximum over `dim` (all dims when omitted). NaN propagates. The gradient flows only to the
 * arg-max element, the first one in row-major order when several tie (PyTorch's max(dim) picks
 * one index too; its amax would split the gradient among ties).
 */
export function max(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  const dims = normalizeDims('max', dim, x.ndim);
  const kept = reducedShape(x.shape, dims, true);
  check(x.size > 0, () => `max: cannot reduce an empty tensor of shape ${fmtShape(x.shape)}`);
  const p = broadcastPlan('max', x.shape, kept);
  const y = empty(reducedShape(x.shape, dims, keepDim), x.dtype);
  const arg = new Int32Array(y.size);
  K.maxAlong(p, x.data, y.data, arg);
  return record(y, 'max', [x], (gy) => {
    // ∂L/∂x[i] = gy where i is the arg-max, 0 elsewhere
    K.maxBackward(arg, gy, gradBuffer(x));
  });
}
