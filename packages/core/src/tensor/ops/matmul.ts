// ops: matrix products. Vocabulary: a, b → y; ga, gb, gy their gradients; x, w, bias for linear.
// Transposes in the backward are flags on gemm, never copies.
import { ChainruleError, check, describe, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { matmulPlan } from '../../plans/matmul';
import { sizeOf } from '../../plans/shape';
import { empty } from '../create';
import { arithmetic, promote } from '../dtype';
import { gradBuffer, gradTarget, record } from '../record';
import { Tensor } from '../tensor';
import { sumTo } from './reduce';

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
  const p = matmulPlan(a.shape, b.shape);
  const y = empty(p.outShape, arithmetic(promote(a.dtype, b.dtype)));
  K.gemmBatched(p.m, p.n, p.k, p.aOffsets, p.bOffsets, p.cOffsets, a.data, false, b.data, false, y.data, false);
  return record(
    y,
    'matmul',
    [a, b],
    (gy) => {
      // F13: ∂L/∂A = ∂L/∂Y · Bᵀ ,  ∂L/∂B = Aᵀ · ∂L/∂Y
      // A batch of a or b broadcast over several batches of y receives the sum of their gradients:
      // gemm's accumulate flag adds them up.
      if (a.requiresGrad) {
        // gA[m×k] += gY[m×n] · B[k×n]ᵀ, per batch
        K.gemmBatched(p.m, p.k, p.n, p.cOffsets, p.bOffsets, p.aOffsets, gy, false, b.data, true, gradBuffer(a), true);
      }
      if (b.requiresGrad) {
        // gB[k×n] += A[m×k]ᵀ · gY[m×n], per batch
        K.gemmBatched(p.k, p.n, p.m, p.aOffsets, p.cOffsets, p.bOffsets, a.data, true, gy, false, gradBuffer(b), true);
      }
    },
    (gy) => {
      // F13 in Tensor ops; a 1-D operand is a row (a) or a column (b), as in the forward, and a
      // broadcast batch is summed back (F15)
      const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
      const b2 = b.ndim === 1 ? b.unsqueeze(-1) : b;
      let g = b.ndim === 1 ? gy.unsqueeze(-1) : gy;
      if (a.ndim === 1) g = g.unsqueeze(-2);
      return [
        a.requiresGrad ? sumTo(g.matmul(b2.transpose(-2, -1)), a2.shape).reshape(a.shape) : null,
        b.requiresGrad ? sumTo(a2.transpose(-2, -1).matmul(g), b2.shape).reshape(b.shape) : null,
      ];
    },
  );
}

/**
 * A fully connected layer's map, y = x Wᵀ + b (F1 with the batch in the rows): x [..., in],
 * weight [out, in], bias [out] → y [..., out]. One op, so that its backward is the backprop
 * formula itself and W is never transposed in memory.
 * @throws ChainruleError if the shapes do not fit.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  check(
    x instanceof Tensor && weight instanceof Tensor && (bias === undefined || bias === null || bias instanceof Tensor),
    () => `linear: expects Tensors x, weight and an optional bias, got ${show(x)}, ${show(weight)}, ${show(bias)}`,
  );
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
  const rows = sizeOf(x.shape.slice(0, -1));
  const dtype = bias ? promote(promote(x.dtype, weight.dtype), bias.dtype) : promote(x.dtype, weight.dtype);
  const y = empty([...x.shape.slice(0, -1), out], dtype);
  if (bias) K.gemmBias(rows, out, inF, x.data, false, weight.data, true, bias.data, y.data);
  else K.gemm(rows, out, inF, x.data, false, weight.data, true, y.data, false);
  const children = bias ? [x, weight, bias] : [x, weight];
  return record(
    y,
    'linear',
    children,
    (gy) => {
      // F14: with Δ = ∂L/∂Y [rows, out]:
      //   ∂L/∂W = Δᵀ · X   (F3 summed over the batch: δ aᵀ for each row)
      //   ∂L/∂b = Σ_rows Δ (F4 summed over the batch)
      //   ∂L/∂X = Δ · W    (the Wᵀδ of F5, one row at a time)
      // (a gradient buffer allocated just now holds zeros: gemm writes into it rather than adding)
      // gW[out×in] += Δ[rows×out]ᵀ · X[rows×in]
      if (weight.requiresGrad) K.gemm(out, inF, rows, gy, true, x.data, false, ...gradTarget(weight));
      if (bias?.requiresGrad) K.sumRows(rows, out, gy, ...gradTarget(bias));
      // gX[rows×in] += Δ[rows×out] · W[out×in]
      if (x.requiresGrad) K.gemm(rows, inF, out, gy, false, weight.data, false, ...gradTarget(x));
    },
    (gy) => {
      // F14 in Tensor ops, the batch dims flattened into rows
      const delta = gy.reshape([rows, out]);
      return [
        x.requiresGrad ? gy.matmul(weight) : null,
        weight.requiresGrad ? delta.transpose(0, 1).matmul(x.reshape([rows, inF])) : null,
        bias?.requiresGrad ? delta.sum(0) : null,
      ];
    },
  );
}
