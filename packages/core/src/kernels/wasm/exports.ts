// kernels/wasm: the TypeScript view of the WebAssembly JS API and of the functions the module
// (assembly/) exports, for the loader (runtime.ts) and the wrappers that call them.

/** The functions exported by assembly/ (addresses in bytes, flags 0 or 1). */
export interface WasmKernels {
  gemmF32: GemmKernel;
  gemmF64: GemmKernel;
  gemmBatchF32: GemmBatchKernel;
  gemmBatchF64: GemmBatchKernel;
  workBytes(n: number, elementSize: number): number;
  sgdF32: SgdKernel;
  sgdF64: SgdKernel;
  sgdMomentumF32: SgdMomentumKernel;
  sgdMomentumF64: SgdMomentumKernel;
  adamF32: AdamKernel;
  adamF64: AdamKernel;
  reluF32(n: number, x: number, y: number): void;
  reluF64(n: number, x: number, y: number): void;
  reluBackwardF32(n: number, x: number, gy: number, gx: number, accumulate: number): void;
  reluBackwardF64(n: number, x: number, gy: number, gx: number, accumulate: number): void;
  fillRowsF32(rows: number, n: number, v: number, c: number): void;
  fillRowsF64(rows: number, n: number, v: number, c: number): void;
  sumRowsF32(rows: number, n: number, x: number, out: number, accumulate: number): void;
  sumRowsF64(rows: number, n: number, x: number, out: number, accumulate: number): void;
  addChannelBiasF32(batch: number, channels: number, inner: number, bias: number, y: number): void;
  addChannelBiasF64(batch: number, channels: number, inner: number, bias: number, y: number): void;
  sumChannelsF32(batch: number, channels: number, inner: number, gy: number, gb: number, accumulate: number): void;
  sumChannelsF64(batch: number, channels: number, inner: number, gy: number, gb: number, accumulate: number): void;
  maxPoolF32: MaxPoolKernel;
  maxPoolF64: MaxPoolKernel;
  /** assembly/conv.ts maxPool2x2F32: a 2×2 stride-2 pool without padding, then x, y and arg (byte addresses). */
  maxPool2x2F32(
    planes: number,
    inH: number,
    inW: number,
    outH: number,
    outW: number,
    x: number,
    y: number,
    arg: number,
  ): void;
  maxPoolBackwardF32(n: number, arg: number, gy: number, gx: number): void;
  maxPoolBackwardF64(n: number, arg: number, gy: number, gx: number): void;
  convForwardF32: ConvForwardKernel;
  convForwardF64: ConvForwardKernel;
  convBackwardF32: ConvBackwardKernel;
  convBackwardF64: ConvBackwardKernel;
  geluF32(n: number, x: number, y: number): void;
  sigmoidF32(n: number, x: number, y: number): void;
  tanhF32(n: number, x: number, y: number): void;
  geluBackwardF32(n: number, x: number, gy: number, gx: number): void;
  lstmCellF32(
    rows: number,
    hidden: number,
    gi: number,
    gh: number,
    c: number,
    act: number,
    cNext: number,
    h: number,
  ): void;
}

/** assembly/conv.ts convBackward: like convForward, with gy, gw and gx (0: not wanted) addresses. */
export type ConvBackwardKernel = (
  n0: number,
  n1: number,
  groups: number,
  inPerGroup: number,
  inSize: number,
  outPerGroup: number,
  outSize: number,
  kSize: number,
  x: number,
  index: number,
  w: number,
  gy: number,
  gw: number,
  gx: number,
  cols: number,
  work: number,
) => void;

/** assembly/conv.ts convForward: images n0 … n1−1, a conv plan's sizes, then byte addresses. */
export type ConvForwardKernel = (
  n0: number,
  n1: number,
  groups: number,
  inPerGroup: number,
  inSize: number,
  outPerGroup: number,
  outSize: number,
  kSize: number,
  x: number,
  index: number,
  w: number,
  y: number,
  cols: number,
  work: number,
) => void;

/** assembly/conv.ts maxPool: a pool plan's sizes and index map, then x, y and arg (byte addresses). */
type MaxPoolKernel = (
  planes: number,
  inSize: number,
  outSize: number,
  kSize: number,
  index: number,
  x: number,
  y: number,
  arg: number,
) => void;

/** assembly/gemm.ts gemm: C[m×n] (+)= op(A)·op(B) with leading dimensions (in elements). */
type GemmKernel = (
  m: number,
  n: number,
  k: number,
  a: number,
  lda: number,
  tA: number,
  b: number,
  ldb: number,
  tB: number,
  c: number,
  ldc: number,
  acc: number,
  work: number,
) => void;
/** assembly/gemm.ts gemmBatch: `count` products at the (A, B, C) offset triples stored at `offs`. */
type GemmBatchKernel = (
  m: number,
  n: number,
  k: number,
  count: number,
  a: number,
  tA: number,
  b: number,
  tB: number,
  c: number,
  acc: number,
  offs: number,
  work: number,
) => void;

/** assembly/optim.ts: n elements at byte addresses; flags 0 or 1. */
type SgdKernel = (n: number, theta: number, g: number, lr: number, weightDecay: number) => void;
type SgdMomentumKernel = (
  n: number,
  theta: number,
  g: number,
  buf: number,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: number,
  first: number,
) => void;
type AdamKernel = (
  n: number,
  theta: number,
  g: number,
  m: number,
  v: number,
  vMax: number,
  amsgrad: number,
  beta1: number,
  beta2: number,
  eps: number,
  decay: number,
  l2: number,
  stepSize: number,
  bc2Sqrt: number,
) => void;

/**
 * The parts of the WebAssembly JS API used here, typed locally: core compiles against ES2022 only
 * (no DOM or Node types), and runs wherever these globals exist.
 */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export type WasmModule = { readonly __brand: 'WebAssembly.Module' };
