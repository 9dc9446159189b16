// Plans for moving elements: permutations of dims, and windows along one dim (narrow, cat,
// split). Each reduces to runs of contiguous or evenly strided elements.
import { check, fmtShape, show } from '../errors';
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
  // a literal, not a spread: see binary() in broadcast.ts
  const { outer, inner, length } = p;
  return { outer, inner, length, srcN: p.dstN, srcStart: p.dstStart, dstN: p.srcN, dstStart: p.srcStart };
}

/** narrow: `length` entries of `dim` from `start` (negative start counts from the end). */
export function narrowPlan(op: string, shape: Shape, dim: number, start: number, length: number): WindowPlan {
  const n = shape[dim] as number;
  check(
    Number.isInteger(start) && start >= -n && start <= n,
    () =>
      `${op}: start ${show(start)} is out of range for dim ${dim} of size ${n} (expected an integer in ${-n}..${n})`,
  );
  const s = start < 0 ? start + n : start;
  check(
    Number.isInteger(length) && length >= 0 && s + length <= n,
    () => `${op}: length ${show(length)} from start ${s} runs past dim ${dim} of size ${n}`,
  );
  return {
    outer: sizeOf(shape.slice(0, dim)),
    inner: sizeOf(shape.slice(dim + 1)),
    length,
    srcN: n,
    srcStart: s,
    dstN: length,
    dstStart: 0,
  };
}

/** cat: the inputs laid end to end along `dim`; window i copies input i into its place in y. */
export function catPlan(
  op: string,
  shapes: readonly Shape[],
  dim: number,
): { outShape: number[]; windows: WindowPlan[] } {
  const first = shapes[0] as Shape;
  shapes.forEach((s, i) => {
    check(
      s.length === first.length && s.every((n, d) => d === dim || n === first[d]),
      () => `${op}: tensor ${i} has shape ${fmtShape(s)}, which does not match ${fmtShape(first)} outside dim ${dim}`,
    );
  });
  const total = shapes.reduce((t, s) => t + (s[dim] as number), 0);
  const outer = sizeOf(first.slice(0, dim));
  const inner = sizeOf(first.slice(dim + 1));
  let at = 0;
  const windows = shapes.map((s) => {
    const length = s[dim] as number;
    const w = { outer, inner, length, srcN: length, srcStart: 0, dstN: total, dstStart: at };
    at += length;
    return w;
  });
  const outShape = [...first];
  outShape[dim] = total;
  return { outShape, windows };
}
