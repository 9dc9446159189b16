// Plans for moving elements: permutations of dims, and windows along one dim (narrow, cat,
// split). Each reduces to runs of contiguous or evenly strided elements.
import { type Shape, sizeOf, stridesOf } from './shape';

/**
 * y = x with dims permuted (y's dim d is x's dim perm[d]), walked as `rows` runs of `inner`
 * elements: y's run r starts in x at srcOffsets[r] and steps by innerStride.
 */
export interface PermutePlan {
  readonly outShape: readonly number[];
  readonly inner: number;
  readonly innerStride: number;
  readonly srcOffsets: Int32Array;
}

export function permutePlan(shape: Shape, perm: readonly number[]): PermutePlan {
  const nd = shape.length;
  const xStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p] as number);
  if (nd === 0) return { outShape, inner: 1, innerStride: 0, srcOffsets: Int32Array.of(0) };
  const stride = perm.map((p) => xStrides[p] as number); // step in x per step along each y dim
  const inner = outShape[nd - 1] as number;
  const size = sizeOf(outShape);
  const rows = inner === 0 ? 0 : size / inner;
  const srcOffsets = new Int32Array(rows);
  const idx = new Array<number>(nd).fill(0);
  for (let r = 0, src = 0; r < rows; r++) {
    srcOffsets[r] = src;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      src += stride[d] as number;
      if ((idx[d] as number) < (outShape[d] as number)) break;
      src -= (stride[d] as number) * (outShape[d] as number);
      idx[d] = 0;
    }
  }
  return { outShape, inner, innerStride: stride[nd - 1] as number, srcOffsets };
}

/**
 * A window of `length` entries along one dim, copied between a tensor where that dim has size
 * `srcN` (starting at `srcStart`) and one where it has size `dstN` (starting at `dstStart`);
 * `outer` and `inner` are the sizes before and after the dim. narrow reads a window, cat writes
 * one per input, and each one's backward copies the same window the other way.
 */
export interface WindowPlan {
  readonly outer: number;
  readonly inner: number;
  readonly length: number;
  readonly srcN: number;
  readonly srcStart: number;
  readonly dstN: number;
  readonly dstStart: number;
}

/** The window's plan for the reverse copy (the backward). */
export function reverseWindow(p: WindowPlan): WindowPlan {
  return { ...p, srcN: p.dstN, srcStart: p.dstStart, dstN: p.srcN, dstStart: p.srcStart };
}
