// Kernels: the hot loops of the tensor graph, as plain functions on typed arrays. No graph code,
// no allocation inside loops, no callbacks. Forward kernels overwrite `out`; backward kernels add
// into `g*`. In these files the loop bounds guarantee every index, hence the `!` after reads.
/** Storage of every dtype: float32, float64, int32 and bool (a Uint8Array of 0 and 1). */
export type Buf = Float32Array | Float64Array | Int32Array | Uint8Array;

export * from './binary';
export * from './conv';
export * from './convert';
export * from './dispatch';
export * from './gemm';
export * from './gemm-batched';
export * from './indexing';
export * from './loss';
export * from './movement';
export * from './norm';
export * from './optim';
export * from './recurrent';
export * from './reduce';
export * from './select';
export * from './softmax';
export * from './sort';
export * from './unary';
export { gemmBatchedWasm, gemmWasm, THREAD_MIN_FLOPS } from './wasm/gemm';
export { getNumThreads, kernelsReady, setNumThreads } from './wasm/pool';
export { heapF32, type KernelBackend, kernelBackend, setKernels, wasmMemoryBytes } from './wasm/runtime';
