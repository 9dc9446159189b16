// ops: matrix products. Vocabulary: a, b → y; ga, gb, gy their gradients; x, w, bias for linear.
// Transposes in the backward are flags on gemm, never copies.
import { ChainruleError, check, describe, fmtShape } from '../../errors';
import * as K from '../../kernels/index';
import { empty, promote } from '../create';
import { gradBuffer, record } from '../record';
import { broadcastPlan, sizeOf } from '../shape';
import { Tensor } from '../tensor';

/**
 * The matrix product with torch.matmul's rules: 1-D·1-D is a dot product; a 1-D first operand
 * is a row vector and a 1-D second operand a column vector, the added dim removed afterwards;
 * N-D operands are stacks of matrices in their last two dims, with the batch dims broadcast.
 * @throws ChainruleError if the inner dims differ or the batch dims cannot broadcast.
 * @example
 * const y = tensor([[1, 2], [3, 4]]).matmul(tensor([[5], [6]])); // [[17], [39]]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  for (const t of [a, b]) {
    if (!(t instanceof Tensor)) throw new ChainruleError(`matmul: expected Tensor operands, got ${describe(t)}`);
  }
  check(
    a.ndim > 0 && b.ndim > 0,
    () => `matmul: both operands need at least 1 dim, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
  );
  const aShape = a.ndim === 1 ? [1, a.shape[0] as number] : a.shape;
  const bShape = b.ndim === 1 ? [b.shape[0] as number, 1] : b.shape;
  const m = aShape[aShape.length - 2] as number;
  const k = aShape[aShape.length - 1] as number;
  const n = bShape[bShape.length - 1] as number;
  const kb = bShape[bShape.length - 2] as number;
  check(k === kb, () => `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not align (${k} != ${kb})`);
  const bp = broadcastPlan('matmul (batch dims)', aShape.slice(0, -2), bShape.slice(0, -2));
  const outShape = [...bp.shape, m, n];
  if (a.ndim === 1) outShape.splice(-2, 1);
  if (b.ndim === 1) outShape.pop();
  const y = empty(outShape, promote(a.dtype, b.dtype));
  const batch = bp.size;
  // A stack of matrices times one shared matrix is a single taller product: fold the batch
  // into the rows of A (one gemm of batch·m rows instead of `batch` small ones).
  const fold = sizeOf(bShape.slice(0, -2)) === 1 && sizeOf(aShape.slice(0, -2)) === batch;
  // Batch t of y reads batch aIdx[t] of a and bIdx[t] of b (indices of the broadcast batch walk).
  const aIdx = new Int32Array(batch);
  const bIdx = new Int32Array(batch);
  for (let r = 0, t = 0; r < bp.rows; r++) {
    for (let j = 0; j < bp.inner; j++, t++) {
      aIdx[t] = (bp.aOffset[r] as number) + j * bp.aStep;
      bIdx[t] = (bp.bOffset[r] as number) + j * bp.bStep;
    }
  }
  if (fold) K.gemm(batch * m, n, k, a.data, false, b.data, false, y.data, false);
  else {
    for (let t = 0; t < batch; t++) {
      K.gemm(
        m,
        n,
        k,
        a.data,
        false,
        b.data,
        false,
        y.data,
        false,
        (aIdx[t] as number) * m * k,
        (bIdx[t] as number) * k * n,
        t * m * n,
      );
    }
  }
  return record(y, 'matmul', [a, b], (gy) => {
    // F13: ∂L/∂A = ∂L/∂Y · Bᵀ ,  ∂L/∂B = Aᵀ · ∂L/∂Y
    // A batch of a or b broadcast over several batches of y receives the sum of their gradients:
    // gemm's accumulate flag adds them up.
    const ga = a.requiresGrad ? gradBuffer(a) : null;
    const gb = b.requiresGrad ? gradBuffer(b) : null;
    if (fold) {
      if (ga) K.gemm(batch * m, k, n, gy, false, b.data, true, ga, true);
      if (gb) K.gemm(k, n, batch * m, a.data, true, gy, false, gb, true);
      return;
    }
    for (let t = 0; t < batch; t++) {
      const ao = (aIdx[t] as number) * m * k;
      const bo = (bIdx[t] as number) * k * n;
      if (ga) K.gemm(m, k, n, gy, false, b.data, true, ga, true, t * m * n, bo, ao);
      if (gb) K.gemm(k, n, m, a.data, true, gy, false, gb, true, ao, t * m * n, bo);
    }
  });
}

/**
 * A fully connected layer's map, y = x Wᵀ + b (F1 with the batch in the rows): x [..., in],
 * weight [out, in], bias [out] → y [..., out]. One op, so that its backward is the backprop
 * formula itself and W is never transposed in memory.
 * @throws ChainruleError if the shapes do not fit.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  check(
    x.ndim >= 1 && weight.ndim === 2,
    () => `linear: expects x [..., in] and weight [out, in], got ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`,
  );
  const [out, inF] = weight.shape as [number, number];
  const k = x.shape[x.ndim - 1] as number;
  check(
    k === inF,
    () => `linear: x ${fmtShape(x.shape)} has ${k} features but weight ${fmtShape(weight.shape)} expects ${inF}`,
  );
  if (bias) {
    check(
      bias.ndim === 1 && bias.shape[0] === out,
      () => `linear: bias ${fmtShape(bias.shape)} should have shape [${out}] for weight ${fmtShape(weight.shape)}`,
    );
  }
  const rows = x.size / inF;
  const dtype = bias ? promote(promote(x.dtype, weight.dtype), bias.dtype) : promote(x.dtype, weight.dtype);
  const y = empty([...x.shape.slice(0, -1), out], dtype);
  K.gemm(rows, out, inF, x.data, false, weight.data, true, y.data, false);
  if (bias) K.addRowVector(rows, out, bias.data, y.data);
  const children = bias ? [x, weight, bias] : [x, weight];
  return record(y, 'linear', children, (gy) => {
    // F14: with Δ = ∂L/∂Y [rows, out]:
    //   ∂L/∂W = Δᵀ · X   (F3 summed over the batch: δ aᵀ for each row)
    //   ∂L/∂b = Σ_rows Δ (F4 summed over the batch)
    //   ∂L/∂X = Δ · W    (the Wᵀδ of F5, one row at a time)
    if (weight.requiresGrad) K.gemm(out, inF, rows, gy, true, x.data, false, gradBuffer(weight), true);
    if (bias?.requiresGrad) K.sumRows(rows, out, gy, gradBuffer(bias));
    if (x.requiresGrad) K.gemm(rows, inF, out, gy, false, weight.data, false, gradBuffer(x), true);
  });
}
