// How a loss op reduces its per-element losses ('mean', 'sum' or 'none'), shared by the fused
// losses so that each applies a reduction, and scales its backward, the same way.
import { check, show } from '../errors';
import * as K from '../kernels/index';
import { empty } from './create';
import type { Tensor } from './tensor';

/** How a loss reduces its per-element values: `'mean'` (the default), `'sum'`, or `'none'` (one loss per element). */
export type Reduction = 'mean' | 'sum' | 'none';

export function checkReduction(op: string, reduction: unknown): Reduction {
  check(
    reduction === 'mean' || reduction === 'sum' || reduction === 'none',
    () => `${op}: reduction must be 'mean', 'sum' or 'none', got ${show(reduction)}`,
  );
  return reduction;
}

/**
 * Applies `reduction` to per-element losses. The backward of a fused loss then scales each
 * element's gradient by gy[i·gyStep]·scale: gyStep 0 reads the one gy of a reduced loss.
 */
export function reduceLosses(losses: Tensor, reduction: Reduction): { y: Tensor; gyStep: number; scale: number } {
  if (reduction === 'none') return { y: losses, gyStep: 1, scale: 1 };
  const y = empty([], losses.dtype);
  K.sumAll(losses.data, y.data);
  if (reduction === 'mean') y.data[0] = (y.data[0] as number) / losses.size;
  return { y, gyStep: 0, scale: reduction === 'mean' ? 1 / losses.size : 1 };
}
