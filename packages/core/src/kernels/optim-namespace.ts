// The optimizer updates as one object for the package's main entry (see index.ts), built in a pure
// expression so that a bundle which does not use it drops it and the kernels behind it.
import { adam, adamTs, rmsprop, sgd, sgdMomentum, sgdMomentumTs, sgdTs, WASM_MIN_UPDATE } from './optim';

/**
 * The optimizers' in-place update loops (SGD, SGD with momentum, Adam/AdamW, RMSprop) on flat
 * typed arrays, in WebAssembly SIMD for float arrays of WASM_MIN_UPDATE elements and more (the
 * `…Ts` versions always in TypeScript): what @chainrule/nn's optimizers call, exported for custom
 * optimizers. Same kernel choice as every other kernel (setKernels).
 */
export const optimKernels = /* @__PURE__ */ Object.freeze({
  sgd,
  sgdTs,
  sgdMomentum,
  sgdMomentumTs,
  adam,
  adamTs,
  rmsprop,
  WASM_MIN_UPDATE,
});
