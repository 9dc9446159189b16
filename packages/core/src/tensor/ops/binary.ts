// ops: elementwise binary ops with PyTorch broadcasting, and pow/neg.
// Vocabulary: a, b → y; g· = ∂L/∂· (gy incoming; ga, gb added into).
// A broadcast operand is reused across the output, so its gradient is summed over the broadcast
// dims (F15). The backward kernels do that by walking the same plan with `+=`.
import { check, show } from '../../errors';
import * as K from '../../kernels/index';
import { type BroadcastPlan, broadcastPlan, swapPlan } from '../../plans/broadcast';
import { asTensor, checkTensor, empty } from '../create';
import { arithmetic, floating, promote } from '../dtype';
import { addGrad, gradBuffer, record } from '../record';
import type { Tensor, TensorLike } from '../tensor';
import { sumTo } from './reduce';

/**
 * ∂L/∂t += gy for an operand t that y took as it is (side a of `p`), summed over the dims t was
 * broadcast along (F15); where t was not broadcast and the step owns gy, gy itself becomes t's
 * gradient (addGrad).
 */
function passGrad(t: Tensor, p: BroadcastPlan, gy: K.Buf, own: boolean): void {
  if (t.size === p.size) addGrad(t, gy, own);
  else K.scaledBackward(p, gy, 1, gradBuffer(t));
}

/**
 * Elementwise a + b with PyTorch broadcasting (∂L/∂a = ∂L/∂y, ∂L/∂b = ∂L/∂y, summed over broadcast dims).
 * @throws ChainruleError if the shapes cannot broadcast.
 */
export function add(a: Tensor, b: TensorLike): Tensor {
  checkTensor('add', a);
  const B = asTensor('add', b, a.dtype);
  const p = broadcastPlan('add', a.shape, B.shape);
  const y = empty(p.shape, arithmetic(promote(a.dtype, B.dtype)));
  K.add(p, a.data, B.data, y.data);
  return record(
    y,
    'add',
    [a, B],
    (gy, own) => {
      // ∂L/∂a = gy ,  ∂L/∂b = gy (b first: a, the last to read gy, may take it over)
      if (B.requiresGrad) passGrad(B, swapPlan(p), gy, own && !a.requiresGrad);
      if (a.requiresGrad) passGrad(a, p, gy, own);
    },
    (gy) => [a.requiresGrad ? sumTo(gy, a.shape) : null, B.requiresGrad ? sumTo(gy, B.shape) : null],
  );
}

/**
 * Elementwise a − b with broadcasting (∂L/∂a = ∂L/∂y, ∂L/∂b = −∂L/∂y).
 * @throws ChainruleError if the shapes cannot broadcast.
 */
export function sub(a: Tensor, b: TensorLike): Tensor {
  checkTensor('sub', a);
  const B = asTensor('sub', b, a.dtype);
  const p = broadcastPlan('sub', a.shape, B.shape);
  const y = empty(p.shape, arithmetic(promote(a.dtype, B.dtype)));
  K.sub(p, a.data, B.data, y.data);
  return record(
    y,
    'sub',
    [a, B],
    (gy, own) => {
      // ∂L/∂a = gy ,  ∂L/∂b = −gy (b first: a, the last to read gy, may take it over)
      if (B.requiresGrad) K.scaledBackward(swapPlan(p), gy, -1, gradBuffer(B));
      if (a.requiresGrad) passGrad(a, p, gy, own);
    },
    (gy) => [a.requiresGrad ? sumTo(gy, a.shape) : null, B.requiresGrad ? sumTo(gy.neg(), B.shape) : null],
  );
}

/**
 * Elementwise a ∘ b with broadcasting (∂L/∂a = ∂L/∂y ∘ b, ∂L/∂b = ∂L/∂y ∘ a).
 * @throws ChainruleError if the shapes cannot broadcast.
 */
export function mul(a: Tensor, b: TensorLike): Tensor {
  checkTensor('mul', a);
  const B = asTensor('mul', b, a.dtype);
  const p = broadcastPlan('mul', a.shape, B.shape);
  const y = empty(p.shape, arithmetic(promote(a.dtype, B.dtype)));
  K.mul(p, a.data, B.data, y.data);
  return record(
    y,
    'mul',
    [a, B],
    (gy) => {
      // ∂L/∂a = gy ∘ b ,  ∂L/∂b = gy ∘ a
      if (a.requiresGrad) K.mulBackward(p, gy, B.data, gradBuffer(a));
      if (B.requiresGrad) K.mulBackward(swapPlan(p), gy, a.data, gradBuffer(B));
    },
    (gy) => [a.requiresGrad ? sumTo(gy.mul(B), a.shape) : null, B.requiresGrad ? sumTo(gy.mul(a), B.shape) : null],
  );
}

/**
 * Elementwise a / b with broadcasting (∂L/∂a = ∂L/∂y / b, ∂L/∂b = −∂L/∂y ∘ a / b²).
 * @throws ChainruleError if the shapes cannot broadcast.
 */
export function div(a: Tensor, b: TensorLike): Tensor {
  checkTensor('div', a);
  const B = asTensor('div', b, a.dtype);
  const p = broadcastPlan('div', a.shape, B.shape);
  const y = empty(p.shape, floating(promote(a.dtype, B.dtype)));
  K.div(p, a.data, B.data, y.data);
  return record(
    y,
    'div',
    [a, B],
    (gy) => {
      // ∂L/∂a = gy / b ,  ∂L/∂b = −gy ∘ a / b²
      if (a.requiresGrad) K.divBackwardNumerator(p, gy, B.data, gradBuffer(a));
      if (B.requiresGrad) K.divBackwardDenominator(p, gy, a.data, B.data, gradBuffer(B));
    },
    (gy) => [
      a.requiresGrad ? sumTo(gy.div(B), a.shape) : null,
      B.requiresGrad ? sumTo(gy.mul(a).div(B.square()).neg(), B.shape) : null,
    ],
  );
}

/** xⁿ for a number exponent n, elementwise. */
export function pow(x: Tensor, exponent: number): Tensor {
  checkTensor('pow', x);
  check(typeof exponent === 'number', () => `pow: exponent must be a number, got ${show(exponent)}`);
  // an integer tensor to a non-negative integer power stays integer; otherwise the result is real
  const integral = Number.isInteger(exponent) && exponent >= 0;
  const y = empty(x.shape, integral ? arithmetic(x.dtype) : floating(x.dtype));
  K.pow(x.data, exponent, y.data);
  return record(
    y,
    'pow',
    [x],
    (gy) => {
      // ∂L/∂x = gy ∘ n·xⁿ⁻¹
      K.powBackward(x.data, exponent, gy, gradBuffer(x));
    },
    (gy) => [exponent === 0 ? gy.mul(0) : gy.mul(x.pow(exponent - 1).mul(exponent))],
  );
}

/** Elementwise −x (∂L/∂x = −∂L/∂y). */
export function neg(x: Tensor): Tensor {
  checkTensor('neg', x);
  const y = empty(x.shape, arithmetic(x.dtype));
  K.neg(x.data, y.data);
  return record(
    y,
    'neg',
    [x],
    (gy) => {
      // ∂L/∂x = −gy
      K.negBackward(gy, gradBuffer(x));
    },
    (gy) => [gy.neg()],
  );
}
