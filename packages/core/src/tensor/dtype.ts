// Dtypes: which typed array holds each dtype, and PyTorch's promotion between them.
import { check, show } from '../errors';
import type { Buf } from '../kernels/index';

/** Element types: float32 (the default), float64, int32 (indices, labels, argmax) and bool (masks). */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

const ORDER: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/** Zeroed storage for `n` elements of `dtype`: the one place a dtype becomes a typed array. */
export function storageFor(dtype: DType, n: number): Buf {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

/** The dtype of a storage buffer (a Uint8Array holds bool). */
export function dtypeOf(data: Buf): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'bool';
  return 'float32';
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** PyTorch promotion between two tensors: bool < int32 < float32 < float64. */
export function promote(a: DType, b: DType): DType {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/**
 * The dtype a JS number takes next to a tensor of `dtype` (a Python scalar's rule): the tensor's
 * own dtype when that can hold it, int32 for an integer next to bool, float32 for a fractional
 * (or non-finite) number next to an int32 or bool tensor.
 */
export function scalarDType(x: number, dtype: DType): DType {
  if (isFloat(dtype)) return dtype;
  if (Number.isInteger(x)) return 'int32';
  return 'float32';
}

/** The dtype of an arithmetic result (add, mul, sum…): bool counts as int32, so true + true is 2. */
export function arithmetic(dtype: DType): DType {
  return dtype === 'bool' ? 'int32' : dtype;
}

/** The dtype of a real-valued function (exp, div, softmax…): x's own if float, else float32. */
export function floating(dtype: DType): DType {
  return isFloat(dtype) ? dtype : 'float32';
}

/** Checks a user-given dtype. */
export function checkDType(op: string, dtype: unknown): DType {
  check(
    ORDER.includes(dtype as DType),
    () => `${op}: dtype must be 'float32', 'float64', 'int32' or 'bool', got ${show(dtype)}`,
  );
  return dtype as DType;
}
