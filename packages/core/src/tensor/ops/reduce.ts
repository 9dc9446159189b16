// ops: reductions over all elements, one dim or a list of dims (negative dims allowed), with
// keepDim as in PyTorch. Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x.
// Each reduction walks a plan of (x's shape, y's keep-dim shape): y is "broadcast" over x.
import { check, fmtShape } from '../../errors';
import * as K from '../../kernels/index';
import { reducePlan } from '../../plans/reduce';
import { empty } from '../create';
import { arithmetic } from '../dtype';
import { gradBuffer, record } from '../record';
import type { Tensor } from '../tensor';
import { div } from './binary';

/** Σ over `dim` (all dims when omitted). */
export function sum(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  const p = reducePlan('sum', x.shape, dim, keepDim);
  const y = empty(p.outShape, arithmetic(x.dtype));
  K.sumTo(p.walk, x.data, y.data);
  return record(y, 'sum', [x], (gy) => {
    // ∂L/∂x = gy broadcast back over the summed dims (each x element enters one sum once)
    K.broadcastAdd(p.walk, gy, gradBuffer(x));
  });
}

/** The arithmetic mean over `dim` (all dims when omitted). */
export function mean(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  const p = reducePlan('mean', x.shape, dim, keepDim);
  // mean = sum / n: a composite, its backward is sum's and div's (∂L/∂x = gy / n)
  return div(sum(x, p.dims, keepDim), p.count);
}

/**
 * The maximum over `dim` (all dims when omitted). NaN propagates. The gradient flows only to the
 * arg-max element, the first one in row-major order when several tie (PyTorch's max(dim) picks
 * one index too; its amax would split the gradient among ties).
 */
export function max(x: Tensor, dim?: number | readonly number[], keepDim = false): Tensor {
  const p = reducePlan('max', x.shape, dim, keepDim);
  check(x.size > 0, () => `max: cannot reduce an empty tensor of shape ${fmtShape(x.shape)}`);
  const y = empty(p.outShape, x.dtype);
  const arg = new Int32Array(y.size);
  K.maxAlong(p.walk, x.data, y.data, arg);
  return record(y, 'max', [x], (gy) => {
    // ∂L/∂x[i] = gy where i is the arg-max, 0 elsewhere
    K.maxBackward(arg, gy, gradBuffer(x));
  });
}
