// @chainrule/nn: the public surface. Only what is re-exported here is public.
// biome-ignore-all assist/source/organizeImports: exports are grouped by area, each group sorted
/**
 * Modules, layers, losses, optimizers, initialisers and safetensors, on top of `@chainrule/core`.
 * @module @chainrule/nn
 */

// Modules, layers and losses
export { GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from './layers/activations';
export { Dropout } from './layers/dropout';
export { Linear, type LinearOptions } from './layers/linear';
export { type Activation, MLP, type MLPOptions, type OutputActivation } from './layers/mlp';
export { BatchNorm1d, LayerNorm, type NormOptions } from './layers/norm';
export { Sequential } from './layers/sequential';
export {
  bceLoss,
  bceWithLogitsLoss,
  crossEntropyLoss,
  huberLoss,
  l1Loss,
  type LossOptions,
  mseLoss,
  nllLoss,
} from './losses';
export { Module } from './module';

// Optimizers, initialisers and serialization
export {
  calculateFans,
  calculateGain,
  type KaimingOptions,
  kaimingNormal,
  kaimingUniform,
  type Nonlinearity,
  type XavierOptions,
  xavierNormal,
  xavierUniform,
} from './init';
export { Adam, type AdamOptions, type AdamState } from './optim/adam';
export { AdamW, type AdamWOptions } from './optim/adamw';
export { Optimizer } from './optim/optimizer';
export { RMSprop, type RMSpropOptions, type RMSpropState } from './optim/rmsprop';
export { SGD, type SGDOptions, type SGDState } from './optim/sgd';
export { loadSafetensors, loadSafetensorsWithMetadata, saveSafetensors } from './safetensors';
