// kernels/wasm: how many CPUs the other processes on the machine leave free, for the thread policy
// (gemm.ts `partsFor`). A split pays only with a free CPU for each extra thread: on a machine that
// other processes keep busy, the scheduler shares a CPU between a worker and a neighbour, and the
// product waits for whichever part is paused (measured: two CPU-burning neighbours on 2 CPUs made
// the default threads 0.88× one thread at the 784-128-64-10 MLP step). Linux tells the CPU time of
// the whole machine in /proc/stat and this process's own in process.cpuUsage(); the difference,
// over windows of at least WINDOW_MS, is what the others use. Elsewhere there is no reading, and
// the pool judges each split by its own timing alone (threads.ts `wanted`).

/** The shortest window, in ms, between two readings: /proc/stat counts in ticks of 10 ms. */
export const WINDOW_MS = 100;

/** CPUs (lines `cpuN`) and busy ticks (all but idle and iowait, on the `cpu` line) of a /proc/stat text. */
export function parseProcStat(text: string): { cpus: number; busyTicks: number } | null {
  const lines = text.split('\n');
  const total = (lines[0] ?? '').trim().split(/\s+/);
  if (total[0] !== 'cpu' || total.length < 5) return null;
  const ticks = total.slice(1).map(Number);
  if (ticks.some((t) => !Number.isFinite(t))) return null;
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  const cpus = lines.filter((l) => /^cpu\d+\s/.test(l)).length;
  return cpus > 0 ? { cpus, busyTicks: user + nice + system + irq + softirq + steal } : null;
}

/** What a reading needs: the machine's /proc/stat text (null if none), this process's CPU seconds, a clock (ms). */
export interface LoadSources {
  readonly procStat: () => string | null;
  readonly ownCpuSeconds: () => number;
  readonly nowMs: () => number;
  /** Ticks per second of /proc/stat (USER_HZ: 100 on every Linux that Node runs on). */
  readonly ticksPerSecond: number;
}

/** The CPUs other processes use, read from windows of at least WINDOW_MS. */
export class MachineLoad {
  private last: { at: number; busy: number; own: number } | null = null;
  private cpus = 0;
  private others = 0;

  constructor(private readonly sources: LoadSources) {}

  /**
   * The threads a product may use now, at most `wanted`: one for the calling thread, plus one for
   * each CPU that the other processes left free over the last window (rounded to the nearest);
   * `wanted` where the machine cannot be read.
   */
  threads(wanted: number): number {
    const now = this.sources.nowMs();
    if (this.last === null || now - this.last.at >= WINDOW_MS) this.read(now);
    if (this.cpus === 0) return wanted;
    return Math.max(1, Math.min(wanted, Math.round(this.cpus - this.others)));
  }

  private read(now: number): void {
    const stat = parseProcStat(this.sources.procStat() ?? '');
    if (!stat) {
      this.cpus = 0;
      return;
    }
    const own = this.sources.ownCpuSeconds();
    const last = this.last;
    this.last = { at: now, busy: stat.busyTicks, own };
    this.cpus = stat.cpus;
    if (last === null) return;
    const seconds = (now - last.at) / 1000;
    const busy = (stat.busyTicks - last.busy) / this.sources.ticksPerSecond;
    this.others = Math.max(0, (busy - (own - last.own)) / seconds);
  }
}

/** The machine's load through Node's fs and process (Linux), or null where there is neither. */
export function nodeMachineLoad(
  fs: { readFileSync(path: string, encoding: 'utf8'): string } | null,
  proc: { cpuUsage(): { user: number; system: number } } | undefined,
): MachineLoad | null {
  if (!fs || !proc?.cpuUsage) return null;
  return new MachineLoad({
    procStat: () => {
      try {
        return fs.readFileSync('/proc/stat', 'utf8');
      } catch {
        return null;
      }
    },
    ownCpuSeconds: () => {
      const u = proc.cpuUsage();
      return (u.user + u.system) / 1e6;
    },
    nowMs: () => performance.now(),
    ticksPerSecond: 100,
  });
}
