// Loads the PyTorch fixtures written by scripts/torch_fixtures.py (see its docstring for the
// layout) and checks a chainrule module against one: same weights, same input → the same
// output, parameter gradients and input gradients, in float64.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@chainrule/core';
import { expect } from 'vitest';
import { loadSafetensorsWithMetadata, type Module } from '../src/index';

export interface Fixture {
  name: string;
  config: { layer: string; args: unknown[]; opts: Record<string, unknown>; mode: 'train' | 'eval' };
  /** The tensors under `prefix.` with the prefix removed, e.g. section('state'). */
  section(prefix: string): Record<string, Tensor>;
}

export function loadFixture(name: string): Fixture {
  const bytes = readFileSync(join(import.meta.dirname, 'fixtures', `${name}.safetensors`));
  const { tensors, metadata } = loadSafetensorsWithMetadata(new Uint8Array(bytes));
  return {
    name,
    config: JSON.parse(metadata.config as string),
    section(prefix: string) {
      const out: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(tensors)) {
        if (k === prefix) out[''] = t;
        else if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = t;
      }
      return out;
    },
  };
}

/** Every tensor in a nested array output, with the fixture's paths ('' for a lone tensor, '0', '1.0', …). */
function flattenOutput(out: unknown, path = ''): [string, Tensor][] {
  if (out instanceof Tensor) return [[path, out]];
  if (Array.isArray(out)) return out.flatMap((o, i) => flattenOutput(o, path === '' ? String(i) : `${path}.${i}`));
  if (out === null) return [];
  throw new Error(`unexpected output ${String(out)}`);
}

function expectTensorClose(what: string, actual: Tensor | null | undefined, expected: Tensor, tol: number): void {
  expect(actual, `${what} is missing`).toBeInstanceOf(Tensor);
  const a = actual as Tensor;
  expect([...a.shape], `${what} shape`).toEqual([...expected.shape]);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.size; i++) {
    const e = expected.data[i] as number;
    const err = Math.abs((a.data[i] as number) - e) / Math.max(1, Math.abs(e));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${what}: worst relative error at element ${at}`).toBeLessThanOrEqual(tol);
}

/**
 * Loads the fixture's state dict into `module` (float64), runs `call` on the fixture's inputs
 * (float ones requiring grad), backpropagates L = Σ⟨output, probe⟩ and compares the outputs,
 * every parameter's gradient, every float input's gradient and the buffers after the forward.
 */
export function expectMatchesTorch(
  fixture: Fixture,
  module: Module,
  call: (m: Module, inputs: Record<string, Tensor>) => unknown,
  tol = 1e-10,
): void {
  module.loadStateDict(fixture.section('state'));
  if (fixture.config.mode === 'eval') module.eval();
  const inputs: Record<string, Tensor> = {};
  const gradInputs = fixture.section('grad_input');
  for (const [role, t] of Object.entries(fixture.section('input'))) {
    inputs[role] = role in gradInputs ? new Tensor(t.data, t.shape, true) : t;
  }
  const outputs = flattenOutput(call(module, inputs));
  const expected = fixture.section('output');
  const probes = fixture.section('probe');
  expect(outputs.map(([p]) => p).sort()).toEqual(Object.keys(expected).sort());
  let loss: Tensor | null = null;
  for (const [path, out] of outputs) {
    expectTensorClose(`${fixture.name} output ${path}`, out, expected[path] as Tensor, tol);
    const term = out.mul(probes[path] as Tensor).sum();
    loss = loss ? loss.add(term) : term;
  }
  (loss as Tensor).backward();
  const params = new Map(module.namedParameters());
  const grads = fixture.section('grad');
  expect([...params.keys()].sort()).toEqual(Object.keys(grads).sort());
  for (const [name, g] of Object.entries(grads)) {
    expectTensorClose(`${fixture.name} grad ${name}`, params.get(name)?.grad, g, tol);
  }
  for (const [role, g] of Object.entries(gradInputs)) {
    expectTensorClose(`${fixture.name} grad of input ${role}`, inputs[role]?.grad, g, tol);
  }
  const state = module.stateDict();
  for (const [name, b] of Object.entries(fixture.section('after'))) {
    expectTensorClose(`${fixture.name} buffer ${name} after forward`, state[name], b, tol);
  }
}
