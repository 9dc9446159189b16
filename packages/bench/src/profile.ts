// `pnpm bench profile`: where one thread's time goes in three training workloads (the README's
// "Where the time goes now" table), from V8's sampling profiler started after a warm-up, so that
// start-up is left out. Each sample's time goes to the function it was taken in, then to a
// category: gemm, the other WebAssembly kernels, the wrappers that lay buffers out in WebAssembly
// memory (copies), allocation, GC, the JavaScript kernel loops, and the rest (ops, plans, graph,
// optimizer). The WebAssembly build carries no names: functions are named by its export section,
// a helper that is not exported takes the name of the exported function that called it, and time
// booked on a call's entry stub takes the name of the JavaScript wrapper that made the call.
import { Session } from 'node:inspector/promises';
import { kernelBackend, setNumThreads } from '@chainrule/core';
// the embedded kernels, read only for their export names
import { relaxedSimd, simd128 } from '../../core/src/kernels/wasm/binary';
import { type WorkloadId, workloadRunner } from './workloads';

const STEPS: Partial<Record<WorkloadId, number>> = {
  transformer: 40,
  'lstm-forward': 300,
  'cnn-forward': 300,
  'mlp-large': 100,
  mlp: 2000,
  cnn: 100,
  lstm: 100,
};
/** The workloads profiled: BENCH_PROFILE=mlp,cnn picks others (ids of `bench workloads`). */
const PROFILED = (process.env.BENCH_PROFILE ?? 'transformer,lstm-forward,cnn-forward,mlp-large')
  .split(',')
  .map((id) => {
    const steps = STEPS[id as WorkloadId];
    if (steps === undefined)
      throw new Error(`bench profile: unknown workload '${id}' (${Object.keys(STEPS).join(', ')})`);
    return { id: id as WorkloadId, steps };
  });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Function index → export name, from a WebAssembly binary's export section (no imported functions). */
function exportNames(bytes: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  let at = 8; // magic and version
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++] as number;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
  };
  while (at < bytes.length) {
    const section = bytes[at++] as number;
    const end = leb() + at;
    if (section === 7) {
      for (let n = leb(); n > 0; n--) {
        const length = leb();
        const name = new TextDecoder().decode(bytes.subarray(at, at + length));
        at += length;
        const kind = bytes[at++];
        const index = leb();
        if (kind === 0) names.set(index, name);
      }
    }
    at = end;
  }
  return names;
}

/** Share of the profiled time per category (and per WebAssembly kernel), largest first. */
function categorize(profile: Profile, wasmNames: Map<number, string>): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const wasmIndex = (n: ProfileNode) => /^wasm-function\[(\d+)\]$/.exec(n.callFrame.functionName)?.[1];
  /** The export a WebAssembly function belongs to: its own name, else its nearest exported caller's. */
  const exported = (n: ProfileNode): string => {
    for (
      let at: ProfileNode | undefined = n;
      at && wasmIndex(at) !== undefined;
      at = byId.get(parent.get(at.id) ?? -1)
    ) {
      const name = wasmNames.get(Number(wasmIndex(at)));
      if (name) return name;
    }
    return 'WebAssembly (unnamed)';
  };
  const category = (n: ProfileNode): string | null => {
    const { functionName: f, url } = n.callFrame;
    if (f === '(idle)' || f === '(program)' || f === '(root)') return null;
    if (f === '(garbage collector)') return 'GC';
    if (wasmIndex(n) !== undefined) {
      const name = exported(n).replace(/F(32|64)$/, '');
      return name.startsWith('gemm') ? 'gemm (Wasm)' : `Wasm ${name}`;
    }
    // time V8 books on the call's entry stub rather than on the function: named by the JavaScript
    // wrapper that made the call (kernels/wasm: gemmCall, lstmCellWasm, …)
    if (f.startsWith('js-to-wasm')) {
      const caller = byId.get(parent.get(n.id) ?? -1)?.callFrame.functionName ?? '';
      return /gemm|^run$/i.test(caller) ? 'gemm (Wasm)' : `Wasm ${caller.replace(/(Wasm|Call)$/, '')}`;
    }
    if (url.includes('/kernels/wasm/')) return 'copies into / out of Wasm';
    if (f === 'storageFor') return 'allocation, zero-fill';
    if (url.includes('/kernels/')) return `JS ${f}`;
    return 'ops, plans, graph, optimizer';
  };
  const time = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const c = node ? category(node) : null;
    const dt = profile.timeDeltas[i] ?? 0;
    if (c === null) return;
    time.set(c, (time.get(c) ?? 0) + dt);
    total += dt;
  });
  return [...time].map(([c, t]): [string, number] => [c, t / total]).sort((a, b) => b[1] - a[1]);
}

export async function benchProfile(): Promise<void> {
  setNumThreads(1);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  console.log('where one thread spends a training step (V8 sampling profiler, after a warm-up; share of the samples)');
  for (const { id, steps } of PROFILED) {
    const run = await workloadRunner('chainrule-1t', id);
    for (let i = 0; i < 3; i++) run();
    await session.post('Profiler.start');
    const start = performance.now();
    for (let i = 0; i < steps; i++) run();
    const ms = (performance.now() - start) / steps;
    const { profile } = await session.post('Profiler.stop');
    const backend = kernelBackend();
    const names = exportNames(Buffer.from(backend === 'wasm-relaxed-simd' ? relaxedSimd : simd128, 'base64'));
    console.log(`  ${id} (${steps} steps, ${ms.toFixed(1)} ms each, ${backend})`);
    for (const [c, share] of categorize(profile as Profile, names).filter(([, s]) => s >= 0.005)) {
      console.log(`    ${(100 * share).toFixed(1).padStart(5)} %  ${c}`);
    }
  }
  session.disconnect();
}
