// kernels/wasm: loads the embedded WebAssembly kernels, picks the kernel set, owns the
// WebAssembly memory the kernels work in, and (in Node) the worker threads that share it.
// Operands are copied in and results out per call, so tensors stay ordinary garbage-collected
// typed arrays.
import { ChainruleError, show } from '../../errors';
import { relaxedSimd, simd128 } from './binary';
import type { WasmApi, WasmKernels, WasmMemory, WasmModule } from './exports';
import { type MachineLoad, nodeMachineLoad } from './load';
import { withSharedMemory } from './shared';
import {
  type KernelArgs,
  KernelThreads,
  nodeBuiltin,
  type Scratch,
  startThreads,
  type ThreadKernel,
  ThreadsFailed,
  type WorkerCtor,
} from './threads';

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

/** Compiles `next` synchronously and makes it the build in use, with a fresh memory. */
function switchBuild(next: Build): void {
  stopThreads();
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
  threads?.quiesce();
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
 * Resolves once the WebAssembly kernels are loaded (or known to be unavailable) and, in Node, the
 * worker threads that share large products are up. Awaiting it is never needed for results:
 * in Node the kernels are ready at the first kernel call and the workers start at the first large
 * product, joining its parts once they are up, and results do not depend on how many threads
 * took part. Where an engine refuses to compile synchronously (a browser's main thread may), the
 * TypeScript kernels serve until this resolves.
 */
export function kernelsReady(): Promise<void> {
  load();
  return loading.then(() => {
    if (compiled && !memory) reserve(0); // a memory dropped after a failed pool
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
/** Why the pool was ended after a failure (threads stay off until setNumThreads), or null. */
let disabled: string | null = null;
let cpus: number | null = null;

/** Drops the memory (and any oversized one): the next `reserve` makes a fresh one. */
function dropMemory(): void {
  memory = null;
  instance = null;
  capacity = 0;
  oversized = null;
}

function stopThreads(): void {
  threads?.stop();
  threads = null;
  starting = false;
  generation++;
}

/**
 * A failed pool (threads.ts): threads go off until setNumThreads is called again, with one warning,
 * and the memory a lost worker might still write to is dropped.
 */
function threadsFailed(reason: string): void {
  disabled = reason;
  stopThreads();
  dropMemory();
  const message = `chainrule: kernel threads disabled, every kernel now runs on the calling thread (${reason})`;
  const proc = (globalThis as { process?: { emitWarning?: (m: string, type: string) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(message, 'ChainruleWarning');
  else console.warn(message);
}

/**
 * CPUs of a cgroup quota, from the text of cgroup v2's cpu.max ("max 100000", "150000 100000") or
 * of v1's cfs_quota_us and cfs_period_us joined by a space ("-1 100000"); null if there is none.
 * A fractional quota rounds down: a second thread on 1.5 CPUs would be throttled half the time.
 */
export function cgroupCpus(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/).map(Number);
  if (quota === undefined || period === undefined || !(quota > 0) || !(period > 0)) return null;
  return Math.max(1, Math.floor(quota / period));
}

/** The CPUs this process may use: the OS's available parallelism, capped by a cgroup CPU quota. */
function cpuCount(): number {
  if (cpus !== null) return cpus;
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  const fs = nodeBuiltin<{ readFileSync(path: string, encoding: 'utf8'): string }>('node:fs');
  let n = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  const read = (path: string) => {
    try {
      return fs?.readFileSync(path, 'utf8') ?? null;
    } catch {
      return null;
    }
  };
  const v1 = (dir: string) => {
    const quota = read(`${dir}/cpu.cfs_quota_us`);
    const period = read(`${dir}/cpu.cfs_period_us`);
    return quota && period ? `${quota} ${period}` : null;
  };
  const quota = read('/sys/fs/cgroup/cpu.max') ?? v1('/sys/fs/cgroup/cpu') ?? v1('/sys/fs/cgroup/cpu,cpuacct');
  const limit = quota ? cgroupCpus(quota) : null;
  if (limit !== null) n = Math.min(n, limit);
  cpus = Math.max(1, n);
  return cpus;
}

let machine: MachineLoad | null | undefined;

/**
 * The threads a product may use now, at most `wanted`: fewer while other processes keep the
 * machine's CPUs busy (load.ts), `wanted` where that cannot be read or the pool is not adaptive.
 */
export function threadsFree(wanted: number): number {
  if (wanted < 2 || !KernelThreads.adaptive) return wanted;
  if (machine === undefined) {
    const proc = (globalThis as { process?: { cpuUsage(): { user: number; system: number } } }).process;
    machine = nodeMachineLoad(nodeBuiltin('node:fs'), proc);
  }
  return machine ? machine.threads(wanted) : wanted;
}

/** Threads used when none were requested: in Node the CPUs this process may use, at most 4; 1 elsewhere. */
function defaultThreads(): number {
  return threadsPossible() ? Math.min(4, cpuCount()) : 1;
}

/** Threads that share a large product, the calling thread included (see setNumThreads). */
export function getNumThreads(): number {
  return requested ?? defaultThreads();
}

/**
 * Sets how many threads share a large matrix product or convolution, the calling thread included,
 * as torch.set_num_threads does. The default, in Node, is the CPUs this process may use (its
 * cgroup CPU quota included), at most 4; 1 elsewhere (a browser page runs every kernel on its own
 * thread). A product is split only where each thread gets enough work to pay for it. Results do
 * not depend on the count: each output element is summed in the same order whatever the split.
 * Calling it also re-enables threads after a failure disabled them.
 * @throws ChainruleError unless `n` is an integer from 1 to 64 (nothing changes then).
 * @example
 * setNumThreads(1); // every kernel on the calling thread
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new ChainruleError(`setNumThreads: expected an integer from 1 to 64, got ${show(n)}`);
  }
  requested = n;
  disabled = null;
  if (!threads || threads.count !== n - 1 || threads.failure() || threads.stopped()) stopThreads();
}

/**
 * The worker pool, or null where there is none (one thread, no shared memory, disabled after a
 * failure). The first call starts it: synchronously where Node can load its built-in modules
 * synchronously (the workers then join the jobs once they have instantiated the module), else in
 * the background.
 */
export function threadPool(): KernelThreads | null {
  if (threads) return threads;
  if (starting || disabled || !build?.shared || !compiled || !memory || getNumThreads() < 2) return null;
  const workers = getNumThreads() - 1;
  threads = startThreads(compiled, memory, workers, threadsFailed);
  if (threads) {
    const pool = threads;
    threadsStarted = (async () => {
      // resolve once every worker has instantiated the module (or after 5 s: they then join when ready)
      for (let t = 0; pool.ready() < workers && t < 5000 && !pool.failure(); t++) {
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    return threads;
  }
  // Node without process.getBuiltinModule (before 20.16): import worker_threads in the background
  starting = true;
  const gen = generation;
  const [module, mem] = [compiled, memory];
  threadsStarted = (async () => {
    const spec = 'node:worker_threads'; // a variable: bundlers for the browser leave it alone
    try {
      const { Worker } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as { Worker: WorkerCtor };
      if (gen !== generation) return;
      threads = new KernelThreads(Worker, module, mem, workers, threadsFailed);
      starting = false;
      for (let t = 0; threads.ready() < workers && t < 5000; t++) await new Promise((r) => setTimeout(r, 1));
    } catch {
      starting = false;
    }
  })();
  return null;
}

/**
 * Runs parts 0 … parts−1 of a split kernel: on the worker threads and the calling thread when the
 * pool is up and the call is in the resident memory, else one after another on the calling thread
 * (`here`, scratch slot 0), and so too when `share` is off (parts fixed for their summation order,
 * on a machine too busy for threads). Either way each part computes the same numbers.
 */
export function runSplit(
  kernel: ThreadKernel,
  parts: number,
  args: (part: number) => KernelArgs,
  here: (a: KernelArgs) => void,
  scratch: Scratch,
  share = true,
): void {
  const pool = share && parts > 1 && oversized === null ? threads : null;
  if (pool) pool.runParts(kernel, parts, args, here, scratch);
  else for (let p = 0; p < parts; p++) here(args(p));
}

/** Scratch slots a split call lays out: one per thread that may take a part. */
export function threadSlots(parts: number): number {
  return parts > 1 && threads ? threads.count + 1 : 1;
}

/**
 * Runs a WebAssembly call that may split across the threads; if the pool fails during it (a lost
 * worker: the pool is then disabled and the memory replaced), runs it again from its inputs on the
 * calling thread alone, which gives the same numbers.
 */
export function onThreads(call: () => void): void {
  try {
    call();
  } catch (e) {
    if (!(e instanceof ThreadsFailed)) throw e;
    call();
  }
}

/** What runs the kernels now: see `kernelInfo`. */
export interface KernelInfo {
  /** The kernels in use: 'ts', 'wasm-simd128' or 'wasm-relaxed-simd'. */
  backend: KernelBackend;
  /** Threads a large product may use, the calling thread included (setNumThreads, or the default). */
  numThreads: number;
  /** Threads running now, the calling thread included: 1 plus the workers that are up. */
  liveThreads: number;
  /** CPUs this process may use (available parallelism, capped by a cgroup CPU quota); 1 outside Node. */
  cpus: number;
  /** Why threads were disabled after a failure, or null. */
  threadsDisabled: string | null;
}

/**
 * What runs the kernels now: the backend, the thread count asked for and the threads actually
 * running, the CPUs this process may use, and why threads were disabled if they were.
 * @example
 * kernelInfo(); // { backend: 'wasm-relaxed-simd', numThreads: 2, liveThreads: 2, cpus: 2, threadsDisabled: null }
 */
export function kernelInfo(): KernelInfo {
  return {
    backend: kernelBackend(),
    numThreads: getNumThreads(),
    liveThreads: 1 + (threads && useWasm() ? threads.ready() : 0),
    cpus: threadsPossible() ? cpuCount() : 1,
    threadsDisabled: disabled,
  };
}
