// kernels/wasm: the optimizer updates through the WebAssembly SIMD kernels (assembly/optim.ts).
// The buffers are copied in one after the other (16-byte aligned), updated there, and the ones the
// update writes (θ and the state) are copied back.
import type { Buf } from '../index';
import { adamConstants } from '../optim';
import { copyIn, copyOut } from './copy';

/** `sgd`'s contract (../optim.ts) with θ and g of one float type. */
export function sgdWasm(theta: Buf, g: Buf, lr: number, weightDecay: number): void {
  const [wasm, [pt = 0, pg = 0]] = copyIn([theta, g]);
  (theta instanceof Float64Array ? wasm.sgdF64 : wasm.sgdF32)(theta.length, pt, pg, lr, weightDecay);
  copyOut([theta], [pt]);
}

/** `sgdMomentum`'s contract (../optim.ts) with θ, g and the buffer of one float type. */
export function sgdMomentumWasm(
  theta: Buf,
  g: Buf,
  buf: Buf,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: boolean,
  first: boolean,
): void {
  const [wasm, [pt = 0, pg = 0, pb = 0]] = copyIn([theta, g, buf]);
  const kernel = theta instanceof Float64Array ? wasm.sgdMomentumF64 : wasm.sgdMomentumF32;
  kernel(theta.length, pt, pg, pb, lr, momentum, dampening, weightDecay, nesterov ? 1 : 0, first ? 1 : 0);
  copyOut([theta, buf], [pt, pb]);
}

/** `adam`'s contract (../optim.ts) with every buffer of one float type. */
export function adamWasm(
  theta: Buf,
  g: Buf,
  m: Buf,
  v: Buf,
  vMax: Buf | null,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decoupled: boolean,
  t: number,
): void {
  const { decay, l2, stepSize, bc2Sqrt } = adamConstants(lr, beta1, beta2, weightDecay, decoupled, t);
  const [wasm, [pt = 0, pm = 0, pv = 0, pg = 0, px = 0]] = copyIn(vMax ? [theta, m, v, g, vMax] : [theta, m, v, g]);
  const kernel = theta instanceof Float64Array ? wasm.adamF64 : wasm.adamF32;
  kernel(theta.length, pt, pg, pm, pv, px, vMax ? 1 : 0, beta1, beta2, eps, decay, l2, stepSize, bc2Sqrt);
  if (vMax) copyOut([theta, m, v, vMax], [pt, pm, pv, px]);
  else copyOut([theta, m, v], [pt, pm, pv]);
}
