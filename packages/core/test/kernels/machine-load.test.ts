// The thread policy's reading of the machine (kernels/wasm/load.ts): the CPUs other processes use,
// from /proc/stat and this process's CPU time, and the threads a product may then take.
import { describe, expect, it } from 'vitest';
import { type LoadSources, MachineLoad, parseProcStat, WINDOW_MS } from '../../src/kernels/wasm/load';
import { threadsFree } from '../../src/kernels/wasm/pool';
import { KernelThreads } from '../../src/kernels/wasm/threads';

/** A /proc/stat text with `cpus` lines cpuN and these totals on the `cpu` line. */
function stat(cpus: number, user: number, system: number, idle: number, steal = 0): string {
  const per = Array.from({ length: cpus }, (_, i) => `cpu${i} 1 0 1 1 0 0 0 0 0 0`);
  return [`cpu  ${user} 7 ${system} ${idle} 11 0 3 ${steal} 0 0`, ...per, 'intr 12345 0 0', 'ctxt 999'].join('\n');
}

/** A machine whose readings the test sets: busy ticks, own CPU seconds, the clock. */
function fakeMachine(cpus: number) {
  const state = { busy: 0, own: 0, now: 0, reads: 0, readable: true };
  const sources: LoadSources = {
    procStat: () => {
      state.reads++;
      return state.readable ? stat(cpus, state.busy, 0, 1000) : null;
    },
    ownCpuSeconds: () => state.own,
    nowMs: () => state.now,
    ticksPerSecond: 100,
  };
  return { state, load: new MachineLoad(sources) };
}

describe('parseProcStat', () => {
  it('counts the cpuN lines and sums the busy ticks: user, nice, system, irq, softirq, steal', () => {
    // user 500, nice 7, system 200, idle 9000 and iowait 11 (not busy), irq 0, softirq 3, steal 40
    expect(parseProcStat(stat(2, 500, 200, 9000, 40))).toEqual({ cpus: 2, busyTicks: 500 + 7 + 200 + 3 + 40 });
    expect(parseProcStat(stat(64, 1, 1, 1))?.cpus).toBe(64);
  });

  it('gives null for what is not a /proc/stat text', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('intr 1 2 3\ncpu0 1 2 3 4')).toBeNull();
    expect(parseProcStat('cpu  1 2 x 4 5\ncpu0 1 2 3 4 5')).toBeNull();
    expect(parseProcStat('cpu  1 2 3 4 5')).toBeNull(); // no cpuN line
  });
});

describe('MachineLoad', () => {
  it('leaves the threads asked for until a window has passed, then takes away one per busy CPU', () => {
    const { state, load } = fakeMachine(2);
    expect(load.threads(2)).toBe(2); // first reading: nothing to compare with yet
    // two neighbours keep both CPUs busy for 100 ms: 20 ticks, none of them this process's
    state.now = WINDOW_MS;
    state.busy = 20;
    expect(load.threads(2)).toBe(1);
    // this process itself used both CPUs for the next 100 ms: nobody else is busy
    state.now = 2 * WINDOW_MS;
    state.busy = 40;
    state.own = 0.2;
    expect(load.threads(2)).toBe(2);
  });

  it('rounds the free CPUs to the nearest, caps at what was asked, and never goes below one', () => {
    const { state, load } = fakeMachine(4);
    load.threads(4);
    state.now = 200; // 0.2 s in which others used 1.4 CPUs: 28 ticks
    state.busy = 28;
    expect(load.threads(4)).toBe(3); // 4 − 1.4 = 2.6 → 3
    expect(load.threads(2)).toBe(2);
    state.now = 400; // then 6 CPUs' worth of busy ticks on 4 CPUs (steal, rounding): still one thread
    state.busy = 28 + 120;
    expect(load.threads(4)).toBe(1);
  });

  it('reads /proc/stat at most once per window', () => {
    const { state, load } = fakeMachine(2);
    for (let t = 0; t < 50; t++) {
      state.now = t;
      load.threads(2);
    }
    expect(state.reads).toBe(1);
    state.now = WINDOW_MS;
    load.threads(2);
    expect(state.reads).toBe(2);
  });

  it('gives the threads asked for where the machine cannot be read', () => {
    const { state, load } = fakeMachine(2);
    state.readable = false;
    load.threads(2);
    state.now = WINDOW_MS;
    state.busy = 20;
    expect(load.threads(2)).toBe(2);
  });
});

describe('threadsFree', () => {
  it('asks the machine only for a split of two or more threads, and not when the pool is not adaptive', () => {
    expect(threadsFree(1)).toBe(1);
    KernelThreads.adaptive = false;
    try {
      expect(threadsFree(2)).toBe(2);
      expect(threadsFree(7)).toBe(7);
    } finally {
      KernelThreads.adaptive = true;
    }
    const free = threadsFree(2);
    expect(free === 1 || free === 2).toBe(true);
  });
});
