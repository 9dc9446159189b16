// Checkpoints: train briefly, save the weights as a safetensors file, load them into a freshly
// initialised model, and check that both models give bit-identical outputs.
// Usage: tsx --conditions=@chainrule/source src/save-load.ts [directory, default a new temporary one]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad, Rng, tensor } from '@chainrule/core';
import { MLP } from '@chainrule/nn';
import { loadCheckpoint, saveCheckpoint } from '@chainrule/nn/node';
import { isMain } from './main';
import { trainMoonsMlp } from './moons-mlp';

export interface SaveLoadResult {
  path: string;
  /** Logits of the trained model and of the fresh model after loading, on the same inputs. */
  before: number[];
  after: number[];
  /** Logits of the fresh model before loading (its own random weights). */
  fresh: number[];
  identical: boolean;
}

/** Trains on two moons for a few epochs, saves to `<dir>/moons-mlp.safetensors`, reloads into a new MLP. */
export function saveLoadRoundTrip(dir: string, epochs = 5): SaveLoadResult {
  const { model, test } = trainMoonsMlp({ epochs });
  const path = join(dir, 'moons-mlp.safetensors');
  saveCheckpoint(path, model.stateDict(), { example: 'moons-mlp', epochs: String(epochs) });

  const restored = new MLP(2, [32, 32, 2], { rng: new Rng(12345) });
  const x = tensor(test.x.slice(0, 8));
  const fresh = Array.from(noGrad(() => restored.forward(x)).data);
  restored.loadStateDict(loadCheckpoint(path));
  restored.eval();
  const before = Array.from(noGrad(() => model.forward(x)).data);
  const after = Array.from(noGrad(() => restored.forward(x)).data);
  const identical = before.length === after.length && before.every((v, i) => Object.is(v, after[i]));
  return { path, before, after, fresh, identical };
}

if (isMain('save-load')) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'chainrule-'));
  const { path, before, after, fresh, identical } = saveLoadRoundTrip(dir);
  const row = (v: number[], i: number) => `${(v[2 * i] as number).toFixed(6)} ${(v[2 * i + 1] as number).toFixed(6)}`;
  console.log(`saved the trained 2-32-32-2 MLP to ${path}, loaded it into a new MLP\n`);
  console.log('logits on 8 held-out points:');
  console.log('  trained model          | new model, random init | new model, loaded');
  for (let i = 0; i < before.length / 2; i++) {
    console.log(`  ${row(before, i).padEnd(22)} | ${row(fresh, i).padEnd(22)} | ${row(after, i)}`);
  }
  console.log(`\noutputs identical after loading: ${identical ? 'yes (bit for bit)' : 'NO'}`);
  if (!identical) process.exitCode = 1;
}
