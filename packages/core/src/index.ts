// @chainrule/core: the public surface. Only what is re-exported here is public.
/**
 * Reverse-mode autodiff: the scalar `Value` graph, the N-d `Tensor` graph, gradcheck, Rng and toDot.
 * @module @chainrule/core
 */
export { toDot } from './dot';
export { type GraphNode, runBackward, topoSort } from './engine';
export { ChainruleError, show } from './errors';
export { type FuncGradOptions, type FuncJacobianOptions, func } from './func';
export { type GradcheckOptions, type GradcheckReport, gradcheck, gradgradcheck } from './gradcheck';
export type { Buf } from './kernels/index';
export { optimKernels } from './kernels/optim-namespace';
export { getNumThreads, type KernelInfo, kernelInfo, kernelsReady, setNumThreads } from './kernels/wasm/pool';
export { type KernelBackend, kernelBackend, setKernels } from './kernels/wasm/runtime';
export { broadcastShape } from './plans/broadcast';
// Convolution and pooling (layers' functional forms)
export type {
  ConvOptions,
  ConvPadding,
  PoolOptions,
  SpatialArg,
} from './plans/conv';
export { Rng } from './rng';
export { type BackwardOptions, type GradOptions, grad } from './tensor/autograd';
export {
  arange,
  eye,
  type FactoryOptions,
  full,
  globalRng,
  linspace,
  manualSeed,
  oneHot,
  ones,
  type RandomOptions,
  rand,
  randn,
  type TensorData,
  type TensorOptions,
  type TypedArray,
  tensor,
  toLabels,
  zeros,
} from './tensor/create';
export { type CustomOpSpec, checkpoint, customOp } from './tensor/custom';
export { type DType, promote } from './tensor/dtype';
export { type AttentionOptions, scaledDotProductAttention } from './tensor/ops/attention';
export { add, div, mul, neg, pow, sub } from './tensor/ops/binary';
export { avgPool2d, conv1d, conv2d, maxPool2d } from './tensor/ops/conv';
export { to } from './tensor/ops/convert';
export {
  embedding,
  flip,
  gather,
  indexSelect,
  narrow,
  repeat,
  type SliceIndex,
  select,
  slice,
} from './tensor/ops/indexing';
export { cat, chunk, split, stack } from './tensor/ops/join';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits, huber } from './tensor/ops/loss';
export { linear, matmul } from './tensor/ops/matmul';
export {
  expand,
  flatten,
  permute,
  reshape,
  squeeze,
  transpose,
  tril,
  triu,
  unsqueeze,
} from './tensor/ops/movement';
export { type LayerNormOptions, layerNorm } from './tensor/ops/norm';
export { lstmCell } from './tensor/ops/recurrent';
export {
  argmax,
  argmin,
  cumsum,
  logsumexp,
  max,
  mean,
  min,
  std,
  sum,
  type VarianceOptions,
  variance,
} from './tensor/ops/reduce';
export { clamp, eq, ge, gt, le, lt, maskedFill, maximum, minimum, ne, where } from './tensor/ops/select';
export { crossEntropy, logSoftmax, softmax } from './tensor/ops/softmax';
export { argsort, maskedSelect, type SortOptions, sort, type TopkOptions, topk } from './tensor/ops/sort';
export {
  abs,
  cos,
  erf,
  exp,
  gelu,
  leakyRelu,
  log,
  relu,
  sigmoid,
  silu,
  sin,
  softplus,
  sqrt,
  square,
  tanh,
} from './tensor/ops/unary';
export {
  type MultinomialOptions,
  multinomial,
  randint,
  randperm,
  type SamplingOptions,
} from './tensor/random';
export { gradBuffer, gradTarget, isGradEnabled, noGrad, record, type Vjp } from './tensor/record';
export type { Reduction } from './tensor/reduction';
export { type NestedArray, Tensor, type TensorHook, type TensorLike } from './tensor/tensor';
export { Value, type ValueLike } from './value';
