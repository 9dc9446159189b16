// kernels/wasm: the protocol between the calling thread and the kernel worker threads
// (threads.ts): the layout of the shared control array, the kernels a worker may run, and the
// worker's own side, the source each worker thread evaluates. Everything a worker and the caller
// agree on is here; threads.ts is the caller's side.

/** Slots of the control array (Int32Array over a SharedArrayBuffer). */
export const JOB = 0; // job number, bumped by the caller when a job is posted (workers wait on it)
export const NEXT = 1; // the next part to claim (Atomics.add); CLOSED once the job may not be claimed any more
export const PARTS = 2; // how many parts the job has
export const ACTIVE = 3; // workers between their first claim attempt and the end of their last part
export const KERNEL = 4; // which export runs: an index into THREAD_KERNELS
export const ARGC = 5; // how many arguments it takes
export const STRIDE = 6; // bytes between two threads' scratch areas
export const SHIFTED = 7; // bit i set: argument i is a scratch address, moved by slot · STRIDE
export const SPIN = 8; // microseconds a worker spins for the next job after this one, before it sleeps
export const READY = 16; // READY + slot: 1 once worker `slot` has instantiated the module
export const DEAD = 16 + 64; // DEAD + slot: 1 once worker `slot` has stopped
export const STATUS = 16 + 128; // STATUS + part: 0 pending, 1 done, 2 threw
/** Parts a job may have, and arguments a kernel may take. */
export const MAX_PARTS = 64;
export const MAX_ARGS = 16;
export const ARGS = STATUS + MAX_PARTS; // ARGS + part · MAX_ARGS + i: argument i of part `part`
export const CONTROL_INTS = ARGS + MAX_PARTS * MAX_ARGS;
export const CLOSED = 2 ** 30;

/** The exports a worker can run (assembly/), by index. */
export const THREAD_KERNELS = [
  'gemmF32',
  'gemmF64',
  'convForwardF32',
  'convForwardF64',
  'convBackwardF32',
  'convBackwardF64',
] as const;
export type ThreadKernel = (typeof THREAD_KERNELS)[number];

/**
 * Microseconds a worker spins for the next job after a job before it sleeps in Atomics.wait. Short:
 * a spinning worker takes a core from whatever else runs (the caller's own elementwise work, other
 * processes). Longer spins gain nothing: at 500 µs and 2 ms the 784-512-512-10 MLP step on two
 * threads took the same time (18.4–18.9 ms) with 5–12 % more CPU, and the worker still missed as
 * many jobs (2–4 %): it misses them when it is descheduled, not asleep (`wake` covers the sleep).
 */
export const WORKER_SPIN_US = 50;
/**
 * Microseconds a worker spins after `wake`: long enough for the caller to copy a product's operands
 * in and post it. A sleeping worker wakes slowly in a virtual machine (an idle vCPU halts): 85 µs
 * median and 115 µs at the 90th percentile on this project's 2-vCPU machine, milliseconds at worst,
 * so without `wake` it joined a 0.4 ms product late or not at all.
 */
export const WAKE_SPIN_US = 2000;
/** Milliseconds the caller spins for the parts in flight before it sleeps (1 ms at a time). */
export const CALLER_SPIN_MS = 0.05;

// The worker's side, run by `new Worker(source, { eval: true, execArgv: [] })`: CommonJS (execArgv
// is cleared so that a parent's --input-type=module does not apply), no imports but Node's.
export const workerSource = (): string => `
const { workerData } = require('node:worker_threads');
const { module, memory, control, slot } = workerData;
const ctl = new Int32Array(control);
const died = () => { Atomics.store(ctl, ${DEAD} + slot, 1); Atomics.notify(ctl, ${ACTIVE}); };
process.on('exit', died);
try {
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const names = ${JSON.stringify(THREAD_KERNELS)};
  Atomics.store(ctl, ${READY} + slot, 1);
  let seen = Atomics.load(ctl, ${JOB});
  for (;;) {
    const until = performance.now() + Atomics.load(ctl, ${SPIN}) / 1000;
    while (Atomics.load(ctl, ${JOB}) === seen) {
      if (performance.now() > until) Atomics.wait(ctl, ${JOB}, seen);
    }
    seen = Atomics.load(ctl, ${JOB});
    Atomics.add(ctl, ${ACTIVE}, 1);
    for (let p = Atomics.add(ctl, ${NEXT}, 1); p < ctl[${PARTS}]; p = Atomics.add(ctl, ${NEXT}, 1)) {
      const kernel = kernels[names[ctl[${KERNEL}]]];
      const at = ${ARGS} + p * ${MAX_ARGS};
      const shift = slot * ctl[${STRIDE}];
      const args = [];
      for (let i = 0; i < ctl[${ARGC}]; i++) args.push((ctl[at + i] >>> 0) + ((ctl[${SHIFTED}] >> i) & 1 ? shift : 0));
      let status = 1;
      try {
        kernel(...args);
      } catch {
        status = 2;
      }
      Atomics.store(ctl, ${STATUS} + p, status);
    }
    if (Atomics.sub(ctl, ${ACTIVE}, 1) === 1) Atomics.notify(ctl, ${ACTIVE});
  }
} catch (e) {
  died();
  throw e;
}
`;

/** What the pool uses of Node's `Worker` (typed here: core keeps Node's types out of its API). */
export interface NodeWorker {
  unref(): void;
  on(event: 'error' | 'exit', listener: () => void): void;
  terminate(): Promise<number>;
}
export type WorkerCtor = new (
  source: string,
  options: { eval: true; execArgv: string[]; workerData: unknown; stdin?: boolean },
) => NodeWorker;

/** A kernel's arguments for one part, e.g. gemm's (m, n, k, a, lda, tA, b, ldb, tB, c, ldc, acc, work). */
export type KernelArgs = readonly number[];

/** Where a part's per-thread scratch is: which arguments are scratch addresses, and the bytes between threads. */
export interface Scratch {
  readonly args: readonly number[];
  readonly stride: number;
}

/** A Node built-in module, loaded synchronously (process.getBuiltinModule, Node ≥ 20.16), or null. */
export function nodeBuiltin<T>(name: string): T | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return (proc?.getBuiltinModule?.(name) as T | undefined) ?? null;
  } catch {
    return null;
  }
}
