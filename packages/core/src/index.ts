// @chainrule/core: the public surface. Only what is re-exported here is public.
export { toDot } from './dot';
export { type GraphNode, runBackward, topoSort } from './engine';
export { ChainruleError } from './errors';
export { type GradcheckOptions, type GradcheckReport, gradcheck } from './gradcheck';
export type { Buf } from './kernels/index';
export * as kernels from './kernels/index';
export { type KernelBackend, kernelBackend, kernelsReady, setKernels } from './kernels/wasm/runtime';
export { Rng } from './rng';
export {
  arange,
  type FactoryOptions,
  full,
  manualSeed,
  oneHot,
  ones,
  type RandomOptions,
  rand,
  randn,
  type TensorOptions,
  tensor,
  toLabels,
  zeros,
} from './tensor/create';
export { add, div, mul, neg, pow, sub } from './tensor/ops/binary';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits } from './tensor/ops/loss';
export { linear, matmul } from './tensor/ops/matmul';
export { flatten, reshape, transpose } from './tensor/ops/movement';
export { max, mean, sum } from './tensor/ops/reduce';
export { crossEntropy, logSoftmax, type Reduction, softmax } from './tensor/ops/softmax';
export { abs, exp, gelu, leakyRelu, log, relu, sigmoid, softplus, sqrt, tanh } from './tensor/ops/unary';
export { gradBuffer, isGradEnabled, noGrad, record } from './tensor/record';
export { broadcastShape } from './tensor/shape';
export { type DType, type NestedArray, Tensor, type TensorLike } from './tensor/tensor';
export { Value, type ValueLike } from './value';
