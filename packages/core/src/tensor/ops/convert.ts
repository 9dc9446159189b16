// ops: dtype conversion. Vocabulary: x → y; gy = ∂L/∂y, gx = ∂L/∂x.
import * as K from '../../kernels/index';
import { checkTensor, empty } from '../create';
import { checkDType, type DType } from '../dtype';
import { gradBuffer, record } from '../record';
import type { Tensor } from '../tensor';

/**
 * x converted to `dtype` (x itself when it already has it, as PyTorch). Float to int32
 * truncates toward zero; anything to bool is x ≠ 0. Differentiable between float dtypes.
 * @throws ChainruleError for an unknown dtype.
 * @example
 * tensor([1.7, -1.7]).to('int32').toArray(); // [1, -1]
 */
export function to(x: Tensor, dtype: DType): Tensor {
  checkTensor('to', x);
  checkDType('to', dtype);
  if (dtype === x.dtype) return x;
  const y = empty(x.shape, dtype);
  if (dtype === 'bool') K.castToBool(x.data, y.data);
  else K.cast(x.data, y.data);
  return record(
    y,
    'to',
    [x],
    (gy) => {
      // ∂L/∂x = gy, converted back to x's dtype
      K.addInto(gy, gradBuffer(x));
    },
    (gy) => [gy.to(x.dtype)],
  );
}
