// kernels/wasm: loads the embedded WebAssembly kernels, picks the kernel set, and owns the
// WebAssembly memory the kernels work in. Operands are copied in and results out per call, so
// tensors stay ordinary garbage-collected typed arrays.
import { ChainruleError } from '../../errors';
import { relaxedSimd, simd128 } from './binary';

/** The functions exported by assembly/gemm.ts (addresses in bytes, flags 0 or 1). */
export interface WasmKernels {
  gemmF32(
    m: number,
    n: number,
    k: number,
    a: number,
    tA: number,
    b: number,
    tB: number,
    c: number,
    acc: number,
    work: number,
  ): void;
  gemmF64(
    m: number,
    n: number,
    k: number,
    a: number,
    tA: number,
    b: number,
    tB: number,
    c: number,
    acc: number,
    work: number,
  ): void;
  gemmBatchF32(
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
  ): void;
  gemmBatchF64(
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
  ): void;
  workBytes(n: number, elementSize: number): number;
}

/** Which kernels run: the TypeScript ones, or one of the two WebAssembly builds. */
export type KernelBackend = 'ts' | 'wasm-simd128' | 'wasm-relaxed-simd';

/**
 * The parts of the WebAssembly JS API used here, typed locally: core compiles against ES2022 only
 * (no DOM or Node types), and runs wherever these globals exist.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
type WasmModule = { readonly __brand: 'WebAssembly.Module' };
const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
const atob = (globalThis as unknown as { atob?: (s: string) => string }).atob;

function decode(base64: string): Uint8Array {
  if (!atob) return new Uint8Array(0);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

type WasmBuild = Exclude<KernelBackend, 'ts'>;
const BUILDS: Record<WasmBuild, string> = { 'wasm-relaxed-simd': relaxedSimd, 'wasm-simd128': simd128 };

/** The bytes of `name` if this engine validates them (now: a V8 flag may have changed since import). */
function validBuild(name: WasmBuild): Uint8Array | null {
  if (!api) return null;
  const bytes = decode(BUILDS[name]);
  return api.validate(bytes) ? bytes : null;
}

/** The build this engine validates: relaxed SIMD first (fused multiply-add), then SIMD128. */
function pickBuild(): { bytes: Uint8Array; name: WasmBuild } | null {
  for (const name of ['wasm-relaxed-simd', 'wasm-simd128'] as const) {
    const bytes = validBuild(name);
    if (bytes) return { bytes, name };
  }
  return null;
}

const PAGE = 65536;
/** Reserved up front; enough for every gemm of a 784-512-512-10 MLP at batch 256. */
const INITIAL_BYTES = 8 * 1024 * 1024;

// Loaded on first use, not at import, so that a bundle which never multiplies matrices (one that
// imports only Value) keeps none of this module.
let started = false;
let build: { bytes: Uint8Array; name: WasmBuild } | null = null;
let compiled: WasmModule | null = null;
let instance: WasmKernels | null = null;
let capacity = 0;
let f32 = /* @__PURE__ */ new Float32Array(0);
let f64 = /* @__PURE__ */ new Float64Array(0);
let i32 = /* @__PURE__ */ new Int32Array(0);
let preferred: 'ts' | 'wasm' = 'wasm';

/** Compiles `next` synchronously and makes it the build in use, with a fresh memory. */
function switchBuild(next: { bytes: Uint8Array; name: WasmBuild }): void {
  if (!api) return;
  compiled = new api.Module(next.bytes);
  build = next;
  instance = null;
  capacity = 0;
  reserve(0);
}

/**
 * Makes `bytes` of WebAssembly memory available and returns the kernels working in it.
 *
 * Memory is never grown: `Memory.grow()` detaches the old ArrayBuffer, and once any buffer in the
 * process has been detached V8 drops a fast path and every typed-array loop runs slower for the
 * rest of the process. A call that needs more than the current memory instead gets a fresh
 * `Memory` (at least twice the size) with its own instance of the compiled module; the old pair
 * is left to the garbage collector. A training loop reaches its largest gemm in the first step,
 * so the steady state never replaces memory.
 */
export function reserve(bytes: number): WasmKernels {
  if (!compiled || !api) throw new ChainruleError('gemm: the WebAssembly kernels are not loaded');
  if (instance && bytes <= capacity) return instance;
  // 65536 pages is the 4 GiB of 32-bit addresses
  const pages = Math.min(Math.ceil(Math.max(bytes, 2 * capacity, INITIAL_BYTES) / PAGE), 65536);
  const memory = new api.Memory({ initial: pages });
  instance = new api.Instance(compiled, { env: { memory } }).exports as WasmKernels;
  capacity = pages * PAGE;
  f32 = new Float32Array(memory.buffer);
  f64 = new Float64Array(memory.buffer);
  i32 = new Int32Array(memory.buffer);
  return instance;
}

/** Views of the current WebAssembly memory (valid until the next `reserve` that replaces it). */
export function heapF32(): Float32Array {
  return f32;
}
export function heapF64(): Float64Array {
  return f64;
}
export function heapI32(): Int32Array {
  return i32;
}
/** Bytes of WebAssembly memory currently held by the kernels. */
export function wasmMemoryBytes(): number {
  return capacity;
}

let loading: Promise<void> = Promise.resolve();

/** Picks and compiles a build, once: synchronously where the engine allows, else in the background. */
function load(): void {
  if (started) return;
  started = true;
  build = pickBuild();
  if (!build || !api) return;
  try {
    // synchronous compile: the module is a few KiB, under every engine's main-thread limit, so
    // in Node and in most pages the fast kernels serve the first call
    compiled = new api.Module(build.bytes);
    reserve(0);
  } catch {
    const bytes = build.bytes;
    loading = api.compile(bytes).then(
      (m) => {
        compiled = m;
        reserve(0);
      },
      () => undefined,
    );
  }
}

/** True when gemm and friends should take the WebAssembly path. */
export function useWasm(): boolean {
  load();
  return preferred === 'wasm' && instance !== null;
}

/**
 * Chooses the kernel implementation: `'wasm'` (the default: WebAssembly SIMD, relaxed SIMD where
 * the engine has it, falling back to TypeScript where it has no SIMD), `'ts'` (the TypeScript
 * reference kernels), or one WebAssembly build by name. Results agree to rounding; the choice
 * exists for tests, debugging and comparisons.
 * @throws ChainruleError if `kind` is none of these, or names WebAssembly that this engine does
 * not validate (nothing changes then).
 * @example
 * setKernels('ts'); // every kernel runs in TypeScript from now on
 * setKernels('wasm-simd128'); // the plain-SIMD build even where relaxed SIMD is available
 */
export function setKernels(kind: 'ts' | 'wasm' | WasmBuild): void {
  load();
  if (kind === 'ts') {
    preferred = 'ts';
    return;
  }
  if (kind !== 'wasm' && !Object.hasOwn(BUILDS, kind)) {
    throw new ChainruleError(
      `setKernels: expected 'ts', 'wasm', 'wasm-simd128' or 'wasm-relaxed-simd', got ${JSON.stringify(kind)}`,
    );
  }
  let next: { bytes: Uint8Array; name: WasmBuild } | null;
  if (kind === 'wasm') next = pickBuild();
  else {
    const bytes = validBuild(kind);
    next = bytes && { bytes, name: kind };
  }
  if (!next) {
    throw new ChainruleError(`setKernels: '${kind}' needs WebAssembly features this engine does not validate`);
  }
  if (next.name !== build?.name || !compiled) switchBuild(next);
  preferred = 'wasm';
}

/** The kernels in use now: `'ts'`, `'wasm-simd128'` or `'wasm-relaxed-simd'`. */
export function kernelBackend(): KernelBackend {
  return useWasm() && build ? build.name : 'ts';
}

/**
 * Resolves once the WebAssembly kernels are loaded (or known to be unavailable). In Node they are
 * ready at the first kernel call (or this call); where an engine refuses to compile synchronously (a browser's main thread may),
 * the TypeScript kernels serve until this resolves.
 */
export function kernelsReady(): Promise<void> {
  load();
  return loading;
}
