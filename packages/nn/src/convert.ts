// Module.to(dtype): every float parameter and buffer of a module tree converted to another float
// dtype, as torch's module.to(dtype). Tensors are immutable in type, so each is replaced, in place
// of the old one, in the field, array, plain object or Map that holds it; a tensor held twice
// (weight tying) becomes one new tensor held twice.
import { type DType, Tensor, tensor } from '@chainrule/core';
import { isParameter, parameter } from './parameter';

/** A copy of float tensor `t` in `dtype`: a leaf, requiresGrad, parameter mark and gradient kept. */
function converted(t: Tensor, dtype: 'float32' | 'float64'): Tensor {
  const c = tensor(t.data, { shape: [...t.shape], dtype, requiresGrad: t.requiresGrad });
  c.label = t.label;
  if (isParameter(t)) parameter(c);
  if (t.grad) c.grad = tensor(t.grad.data, { shape: [...t.shape], dtype });
  return c;
}

const isFloat = (d: DType) => d === 'float32' || d === 'float64';

/**
 * Replaces every float tensor of another dtype reachable from `holder`'s own fields (not `_`
 * private ones), through arrays, plain objects and Maps, and recurses into modules through
 * `isModule`. `done` maps old tensors to new ones and records the containers already walked.
 */
export function convertTree(
  holder: object,
  dtype: 'float32' | 'float64',
  isModule: (x: unknown) => boolean,
  done: Map<object, unknown> = new Map(),
): void {
  const swap = (v: unknown): unknown => {
    if (v instanceof Tensor) {
      if (!isFloat(v.dtype) || v.dtype === dtype) return v;
      if (!done.has(v)) done.set(v, converted(v, dtype));
      return done.get(v);
    }
    if (typeof v === 'object' && v !== null && !done.has(v)) {
      done.set(v, v);
      if (isModule(v)) convertTree(v, dtype, isModule, done);
      else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = swap(v[i]);
      else if (v instanceof Map) for (const [k, x] of v) v.set(k, swap(x));
      else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
        for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = swap(x);
      }
    }
    return v;
  };
  done.set(holder, holder);
  for (const [k, v] of Object.entries(holder)) {
    if (k.startsWith('_')) continue;
    const n = swap(v);
    if (n !== v) (holder as Record<string, unknown>)[k] = n;
  }
}
