// ops: joining and splitting — cat, stack, split, chunk. Vocabulary: xs → y; gy = ∂L/∂y.
// cat copies each input into a window of y along `dim`; its backward copies each window of gy
// back (F17: each gradient goes back to where its element came from).
import { check, show } from '../../errors';
import * as K from '../../kernels/index';
import { catPlan, reverseWindow } from '../../plans/movement';
import { normalizeDim } from '../../plans/shape';
import { checkTensor, empty } from '../create';
import { promote } from '../dtype';
import { gradTarget, record } from '../record';
import { Tensor } from '../tensor';
import { narrow } from './indexing';
import { unsqueeze } from './movement';

function checkList(op: string, tensors: readonly Tensor[]): void {
  check(
    Array.isArray(tensors) && tensors.length > 0,
    () => `${op}: expected a non-empty array of Tensors, got ${show(tensors)}`,
  );
  tensors.forEach((t, i) => {
    check(t instanceof Tensor, () => `${op}: element ${i} is ${show(t)}, expected a Tensor`);
  });
}

/**
 * The tensors joined along an existing `dim`; they must agree in every other dim.
 * @example
 * cat([tensor([[1, 2]]), tensor([[3, 4]])]).toArray(); // [[1, 2], [3, 4]]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('cat', tensors);
  const first = tensors[0] as Tensor;
  const d = normalizeDim('cat', dim, first.ndim);
  check(first.ndim > 0, () => 'cat: zero-dimensional tensors cannot be concatenated (use stack)');
  const p = catPlan(
    'cat',
    tensors.map((t) => t.shape),
    d,
  );
  const y = empty(p.outShape, tensors.map((t) => t.dtype).reduce(promote));
  tensors.forEach((t, i) => {
    K.copyWindow(p.windows[i] as (typeof p.windows)[number], t.data, y.data, false);
  });
  return record(
    y,
    'cat',
    [...tensors],
    (gy) => {
      // F17: ∂L/∂x_i = the window of gy where x_i was copied
      tensors.forEach((t, i) => {
        if (t.requiresGrad)
          K.copyWindow(reverseWindow(p.windows[i] as (typeof p.windows)[number]), gy, ...gradTarget(t));
      });
    },
    (gy) =>
      split(
        gy,
        tensors.map((t) => t.shape[d] as number),
        d,
      ),
  );
}

/** The tensors (all of one shape) stacked along a new `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList('stack', tensors);
  const first = tensors[0] as Tensor;
  const d = normalizeDim('stack', dim, first.ndim + 1);
  tensors.forEach((t, i) => {
    check(
      t.shape.length === first.shape.length && t.shape.every((n, k) => n === first.shape[k]),
      () => `stack: tensor ${i} has shape [${t.shape}], expected [${first.shape}] like tensor 0`,
    );
  });
  // a composite: stack = cat of the tensors each given a new dim of size 1 (backward: theirs)
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/**
 * x cut along `dim` into pieces of `sizeOrSizes` entries (the last may be smaller), or of the
 * listed sizes, which must add up to the dim's size.
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', x);
  check(x.ndim > 0, () => 'split: cannot split a 0-d tensor');
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d] as number;
  let sizes: number[];
  if (typeof sizeOrSizes === 'number') {
    check(
      Number.isInteger(sizeOrSizes) && sizeOrSizes > 0,
      () => `split: size must be a positive integer, got ${show(sizeOrSizes)}`,
    );
    sizes = Array.from({ length: Math.max(1, Math.ceil(n / sizeOrSizes)) }, (_, i) =>
      Math.min(sizeOrSizes, n - i * sizeOrSizes),
    );
  } else {
    check(
      Array.isArray(sizeOrSizes) && sizeOrSizes.every((s) => Number.isInteger(s) && s >= 0),
      () => `split: sizes must be a number or an array of non-negative integers, got ${show(sizeOrSizes)}`,
    );
    const total = sizeOrSizes.reduce((a, b) => a + b, 0);
    check(total === n, () => `split: sizes ${show(sizeOrSizes)} add up to ${total}, but dim ${dim} has size ${n}`);
    sizes = [...sizeOrSizes];
  }
  // a composite: each piece is a narrow of x (backward: narrow's)
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, start, s);
    start += s;
    return piece;
  });
}

/** x cut into `chunks` pieces along `dim`, each of ⌈n / chunks⌉ entries but the last (torch.chunk). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', x);
  check(Number.isInteger(chunks) && chunks > 0, () => `chunk: chunks must be a positive integer, got ${show(chunks)}`);
  check(x.ndim > 0, () => 'chunk: cannot chunk a 0-d tensor');
  const d = normalizeDim('chunk', dim, x.ndim);
  // a composite: chunk = split into pieces of ⌈n / chunks⌉
  return split(x, Math.max(1, Math.ceil((x.shape[d] as number) / chunks)), d);
}
