// Loading a 100 MB safetensors file of ordinary float32 tensors: loadCheckpoint (read + validate +
// views) against reading the file's bytes alone (the floor any loader pays), in the same run; and
// the memory the loaded tensors hold against the file's size. The target: load time at most 2×
// the read, memory about 1× the file (tensors are views of the file's bytes, not copies).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Rng, randn, type Tensor } from '@chainrule/core';
import { loadSafetensors } from '@chainrule/nn';
import { loadCheckpoint, saveCheckpoint } from '@chainrule/nn/node';
import { compare } from './measure';

export interface SafetensorsBenchResult {
  fileMiB: number;
  /** Seconds per call of each case. */
  seconds: Record<string, number>;
  /** loadCheckpoint's time over readFileSync's. */
  loadOverRead: number;
  /** ArrayBuffer memory held by the loaded tensors, over the file's size. */
  memoryOverFile: number;
}

/** 25 tensors of [1000, 1000] float32 (4 MB each, 100 MB in all), as a model checkpoint would hold. */
function state(): Record<string, Tensor> {
  const rng = new Rng(0);
  const out: Record<string, Tensor> = {};
  for (let i = 0; i < 25; i++) out[`layers.${i}.weight`] = randn([1000, 1000], { rng });
  return out;
}

export function benchSafetensors(log: (line: string) => void = console.log): SafetensorsBenchResult {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const dir = mkdtempSync(join(tmpdir(), 'chainrule-bench-'));
  const path = join(dir, 'model.safetensors');
  try {
    saveCheckpoint(path, state());
    const bytes = new Uint8Array(readFileSync(path));
    const fileMiB = bytes.length / 2 ** 20;
    // the same file one byte off alignment: every float32 tensor must be copied
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const unaligned = shifted.subarray(1);
    let sink = 0;
    const timings = compare(
      {
        'readFileSync (the bytes alone)': () => {
          sink += readFileSync(path).length;
        },
        'loadCheckpoint (read + validate, views)': () => {
          sink += Object.keys(loadCheckpoint(path)).length;
        },
        'loadSafetensors of bytes in memory (views)': () => {
          sink += Object.keys(loadSafetensors(bytes)).length;
        },
        'loadSafetensors of unaligned bytes (copies)': () => {
          sink += Object.keys(loadSafetensors(unaligned)).length;
        },
      },
      { maxTime: 3, minSamples: 5 },
    );
    const seconds = Object.fromEntries(timings.map((t) => [t.name, t.seconds]));
    const read = seconds['readFileSync (the bytes alone)'] as number;
    const load = seconds['loadCheckpoint (read + validate, views)'] as number;

    // ArrayBuffers freed by a GC are released a little later: settle before each reading
    const settle = () => {
      for (let i = 0; i < 4; i++) gc();
      return process.memoryUsage().arrayBuffers;
    };
    const before = settle();
    const loaded = loadCheckpoint(path);
    const held = settle() - before;
    sink += Object.keys(loaded).length;

    log(`safetensors: loading a ${fileMiB.toFixed(1)} MiB file of 25 float32 tensors [1000, 1000] (sink ${sink > 0})`);
    for (const t of timings) {
      log(
        `  ${t.name.padEnd(46)} ${(t.seconds * 1e3).toFixed(1).padStart(8)} ms ±${t.rme.toFixed(1)}%  (${(t.seconds / read).toFixed(2)}× the read)`,
      );
    }
    log(
      `  memory held by the loaded tensors: ${(held / 2 ** 20).toFixed(1)} MiB (${(held / bytes.length).toFixed(2)}× the file)`,
    );
    return { fileMiB, seconds, loadOverRead: load / read, memoryOverFile: held / bytes.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
