// Kernels: the hot loops of the tensor graph, as plain functions on typed arrays. No graph code,
// no allocation inside loops, no callbacks. Forward kernels overwrite `out`; backward kernels add
// into `g*`. In these files the loop bounds guarantee every index, hence the `!` after reads.
/** The storage of a tensor: a Float32Array or a Float64Array, contiguous and row-major. */
export type Buf = Float32Array | Float64Array;

export * from './binary';
export * from './gemm';
export * from './loss';
export * from './movement';
export * from './reduce';
export * from './softmax';
export * from './unary';
