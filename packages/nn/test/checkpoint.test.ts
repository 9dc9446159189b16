// Checkpoints on disk: round trip through a temp dir, atomic replacement, and a failed save that
// leaves the previous checkpoint intact and no temporary file behind.
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

  it('a failed rename leaves no temporary file behind', () => {
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    expect(() => saveCheckpoint(target, stateA())).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('a missing directory throws and creates nothing', () => {
    expect(() => saveCheckpoint(join(dir, 'no', 'model.safetensors'), stateA())).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('loadCheckpoint names itself, the path and the problem for a malformed file', () => {
    const path = join(dir, 'broken.safetensors');
    writeFileSync(path, Uint8Array.of(1, 2, 3));
    expect(() => loadCheckpoint(path)).toThrow(ChainruleError);
    expect(() => loadCheckpoint(path)).toThrow(`loadCheckpoint: '${path}': truncated file: 3 bytes`);
    expect(() => loadCheckpoint(join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});
