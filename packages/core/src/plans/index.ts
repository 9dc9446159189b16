// Plans: pure functions from shapes and arguments to plain data (numbers, Int32Arrays) that
// tell kernels where every element comes from. No tensors and no typed data live here.
export * from './broadcast';
export * from './conv';
export * from './indexing';
export * from './matmul';
export * from './movement';
export * from './reduce';
export * from './shape';
