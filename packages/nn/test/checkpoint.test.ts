// Checkpoints on disk: round trip through a temp dir, atomic replacement, and a failed save that
// leaves the previous checkpoint intact and no temporary file behind.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainruleError, type Tensor, tensor } from '@chainrule/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveSafetensors } from '../src/index';
import { loadCheckpoint, saveCheckpoint } from '../src/node';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chainrule-ckpt-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const stateA = () => ({
  w: tensor([
    [1, 2],
    [3, 4],
  ]),
  b: tensor([0.5, -0.5], { dtype: 'float64' }),
});
const stateB = () => ({ w: tensor([9, 8, 7]) });

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips through a file whose bytes are the safetensors encoding', () => {
    const path = join(dir, 'model.safetensors');
    saveCheckpoint(path, stateA(), { epoch: '3' });
    expect(new Uint8Array(readFileSync(path))).toEqual(saveSafetensors(stateA(), { epoch: '3' }));
    const loaded = loadCheckpoint(path);
    expect(loaded.w?.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(loaded.b?.dtype).toBe('float64');
    expect(loaded.b?.toArray()).toEqual([0.5, -0.5]);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('replaces a previous checkpoint', () => {
    const path = join(dir, 'model.safetensors');
    saveCheckpoint(path, stateA());
    saveCheckpoint(path, stateB());
    expect(Object.keys(loadCheckpoint(path))).toEqual(['w']);
    expect(loadCheckpoint(path).w?.toArray()).toEqual([9, 8, 7]);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('an invalid state throws before touching the file: the previous checkpoint is intact', () => {
    const path = join(dir, 'model.safetensors');
    saveCheckpoint(path, stateA());
    const before = readFileSync(path);
    const bad = { w: tensor([1]), oops: 5 as unknown as Tensor };
    expect(() => saveCheckpoint(path, bad)).toThrow(ChainruleError);
    expect(() => saveCheckpoint(path, bad)).toThrow(/saveCheckpoint: value of "oops" must be a Tensor/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('a failed rename leaves no temporary file behind, and the error names the path given', () => {
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    expect(() => saveCheckpoint(target, stateA())).toThrow(ChainruleError);
    expect(() => saveCheckpoint(target, stateA())).toThrow(
      new RegExp(`^saveCheckpoint: could not write '${target}' \\(E`),
    );
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('a missing directory throws and creates nothing', () => {
    const path = join(dir, 'no', 'model.safetensors');
    expect(() => saveCheckpoint(path, stateA())).toThrow(
      `saveCheckpoint: could not write '${path}' (ENOENT: no such file or directory)`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a successful save removes the temp files of earlier killed saves of the same path, and only those', () => {
    const path = join(dir, 'model.safetensors');
    // a process that has exited: its pid names no running process now
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const killed = [`.model.safetensors.${dead}.0123456789ab.tmp`, '.model.safetensors.a1b2c3d4e5f6.tmp'];
    const kept = [
      `.model.safetensors.${process.ppid}.0123456789ab.tmp`, // a running process may be mid-save
      `.other.safetensors.${dead}.0123456789ab.tmp`, // another checkpoint's
      '.model.safetensors.notes.tmp', // not a temp-file name of ours
    ];
    for (const name of [...killed, ...kept]) writeFileSync(join(dir, name), 'partial');
    saveCheckpoint(path, stateA());
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', ...kept].sort());
    expect(loadCheckpoint(path).w?.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('a save killed mid-write leaves the previous checkpoint loadable, and the next save cleans up', () => {
    const path = join(dir, 'model.safetensors');
    saveCheckpoint(path, stateA());
    // the child writes its temp file and is killed (SIGKILL) before it can rename
    const child = spawnSync(process.execPath, [
      '-e',
      `const fs = require('node:fs');
       fs.writeFileSync(${JSON.stringify(dir)} + '/.model.safetensors.' + process.pid + '.00000000abcd.tmp', 'half a file');
       process.kill(process.pid, 'SIGKILL');`,
    ]);
    expect(child.signal).toBe('SIGKILL');
    expect(readdirSync(dir)).toHaveLength(2);
    expect(Object.keys(loadCheckpoint(path)).sort()).toEqual(['b', 'w']);
    saveCheckpoint(path, stateB());
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('loadCheckpoint names itself, the path and the problem for a malformed file', () => {
    const path = join(dir, 'broken.safetensors');
    writeFileSync(path, Uint8Array.of(1, 2, 3));
    expect(() => loadCheckpoint(path)).toThrow(ChainruleError);
    expect(() => loadCheckpoint(path)).toThrow(`loadCheckpoint: '${path}': truncated file: 3 bytes`);
    const missing = join(dir, 'missing');
    expect(() => loadCheckpoint(missing)).toThrow(
      `loadCheckpoint: could not read '${missing}' (ENOENT: no such file or directory)`,
    );
    expect(() => loadCheckpoint(path, { maxTensors: -1 })).toThrow(
      'loadCheckpoint: maxTensors must be an integer >= 0, got -1',
    );
  });
});
