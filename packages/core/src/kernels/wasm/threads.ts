// kernels/wasm: worker threads for the WebAssembly kernels. In Node, a few workers instantiate the
// same compiled module on the same shared WebAssembly memory, so a large product is split into
// blocks of C (plans/matmul.ts `gemmSplit`), or a convolution into ranges of images, computed side
// by side with no copying: the calling thread posts each worker its part (a kernel and its integer
// arguments) through a small shared control array, computes the first part itself, then waits for
// the others. Workers start in the background on first use; until
// they report ready, every gemm runs on the calling thread. Browsers stay on one thread (a page's
// main thread may not block in Atomics.wait).

/** Slots of a worker's control array (Int32Array over a SharedArrayBuffer). */
const SEQ = 0; // job number, written by the caller
const DONE = 1; // the last job number finished, written by the worker
const READY = 2; // 1 once the worker has instantiated the module
const FAILED = 3; // 1 if the last job threw (the caller then computes that block itself)
const KERNEL = 4; // which export runs: an index into THREAD_KERNELS
const ARGC = 5; // how many arguments it takes
const ARGS = 6; // its arguments (non-negative integers: sizes, flags, byte addresses)
const SLOTS = 32;

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
 * Milliseconds a worker spins after a block before it blocks in Atomics.wait: a training step's
 * products follow each other within a fraction of this, and waking a blocked thread costs 10–40 µs.
 */
const SPIN_MS = 2;
/** Spins of the calling thread, waiting for the workers, between checks that they are alive. */
const SPINS = 50_000;

// The worker's side, run by `new Worker(source, { eval: true })`: CommonJS, no imports but Node's.
const workerSource = () => `
const { workerData } = require('node:worker_threads');
const { module, memory, control, index } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(control, index * ${SLOTS * 4}, ${SLOTS});
Atomics.store(ctl, ${READY}, 1);
let seen = 0;
for (;;) {
  const until = performance.now() + ${SPIN_MS};
  for (let spin = 1; Atomics.load(ctl, ${SEQ}) === seen; spin++) {
    if ((spin & 1023) === 0 && performance.now() > until) Atomics.wait(ctl, ${SEQ}, seen);
  }
  seen = Atomics.load(ctl, ${SEQ});
  const kernel = kernels[${JSON.stringify(THREAD_KERNELS)}[ctl[${KERNEL}]]];
  const args = Array.from(ctl.subarray(${ARGS}, ${ARGS} + ctl[${ARGC}]), (v) => v >>> 0);
  try {
    kernel(...args);
    Atomics.store(ctl, ${FAILED}, 0);
  } catch {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  Atomics.store(ctl, ${DONE}, seen);
  Atomics.notify(ctl, ${DONE});
}
`;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerCtor = new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;

/** A kernel's arguments for one part, e.g. gemm's (m, n, k, a, lda, tA, b, ldb, tB, c, ldc, acc, work). */
export type KernelArgs = readonly number[];

/** A pool of workers serving one compiled module and one shared memory. */
export class KernelThreads {
  private readonly workers: NodeWorker[] = [];
  private readonly control: Int32Array;
  private seq = 0;

  private constructor(
    Worker: WorkerCtor,
    module: unknown,
    memory: unknown,
    readonly count: number,
  ) {
    const buffer = new SharedArrayBuffer(count * SLOTS * 4);
    this.control = new Int32Array(buffer);
    for (let index = 0; index < count; index++) {
      const w = new Worker(workerSource(), { eval: true, workerData: { module, memory, control: buffer, index } });
      w.unref(); // an idle pool never keeps the process alive
      this.workers.push(w);
    }
  }

  /**
   * Starts `count` workers on `module` and `memory` where the engine has Node's worker threads,
   * else resolves to null.
   */
  static async start(module: unknown, memory: unknown, count: number): Promise<KernelThreads | null> {
    const spec = 'node:worker_threads'; // a variable: bundlers for the browser leave it alone
    try {
      const { Worker } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as { Worker: WorkerCtor };
      return new KernelThreads(Worker, module, memory, count);
    } catch {
      return null;
    }
  }

  /** How many workers have instantiated the module (they take the first blocks in order). */
  ready(): number {
    let n = 0;
    while (n < this.count && Atomics.load(this.control, n * SLOTS + READY) === 1) n++;
    return n;
  }

  /** Hands `kernel(...args)` to worker `w` (which must be ready and idle). */
  post(w: number, kernel: ThreadKernel, args: KernelArgs): void {
    const ctl = this.control.subarray(w * SLOTS, (w + 1) * SLOTS);
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i] as number;
    ctl[KERNEL] = THREAD_KERNELS.indexOf(kernel);
    ctl[ARGC] = args.length;
    Atomics.store(ctl, SEQ, this.seq + 1);
    Atomics.notify(ctl, SEQ);
  }

  /** Waits for the workers posted since the last call; true for each whose block failed. */
  finish(posted: number): boolean[] {
    this.seq++;
    const failed: boolean[] = [];
    for (let w = 0; w < posted; w++) {
      const ctl = this.control.subarray(w * SLOTS, (w + 1) * SLOTS);
      for (let spin = 0; Atomics.load(ctl, DONE) !== this.seq; spin++) {
        if (spin > SPINS) {
          Atomics.wait(ctl, DONE, this.seq - 1, 1);
          spin = 0;
        }
      }
      failed.push(Atomics.load(ctl, FAILED) === 1);
    }
    return failed;
  }

  /**
   * Runs part 0 of a split kernel with `here` (the calling thread's instance) and parts 1 … count−1
   * on workers 0 …, waits for them, and runs again with `here` any part whose worker failed (it
   * should not), so that the result is always whole.
   */
  runParts(
    kernel: ThreadKernel,
    count: number,
    args: (part: number) => KernelArgs,
    here: (a: KernelArgs) => void,
  ): void {
    for (let t = 1; t < count; t++) this.post(t - 1, kernel, args(t));
    here(args(0));
    this.finish(count - 1).forEach((failed, w) => {
      if (failed) here(args(w + 1));
    });
  }

  /** Ends the workers (when the module or the memory changes). */
  stop(): void {
    for (const w of this.workers) void w.terminate();
  }
}
