// kernels/wasm: loads the embedded WebAssembly kernels, picks the kernel set, owns the
// WebAssembly memory the kernels work in, and (in Node) the worker threads that share it.
// Operands are copied in and results out per call, so tensors stay ordinary garbage-collected
// typed arrays.
import { ChainruleError, show } from '../../errors';
import { relaxedSimd, simd128 } from './binary';
import type { WasmApi, WasmKernels, WasmMemory, WasmModule } from './exports';
import { withSharedMemory } from './shared';
import { KernelThreads } from './threads';

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
function threadsPossible(): boolean {
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

// Loaded on first use, not at import, so that a bundle which never multiplies matrices (one that
// imports only Value) keeps none of this module.
let started = false;
let build: Build | null = null;
let compiled: WasmModule | null = null;
let memory: WasmMemory | null = null;
let instance: WasmKernels | null = null;
let capacity = 0;
let f32 = /* @__PURE__ */ new Float32Array(0);
let f64 = /* @__PURE__ */ new Float64Array(0);
let i32 = /* @__PURE__ */ new Int32Array(0);
let preferred: 'ts' | 'wasm' = 'wasm';

/** Compiles `next` synchronously and makes it the build in use, with a fresh memory. */
function switchBuild(next: Build): void {
  stopThreads();
  if (compileNow(next) || !next.shared) return;
  compileNow({ ...next, bytes: decode(BUILDS[next.name]), shared: false });
}

/** Re-creates the typed-array views after the memory changed. */
function refreshViews(buffer: ArrayBuffer): void {
  capacity = buffer.byteLength;
  f32 = new Float32Array(buffer);
  f64 = new Float64Array(buffer);
  i32 = new Int32Array(buffer);
}

/**
 * Makes `bytes` of WebAssembly memory available and returns the kernels working in it.
 *
 * A plain memory is never grown: `Memory.grow()` detaches its old ArrayBuffer, and once any buffer
 * in the process has been detached V8 drops a fast path and every typed-array loop runs slower for
 * the rest of the process. A call that needs more than the current memory instead gets a fresh
 * `Memory` (at least twice the size) with its own instance of the compiled module; the old pair
 * is left to the garbage collector. A shared memory (Node, for worker threads) grows in place,
 * which detaches nothing: a SharedArrayBuffer keeps its old length and gets a longer successor.
 * A training loop reaches its largest gemm in the first step, so the steady state never changes
 * memory.
 */
export function reserve(bytes: number): WasmKernels {
  if (!compiled || !api || !build) throw new ChainruleError('kernels: the WebAssembly kernels are not loaded');
  if (instance && bytes <= capacity) return instance;
  const pages = Math.min(Math.ceil(Math.max(bytes, 2 * capacity, INITIAL_BYTES) / PAGE), MAX_PAGES);
  if (instance && memory && build.shared) {
    memory.grow(pages - capacity / PAGE);
    refreshViews(memory.buffer);
    return instance;
  }
  memory = build.shared
    ? new api.Memory({ initial: pages, maximum: MAX_PAGES, shared: true })
    : new api.Memory({ initial: pages });
  instance = new api.Instance(compiled, { env: { memory } }).exports as WasmKernels;
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
/** Bytes of WebAssembly memory currently held by the kernels. */
export function wasmMemoryBytes(): number {
  return capacity;
}

let loading: Promise<void> = /* @__PURE__ */ Promise.resolve();

/** Makes `b` the build in use, compiled synchronously with a fresh memory; false if the engine refuses. */
function compileNow(b: Build): boolean {
  if (!api) return false;
  try {
    compiled = new api.Module(b.bytes);
    build = b;
    memory = null;
    instance = null;
    capacity = 0;
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
 * Resolves once the WebAssembly kernels are loaded (or known to be unavailable) and, in Node, the
 * worker threads that share large products have started. In Node the kernels themselves are ready
 * at the first kernel call (or this call), and products run on the calling thread until the workers
 * are up; where an engine refuses to compile synchronously (a browser's main thread may), the
 * TypeScript kernels serve until this resolves.
 */
export function kernelsReady(): Promise<void> {
  load();
  return loading.then(() => {
    threadPool();
    return threadsStarted;
  });
}

// ---- worker threads (Node): see threads.ts ----

let threads: KernelThreads | null = null;
let threadsStarted: Promise<void> = /* @__PURE__ */ Promise.resolve();
let starting = false;
/** Bumped whenever the pool is stopped, so that a pool still starting for an old module is discarded. */
let generation = 0;
let requested: number | null = null;
/** Threads used when none were requested: the cores (node:os availableParallelism), at most 4. */
let defaultThreads = 1;

function stopThreads(): void {
  threads?.stop();
  threads = null;
  starting = false;
  generation++;
}

/** Threads that share a large product, the calling thread included (see setNumThreads). */
export function getNumThreads(): number {
  return requested ?? defaultThreads;
}

/**
 * Sets how many threads share a large matrix product, the calling thread included, as
 * torch.set_num_threads does. The default is the machine's cores, at most 4, in Node; 1 elsewhere
 * (a browser page runs every kernel on its own thread). Products under THREAD_MIN_FLOPS
 * multiply-adds always run on the calling thread. Results do not depend on the count: each C
 * element is computed by one thread in the same order.
 * @throws ChainruleError unless `n` is an integer from 1 to 64 (nothing changes then).
 * @example
 * setNumThreads(1); // every kernel on the calling thread
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new ChainruleError(`setNumThreads: expected an integer from 1 to 64, got ${show(n)}`);
  }
  requested = n;
  if (!threads || threads.count !== n - 1) stopThreads();
}

/**
 * The worker pool for products that are large enough, or null while it is starting or where there
 * is none (one thread, no shared memory). The first call starts it in the background.
 */
export function threadPool(): KernelThreads | null {
  if (threads) return threads;
  if (starting || !build?.shared || !compiled || !memory) return null;
  starting = true;
  const gen = generation;
  const [module, mem] = [compiled, memory];
  threadsStarted = (async () => {
    const os = 'node:os'; // a variable: bundlers for the browser leave it alone
    try {
      const { availableParallelism } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ os)) as {
        availableParallelism(): number;
      };
      defaultThreads = Math.max(1, Math.min(4, availableParallelism()));
    } catch {
      defaultThreads = 1;
    }
    const workers = getNumThreads() - 1;
    if (workers < 1) return;
    const pool = await KernelThreads.start(module, mem, workers);
    if (gen !== generation) {
      pool?.stop();
      return;
    }
    threads = pool;
    // resolve once every worker has instantiated the module (or after 5 s: they then join when ready)
    for (let t = 0; pool && pool.ready() < workers && t < 5000; t++) await new Promise((r) => setTimeout(r, 1));
  })();
  return null;
}
