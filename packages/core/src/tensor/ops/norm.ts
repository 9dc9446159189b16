// ops: layer normalisation as one op (PyTorch's F.layer_norm): the row statistics, the normalised
// output and its backward in two kernels, where the composite of mean, sub, pow, div, mul and add
// took a dozen passes and as many temporaries. Vocabulary: x → y, x̂ = (x − μ)/√(σ² + ε), w, b.
import { check, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { empty } from '../create';
import { isFloat } from '../dtype';
import { gradBuffer, record } from '../record';
import { Tensor } from '../tensor';
import { sumTo } from './reduce';

/** Options of `layerNorm`. */
export interface LayerNormOptions {
  /** ε added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * y = (x − E[x]) / √(Var[x] + ε) · w + b over the trailing dims `normalizedShape` (the biased
 * variance, as PyTorch), with w and b of that shape (either may be omitted or null).
 * @throws ChainruleError for a non-float x, a normalizedShape that x does not end with, a weight
 *   or bias of another shape or dtype, or an eps that is not a finite number ≥ 0.
 * @example
 * const y = layerNorm(x, [128], weight, bias);   // x [..., 128]
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: LayerNormOptions = {},
): Tensor {
  check(x instanceof Tensor && isFloat(x.dtype), () => `layerNorm: x must be a float Tensor, got ${show(x)}`);
  const dims = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  check(
    Array.isArray(dims) && dims.length > 0 && dims.every((n) => Number.isInteger(n) && n > 0),
    () =>
      `layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${show(normalizedShape)}`,
  );
  check(
    x.ndim >= dims.length && fmtShape(x.shape.slice(x.ndim - dims.length)) === fmtShape(dims),
    () => `layerNorm: x ${fmtShape(x.shape)} does not end with normalizedShape ${fmtShape(dims)}`,
  );
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    check(
      t === undefined ||
        t === null ||
        (t instanceof Tensor && t.dtype === x.dtype && fmtShape(t.shape) === fmtShape(dims)),
      () =>
        `layerNorm: ${name} must be a ${x.dtype} Tensor of shape ${fmtShape(dims)} (normalizedShape) or null, got ${show(t)}`,
    );
  }
  check(opts !== null && typeof opts === 'object', () => `layerNorm: options must be an object, got ${show(opts)}`);
  const eps = opts.eps ?? 1e-5;
  check(
    typeof eps === 'number' && Number.isFinite(eps) && eps >= 0,
    () => `layerNorm: eps must be a finite number ≥ 0, got ${show(eps)}`,
  );
  const w = weight ?? null;
  const b = bias ?? null;
  const d = dims.reduce((p, n) => p * n, 1);
  const rows = x.size / d;
  const y = empty(x.shape, x.dtype);
  const stats = new Float64Array(2 * rows); // μ and rstd = 1/√(σ² + ε) per row
  K.layerNorm(rows, d, eps, x.data, w?.data ?? null, b?.data ?? null, y.data, stats);
  const children = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  return record(
    y,
    'layerNorm',
    children,
    (gy) => {
      // ∂L/∂x = rstd · (ĝ − mean ĝ − x̂ ∘ mean(ĝ ∘ x̂)),  ĝ = gy ∘ w   (means over the normalised dims)
      // ∂L/∂w = Σ_rows gy ∘ x̂ ,  ∂L/∂b = Σ_rows gy
      K.layerNormBackward(
        rows,
        d,
        x.data,
        w?.data ?? null,
        stats,
        gy,
        x.requiresGrad ? gradBuffer(x) : null,
        w?.requiresGrad ? gradBuffer(w) : null,
        b?.requiresGrad ? gradBuffer(b) : null,
      );
    },
    (gy) => {
      // the same formulas in Tensor ops, x̂ and rstd recomputed from x so that they differentiate again
      const axes = dims.map((_, i) => x.ndim - dims.length + i);
      const centred = x.sub(x.mean(axes, true));
      const rstd = centred.square().mean(axes, true).add(eps).pow(-0.5);
      const xhat = centred.mul(rstd);
      const g = w ? gy.mul(w) : gy;
      const gx = rstd.mul(g.sub(g.mean(axes, true)).sub(xhat.mul(g.mul(xhat).mean(axes, true))));
      return [gx, ...(w ? [sumTo(gy.mul(xhat), dims)] : []), ...(b ? [sumTo(gy, dims)] : [])];
    },
  );
}
