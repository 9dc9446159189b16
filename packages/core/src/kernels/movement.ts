// Data movement: permuting dims into a new contiguous buffer. transpose's forward and backward
// are both this kernel (a swap of two dims is its own inverse).
import type { Buf } from './index';

/**
 * out = x with its dims permuted: out's dim d is x's dim perm[d]. With `accumulate`, adds into
 * out instead of overwriting it. An odometer walks out contiguously; the inner loop strides
 * through x along the dim that lands last.
 */
export function permute(
  shape: readonly number[],
  perm: readonly number[],
  x: Buf,
  out: Buf,
  accumulate: boolean,
): void {
  const nd = shape.length;
  if (out.length === 0) return;
  if (nd === 0) {
    out[0] = accumulate ? out[0]! + x[0]! : x[0]!;
    return;
  }
  const xStrides = new Array<number>(nd);
  for (let i = nd - 1, s = 1; i >= 0; i--) {
    xStrides[i] = s;
    s *= shape[i]!;
  }
  const outShape = perm.map((p) => shape[p]!);
  const stride = perm.map((p) => xStrides[p]!); // step in x per step along each out dim
  const inner = outShape[nd - 1]!;
  const innerStride = stride[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o += inner) {
    if (accumulate) for (let j = 0, s = src; j < inner; j++, s += innerStride) out[o + j]! += x[s]!;
    else for (let j = 0, s = src; j < inner; j++, s += innerStride) out[o + j] = x[s]!;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      src += stride[d]!;
      if (idx[d]! < outShape[d]!) break;
      src -= stride[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}
