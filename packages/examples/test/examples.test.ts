// The examples do what they print: seeded, so the figures are exact for this code.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveLoadRoundTrip, trainMoonsMlp, trainXor, writeGraphs } from '../src/index';

describe('examples', () => {
  it('moons: the MLP reaches ≥ 97% on held-out points and its loss falls', () => {
    const r = trainMoonsMlp();
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.losses[r.losses.length - 1] as number).toBeLessThan((r.losses[0] as number) / 10);
  });

  it('xor: all four points right', () => {
    const { probabilities, accuracy } = trainXor();
    expect(accuracy).toBe(1);
    expect(probabilities.map((p) => Number(p > 0.5))).toEqual([0, 1, 1, 0]);
  });

  it('save-load: the reloaded model gives identical outputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-examples-'));
    try {
      const r = saveLoadRoundTrip(dir, 2);
      expect(r.identical).toBe(true);
      expect(r.after).toEqual(r.before);
      expect(r.fresh).not.toEqual(r.before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('graph: writes DOT files for the Value and the tensor graph', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-examples-'));
    try {
      const { files } = writeGraphs(dir);
      const value = readFileSync(join(dir, 'value.dot'), 'utf8');
      expect(files).toContain(join(dir, 'tensor.dot'));
      expect(value).toMatch(/^digraph chainrule \{/);
      expect(value).toContain('tanh');
      expect(readFileSync(join(dir, 'tensor.dot'), 'utf8')).toContain('matmul');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
