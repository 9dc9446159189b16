// kernels/wasm: loads the embedded WebAssembly kernels, picks the kernel set, and owns the
// WebAssembly memory the kernels work in (in Node, the worker threads of pool.ts share it).
// Operands are copied in and results out per call, so tensors stay ordinary garbage-collected
// typed arrays.
import { ChainruleError } from '../../errors';
import { relaxedSimd, simd128 } from './binary';
import type { WasmApi, WasmKernels, WasmMemory, WasmModule } from './exports';
import { withSharedMemory } from './shared';

/** Which kernels run: the TypeScript ones, or one of the two WebAssembly builds. */
export type KernelBackend = 'ts' | 'wasm-simd128' | 'wasm-relaxed-simd';

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
interface Build {
  bytes: Uint8Array;
  name: WasmBuild;
  /** Whether the module imports a shared memory (Node: worker threads may then join in). */
  shared: boolean;
}

/**
 * Whether worker threads can share the kernels' memory: Node (whose main thread may block in
 * Atomics.wait) with SharedArrayBuffer. A browser page stays on one thread.
 */
export function threadsPossible(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions;
  return typeof SharedArrayBuffer === 'function' && typeof versions?.node === 'string';
}

/** `name`, shared where threads are possible, if this engine validates it (a V8 flag may have changed since import). */
function validBuild(name: WasmBuild): Build | null {
  if (!api) return null;
  const plain = decode(BUILDS[name]);
  const shared = threadsPossible() ? withSharedMemory(plain, MAX_PAGES) : null;
  if (shared && api.validate(shared)) return { bytes: shared, name, shared: true };
  return api.validate(plain) ? { bytes: plain, name, shared: false } : null;
}

/** The build this engine validates: relaxed SIMD first (fused multiply-add), then SIMD128. */
function pickBuild(): Build | null {
  for (const name of ['wasm-relaxed-simd', 'wasm-simd128'] as const) {
    const b = validBuild(name);
    if (b) return b;
  }
  return null;
}

const PAGE = 65536;
/** 65536 pages are the 4 GiB of 32-bit addresses. */
const MAX_PAGES = 65536;
/** Reserved up front; enough for every gemm of a 784-512-512-10 MLP at batch 256. */
const INITIAL_BYTES = 8 * 1024 * 1024;
/**
 * Operand bytes above which a kernel stays in TypeScript (the dispatchers check `fitsWasm`): with
 * the scratch areas on top, every address stays below MEMORY_MAX_BYTES.
 */
export const WASM_MAX_BYTES = 2 ** 30;
/**
 * The most a call may lay out in WebAssembly memory: addresses stay below 2³¹, as the kernels'
 * signed 32-bit index arithmetic needs. `reserve` throws a named error past it, never truncates.
 */
export const MEMORY_MAX_BYTES = 2 ** 31;
/**
 * The most the resident memory grows to. A call that needs more gets a memory of its own, given
 * back as soon as the next call starts (on the calling thread only), so that one huge convolution
 * does not keep its gigabyte for the life of the process.
 */
export const RESIDENT_MAX_BYTES = 2 ** 28;

/** Whether a call whose operands take `bytes` may take the WebAssembly kernels. */
export function fitsWasm(bytes: number): boolean {
  return bytes <= WASM_MAX_BYTES;
}

// Loaded on first use, not at import, so that a bundle which never multiplies matrices (one that
// imports only Value) keeps none of this module.
let started = false;
let build: Build | null = null;
let compiled: WasmModule | null = null;
/** The resident memory and its instance (the worker threads share this memory). */
let memory: WasmMemory | null = null;
let instance: WasmKernels | null = null;
let capacity = 0;
/** The memory of the current oversized call, if any (see RESIDENT_MAX_BYTES). */
let oversized: { memory: WasmMemory; kernels: WasmKernels } | null = null;
let f32 = /* @__PURE__ */ new Float32Array(0);
let f64 = /* @__PURE__ */ new Float64Array(0);
let i32 = /* @__PURE__ */ new Int32Array(0);
let preferred: 'ts' | 'wasm' = 'wasm';

/** The worker pool on the resident memory (pool.ts sets it): `reserve` lets its last job end first, a new build stops it. */
let sharer: { quiesce(): void; stop(): void } | null = null;
export function setMemorySharer(s: typeof sharer): void {
  sharer = s;
}

/** Compiles `next` synchronously and makes it the build in use, with a fresh memory. */
function switchBuild(next: Build): void {
  sharer?.stop();
  if (compileNow(next) || !next.shared) return;
  compileNow({ ...next, bytes: decode(BUILDS[next.name]), shared: false });
}

/** Re-creates the typed-array views after the memory changed. */
function refreshViews(buffer: ArrayBuffer): void {
  f32 = new Float32Array(buffer);
  f64 = new Float64Array(buffer);
  i32 = new Int32Array(buffer);
}

/** A memory of `pages` pages that the compiled module accepts (shared for a shared build). */
function newMemory(pages: number, maximum: number): WasmMemory {
  if (!api || !build) throw new ChainruleError('kernels: the WebAssembly kernels are not loaded');
  return build.shared ? new api.Memory({ initial: pages, maximum, shared: true }) : new api.Memory({ initial: pages });
}

/**
 * Makes `bytes` of WebAssembly memory available and returns the kernels working in it. Every
 * WebAssembly kernel call starts here, before it writes to memory: the worker threads' last job
 * is closed and awaited first (threads.ts `quiesce`), whatever became of the call that posted it.
 *
 * A plain memory is never grown: `Memory.grow()` detaches its old ArrayBuffer, and once any buffer
 * in the process has been detached V8 drops a fast path and every typed-array loop runs slower for
 * the rest of the process. A call that needs more than the current memory instead gets a fresh
 * `Memory` (at least twice the size) with its own instance of the compiled module; the old pair
 * is left to the garbage collector. A shared memory (Node, for worker threads) grows in place,
 * which detaches nothing: a SharedArrayBuffer keeps its old length and gets a longer successor.
 * A training loop reaches its largest gemm in the first step, so the steady state never changes
 * memory. A call over RESIDENT_MAX_BYTES gets a memory of its own, dropped at the next call.
 * @throws ChainruleError if `bytes` is over MEMORY_MAX_BYTES (the dispatchers never ask for that).
 */
export function reserve(bytes: number): WasmKernels {
  if (!compiled || !api || !build) throw new ChainruleError('kernels: the WebAssembly kernels are not loaded');
  sharer?.quiesce();
  if (bytes > MEMORY_MAX_BYTES) {
    throw new ChainruleError(
      `kernels: a WebAssembly call needs ${bytes} bytes of memory, over the ${MEMORY_MAX_BYTES} the kernels address`,
    );
  }
  if (bytes > RESIDENT_MAX_BYTES) {
    const pages = Math.ceil(bytes / PAGE);
    const own = newMemory(pages, pages);
    oversized = { memory: own, kernels: new api.Instance(compiled, { env: { memory: own } }).exports as WasmKernels };
    refreshViews(own.buffer);
    return oversized.kernels;
  }
  if (oversized) {
    oversized = null;
    if (memory) refreshViews(memory.buffer);
  }
  if (instance && bytes <= capacity) return instance;
  const want = Math.max(bytes, Math.min(2 * capacity, RESIDENT_MAX_BYTES), INITIAL_BYTES);
  const pages = Math.min(Math.ceil(want / PAGE), MAX_PAGES);
  if (instance && memory && build.shared) {
    memory.grow(pages - capacity / PAGE);
  } else {
    memory = newMemory(pages, MAX_PAGES);
    instance = new api.Instance(compiled, { env: { memory } }).exports as WasmKernels;
  }
  capacity = pages * PAGE;
  refreshViews(memory.buffer);
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
/** Bytes of WebAssembly memory currently held by the kernels (the resident memory, and an oversized call's own). */
export function wasmMemoryBytes(): number {
  return capacity + (oversized ? oversized.memory.buffer.byteLength : 0);
}

let loading: Promise<void> = /* @__PURE__ */ Promise.resolve();

/** Makes `b` the build in use, compiled synchronously with a fresh memory; false if the engine refuses. */
function compileNow(b: Build): boolean {
  if (!api) return false;
  try {
    compiled = new api.Module(b.bytes);
    build = b;
    dropMemory();
    reserve(0);
    return true;
  } catch {
    compiled = null;
    return false;
  }
}

/** Picks and compiles a build, once: synchronously where the engine allows, else in the background. */
function load(): void {
  if (started) return;
  started = true;
  const picked = pickBuild();
  if (!picked || !api) return;
  // synchronous compile: the module is a few KiB, under every engine's main-thread limit, so in
  // Node and in most pages the fast kernels serve the first call
  if (compileNow(picked)) return;
  // an engine that validates the shared build but will not create a shared memory
  const plain: Build = { ...picked, bytes: decode(BUILDS[picked.name]), shared: false };
  if (picked.shared && compileNow(plain)) return;
  build = plain;
  loading = api.compile(plain.bytes).then(
    (m) => {
      compiled = m;
      reserve(0);
    },
    () => undefined,
  );
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
  const next = kind === 'wasm' ? pickBuild() : validBuild(kind);
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
 * Resolves once the WebAssembly kernels are loaded (or known to be unavailable), with a memory
 * (one dropped after a failed pool is made again). pool.ts `kernelsReady` adds the threads.
 */
export function memoryReady(): Promise<void> {
  load();
  return loading.then(() => {
    if (compiled && !memory) reserve(0);
  });
}

/** Drops the memory (and any oversized one): the next `reserve` makes a fresh one. */
export function dropMemory(): void {
  memory = null;
  instance = null;
  capacity = 0;
  oversized = null;
}

/** The compiled module and the resident memory, where worker threads may share them (a shared build); else null. */
export function sharedMemory(): { module: WasmModule; memory: WasmMemory } | null {
  return build?.shared && compiled && memory ? { module: compiled, memory } : null;
}

/** Whether the current call works in a memory of its own (see RESIDENT_MAX_BYTES), where no worker can join. */
export function inOversized(): boolean {
  return oversized !== null;
}
