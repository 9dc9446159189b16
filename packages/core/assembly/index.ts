// The WebAssembly kernels' entry: every export of the module (see CONTRIBUTING.md, "WebAssembly").
export * from './gemm';
export * from './optim';
export * from './elementwise';
export * from './conv';
export * from './transcendental';
export * from './recurrent';
