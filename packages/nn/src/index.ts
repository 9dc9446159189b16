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
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions, LayerNorm, type NormOptions } from './layers/norm';
export { Sequential } from './layers/sequential';
export {
  bceLoss,
  bceWithLogitsLoss,
  type CrossEntropyOptions,
  crossEntropyLoss,
  huberLoss,
  l1Loss,
  type LossOptions,
  mseLoss,
  type NllOptions,
  nllLoss,
} from './losses';
export { type ForwardHook, type ForwardPreHook, Module } from './module';
export { parameter } from './parameter';
// Layers for custom architectures: convolution, pooling, structure
export { Conv1d, Conv2d, type ConvLayerOptions } from './layers/conv';
export { Flatten, Identity } from './layers/flatten';
export { AvgPool2d, MaxPool2d } from './layers/pool';

// Optimizers, initialisers and serialization
export {
  calculateFans,
  calculateGain,
  constant,
  init,
  type KaimingOptions,
  kaimingNormal,
  kaimingUniform,
  type Nonlinearity,
  type NormalOptions,
  normal,
  type TruncNormalOptions,
  truncNormal,
  type UniformOptions,
  uniform,
  type XavierOptions,
  xavierNormal,
  xavierUniform,
} from './init';
export { Adam, type AdamGroup, type AdamOptions, type AdamState } from './optim/adam';
export { AdamW, type AdamWOptions } from './optim/adamw';
export {
  type NonFinitePolicy,
  Optimizer,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type Params,
} from './optim/optimizer';
export { RMSprop, type RMSpropGroup, type RMSpropOptions, type RMSpropState } from './optim/rmsprop';
export { SGD, type SGDGroup, type SGDOptions, type SGDState } from './optim/sgd';
export {
  loadSafetensors,
  loadSafetensorsWithMetadata,
  type SafetensorsLoadOptions,
  type SafetensorsSaveOptions,
  saveSafetensors,
} from './safetensors';

// Training toolkit: schedulers, clipping, data loading, checkpoints of nested state
export {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  LRScheduler,
  MultiStepLR,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type SchedulerStateDict,
  StepLR,
} from './optim/scheduler';
export { LambdaLR, type LrLambda, OneCycleLR, type OneCycleLROptions, SequentialLR } from './optim/cycle';
export { type ClipGradNormOptions, clipGradNorm, clipGradValue } from './clip';
export { type Batch, DataLoader, type DataLoaderOptions } from './data';
export { type PackableState, type PackedState, packState, STATE_METADATA_KEY, unpackState } from './state';
// Layers over the tensor vocabulary: embedding, recurrent, attention
export { Embedding, type EmbeddingOptions } from './layers/embedding';
export {
  type CellOptions,
  GRU,
  GRUCell,
  LSTM,
  LSTMCell,
  type RecurrentForwardOptions,
  type RecurrentOptions,
  RNN,
  type RNNOptions,
} from './layers/recurrent';
export {
  MultiheadAttention,
  type MultiheadAttentionForwardOptions,
  type MultiheadAttentionOptions,
} from './layers/attention';
