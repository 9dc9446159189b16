// kernels/wasm: the worker-thread pool's life and policy (Node). How many threads a product may
// use (setNumThreads, the CPUs this process may use, what other processes leave free: load.ts),
// starting the pool (threads.ts) on the memory and module of runtime.ts, running a split kernel
// on it, and recomputing a call on the calling thread if the pool fails during it.
import { ChainruleError, show } from '../../errors';
import { type KernelArgs, nodeBuiltin, type Scratch, type ThreadKernel, type WorkerCtor } from './control';
import { type MachineLoad, nodeMachineLoad } from './load';
import {
  dropMemory,
  inOversized,
  type KernelBackend,
  kernelBackend,
  memoryReady,
  setMemorySharer,
  sharedMemory,
  threadsPossible,
  useWasm,
} from './runtime';
import { KernelThreads, startThreads, ThreadsFailed } from './threads';

let threads: KernelThreads | null = null;
let threadsStarted: Promise<void> = /* @__PURE__ */ Promise.resolve();
let starting = false;
/** Bumped whenever the pool is stopped, so that a pool still starting for an old module is discarded. */
let generation = 0;
let requested: number | null = null;
/** Why the pool was ended after a failure (threads stay off until setNumThreads), or null. */
let disabled: string | null = null;
let cpus: number | null = null;

/** Ends the pool, and discards one still starting: the next large product starts a fresh one. */
function stopThreads(): void {
  threads?.stop();
  threads = null;
  starting = false;
  generation++;
}

/** The pool as runtime.ts sees it: its last job ends before any kernel writes, and a new build stops it. */
const sharer = { quiesce: () => void threads?.quiesce(), stop: stopThreads };

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
  const shared = sharedMemory();
  if (starting || disabled || !shared || getNumThreads() < 2) return null;
  setMemorySharer(sharer);
  const workers = getNumThreads() - 1;
  threads = startThreads(shared.module, shared.memory, workers, threadsFailed);
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
  threadsStarted = (async () => {
    const spec = 'node:worker_threads'; // a variable: bundlers for the browser leave it alone
    try {
      const { Worker } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as { Worker: WorkerCtor };
      if (gen !== generation) return;
      threads = new KernelThreads(Worker, shared.module, shared.memory, workers, threadsFailed);
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
  const pool = share && parts > 1 && !inOversized() ? threads : null;
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

/**
 * Resolves once the WebAssembly kernels are loaded (or known to be unavailable) and, in Node, the
 * worker threads that share large products are up. Awaiting it is never needed for results:
 * in Node the kernels are ready at the first kernel call and the workers start at the first large
 * product, joining its parts once they are up, and results do not depend on how many threads
 * took part. Where an engine refuses to compile synchronously (a browser's main thread may), the
 * TypeScript kernels serve until this resolves.
 */
export function kernelsReady(): Promise<void> {
  return memoryReady().then(() => {
    threadPool();
    return threadsStarted;
  });
}
