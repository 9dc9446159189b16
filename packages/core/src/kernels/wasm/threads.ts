// kernels/wasm: worker threads for the WebAssembly kernels. In Node, a few workers instantiate the
// same compiled module on the same shared WebAssembly memory, so that a large product, split into
// parts (blocks of C, ranges of images), is computed side by side with no copying.
//
// One job at a time, described in a shared control array (its layout, and the worker's side of
// the protocol, are in control.ts): the kernel, and each part's integer arguments. Every thread,
// the calling one included, claims parts with an atomic counter until none is left, so a worker
// that the OS does not schedule costs nothing but its in-flight part: the caller takes the rest.
// Three rules make the pool safe whatever happens to the caller:
// - all state is in the control array (no counter on the JavaScript side that an exception could
//   leave out of step);
// - before any kernel writes to the memory (`quiesce`, called by `reserve`), the previous job is
//   closed (no part can be claimed any more) and the parts in flight are awaited, so a product
//   interrupted by a vm timeout or a stack overflow cannot overlap the next one;
// - every wait is bounded: a worker that died (its own exit handler, the `error`/`exit` events) or
//   that holds a part far longer than the caller took for one ends the pool (`ThreadsFailed`), and
//   the call is recomputed on the calling thread in a fresh memory (pool.ts `onThreads`).
// Browsers stay on one thread (a page's main thread may not block in Atomics.wait).

import {
  ACTIVE,
  ARGC,
  ARGS,
  CALLER_SPIN_MS,
  CLOSED,
  CONTROL_INTS,
  DEAD,
  JOB,
  KERNEL,
  type KernelArgs,
  MAX_ARGS,
  NEXT,
  type NodeWorker,
  nodeBuiltin,
  PARTS,
  READY,
  type Scratch,
  SHIFTED,
  SPIN,
  STATUS,
  STRIDE,
  THREAD_KERNELS,
  type ThreadKernel,
  WAKE_SPIN_US,
  WORKER_SPIN_US,
  type WorkerCtor,
  workerSource,
} from './control';

/** Thrown when the pool fails mid-job; the caller recomputes the whole call on its own thread. */
export class ThreadsFailed extends Error {}

/** A pool of workers serving one compiled module and one shared memory. */
export class KernelThreads {
  /** Smallest bounded wait, in ms, for a part in flight before its worker counts as lost (tests lower it). */
  static minDeadlineMs = 2000;
  /** Whether a pool steps back from a busy machine (see `wanted`; tests that must split turn it off). */
  static adaptive = true;
  private readonly workers: NodeWorker[] = [];
  private readonly control: Int32Array;
  private broken: string | null = null;
  /** Products still to run on the calling thread alone, and the next such pause (see `wanted`). */
  private skip = 0;
  private backoff = 1;

  /**
   * `count` workers on `module` and `memory`; `onFailure(reason)` runs once if the pool breaks
   * (the runtime then drops the pool and its memory).
   */
  constructor(
    Worker: WorkerCtor,
    module: unknown,
    memory: unknown,
    readonly count: number,
    private readonly onFailure: (reason: string) => void,
  ) {
    const buffer = new SharedArrayBuffer(CONTROL_INTS * 4);
    this.control = new Int32Array(buffer);
    this.control[NEXT] = CLOSED;
    this.control[SPIN] = WORKER_SPIN_US;
    for (let slot = 1; slot <= count; slot++) {
      const w = new Worker(workerSource(), {
        eval: true,
        execArgv: [],
        stdin: false,
        workerData: { module, memory, control: buffer, slot },
      });
      const dead = () => Atomics.store(this.control, DEAD + slot, 1);
      w.on('error', dead); // a worker's error is this pool's to handle, not an uncaught exception
      w.on('exit', dead);
      w.unref(); // an idle pool never keeps the process alive
      this.workers.push(w);
    }
  }

  /** How many workers have instantiated the module (the others join their first job once ready). */
  ready(): number {
    let n = 0;
    for (let slot = 1; slot <= this.count; slot++) {
      if (Atomics.load(this.control, READY + slot) === 1 && Atomics.load(this.control, DEAD + slot) === 0) n++;
    }
    return n;
  }

  /**
   * Whether the next product should be split. A split that did not pay (the workers took no part,
   * or the product took longer than the calling thread alone would have, judged by its own parts)
   * means the workers are not getting a CPU in time: a busy machine, a CPU quota. The pool then
   * sits out 1, 2, 4 … 256 products (doubling while splits keep failing to pay, back to 1 after
   * one that pays), so that threads never cost much more than they give.
   */
  wanted(): boolean {
    if (this.skip === 0 || !KernelThreads.adaptive) return true;
    this.skip--;
    return false;
  }

  /**
   * Records whether a split paid: `wallMs` for the job, the caller's `busyMs` over `mine` of
   * `parts` parts (none: the workers took them all, which pays).
   */
  private judge(wallMs: number, busyMs: number, mine: number, parts: number): void {
    if (this.ready() < this.count) return; // workers still starting: no verdict on the machine yet
    const alone = mine > 0 ? (busyMs / mine) * parts : 0;
    if (mine === 0 || (mine < parts && wallMs <= alone)) {
      this.backoff = 1;
      return;
    }
    this.skip = this.backoff;
    this.backoff = Math.min(256, 2 * this.backoff);
  }

  /**
   * Wakes the workers for a job about to be posted: an empty job (nothing to claim) after which they
   * spin WAKE_SPIN_US instead of sleeping, so that the next `runParts` finds them running. Called
   * before the operands are copied in, so the wake-up overlaps the copies.
   */
  wake(): void {
    if (this.broken) return;
    Atomics.store(this.control, SPIN, WAKE_SPIN_US);
    Atomics.add(this.control, JOB, 1);
    Atomics.notify(this.control, JOB);
  }

  /** Parts of the job in flight claimed so far, by any thread (tests: to know that a worker holds one). */
  claimed(): number {
    const next = Atomics.load(this.control, NEXT);
    return next >= CLOSED ? 0 : Math.min(next, Atomics.load(this.control, PARTS));
  }

  /** Workers inside a job now (between their first claim and the end of their last part). */
  busy(): number {
    return Atomics.load(this.control, ACTIVE);
  }

  /** Why the pool failed, or null while it works. */
  failure(): string | null {
    return this.broken;
  }

  /**
   * Closes the last job and waits for its parts in flight, so that no worker touches the memory
   * afterwards; false (and the pool is ended) if a worker died or stays busy past the deadline.
   */
  quiesce(deadlineMs = KernelThreads.minDeadlineMs): boolean {
    if (this.broken) return false;
    Atomics.store(this.control, NEXT, CLOSED);
    if (Atomics.load(this.control, ACTIVE) !== 0) return this.waitIdle(deadlineMs);
    return this.alive();
  }

  /** The first worker that has stopped (1 …), or 0. */
  stopped(): number {
    for (let slot = 1; slot <= this.count; slot++) if (Atomics.load(this.control, DEAD + slot) === 1) return slot;
    return 0;
  }

  /** False (and the pool is ended) if a worker has stopped, even between jobs. */
  private alive(): boolean {
    const slot = this.stopped();
    if (slot > 0) this.fail(`kernel thread ${slot} stopped`);
    return slot === 0;
  }

  /**
   * Runs `kernel(...args(p))` for every part p < parts: the workers and the calling thread (with
   * `here`, its own instance, scratch slot 0) claim parts until none is left; then waits for the
   * parts in flight. Throws ThreadsFailed (the pool then ends) if a worker is lost or a part threw
   * on a worker; an exception in `here` closes the job and propagates (the parts in flight are
   * awaited by the next `quiesce`).
   */
  runParts(
    kernel: ThreadKernel,
    parts: number,
    args: (part: number) => KernelArgs,
    here: (a: KernelArgs) => void,
    scratch: Scratch,
  ): void {
    const ctl = this.control;
    if (this.broken || !this.quiesce()) throw new ThreadsFailed(this.broken ?? 'kernel threads: lost');
    let shifted = 0;
    for (const i of scratch.args) shifted |= 1 << i;
    for (let p = 0; p < parts; p++) {
      const a = args(p);
      for (let i = 0; i < a.length; i++) ctl[ARGS + p * MAX_ARGS + i] = a[i] as number;
      ctl[STATUS + p] = 0;
      ctl[ARGC] = a.length;
    }
    ctl[KERNEL] = THREAD_KERNELS.indexOf(kernel);
    ctl[PARTS] = parts;
    ctl[STRIDE] = scratch.stride;
    ctl[SHIFTED] = shifted;
    ctl[SPIN] = WORKER_SPIN_US;
    const start = performance.now();
    Atomics.store(ctl, NEXT, 0); // the release point: a worker that claims a part sees all of the above
    Atomics.add(ctl, JOB, 1);
    Atomics.notify(ctl, JOB);
    let [longest, busy, mine] = [0, 0, 0];
    try {
      for (let p = Atomics.add(ctl, NEXT, 1); p < parts; p = Atomics.add(ctl, NEXT, 1)) {
        const t0 = performance.now();
        here(args(p));
        ctl[STATUS + p] = 1;
        const t = performance.now() - t0;
        [longest, busy, mine] = [Math.max(longest, t), busy + t, mine + 1];
      }
    } finally {
      Atomics.store(ctl, NEXT, CLOSED);
    }
    if (!this.waitIdle(Math.max(KernelThreads.minDeadlineMs, 50 * longest))) {
      throw new ThreadsFailed(this.broken ?? 'kernel threads: lost');
    }
    this.judge(performance.now() - start, busy, mine, parts);
    for (let p = 0; p < parts; p++) {
      if (Atomics.load(ctl, STATUS + p) !== 1)
        throw new ThreadsFailed(this.fail(`part ${p} of ${kernel} threw on a worker`));
    }
  }

  /** Waits until no worker is inside a job: spins briefly, then sleeps; false on a lost worker. */
  private waitIdle(deadlineMs: number): boolean {
    const ctl = this.control;
    const start = performance.now();
    for (let spin = 1; ; spin++) {
      const active = Atomics.load(ctl, ACTIVE);
      if (active === 0) return true;
      if ((spin & 255) !== 0) continue;
      const waited = performance.now() - start;
      if (waited < CALLER_SPIN_MS) continue;
      if (!this.alive()) return false;
      if (waited > deadlineMs) {
        this.fail(`kernel threads: a part took over ${Math.round(deadlineMs)} ms on a worker`);
        return false;
      }
      Atomics.wait(ctl, ACTIVE, active, 1);
    }
  }

  /** Ends the pool after a failure: the workers are terminated and the runtime told once. */
  private fail(reason: string): string {
    if (this.broken) return this.broken;
    this.broken = reason;
    this.stop();
    this.onFailure(reason);
    return reason;
  }

  /** Ends the workers (when the module or the memory changes, or the pool failed). */
  stop(): void {
    Atomics.store(this.control, NEXT, CLOSED);
    for (const w of this.workers) void w.terminate();
  }

  /** For tests: ends worker `slot` (1 …) as a crash would, without telling the pool. */
  terminateWorker(slot: number): Promise<number> | undefined {
    return this.workers[slot - 1]?.terminate();
  }
}

/**
 * Starts `count` workers where the engine has Node's worker threads (synchronously where Node can
 * load a built-in module synchronously), else null.
 */
export function startThreads(
  module: unknown,
  memory: unknown,
  count: number,
  onFailure: (reason: string) => void,
): KernelThreads | null {
  const builtin = nodeBuiltin<{ Worker: WorkerCtor }>('node:worker_threads');
  if (!builtin) return null;
  try {
    return new KernelThreads(builtin.Worker, module, memory, count, onFailure);
  } catch {
    return null;
  }
}
