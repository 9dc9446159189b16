// Drift checks: every op has a Tensor method, a test and a formula comment; every F-number in
// the code and tests is defined in docs/backprop.md, and every defined formula is tested.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../src/index';

const root = join(import.meta.dirname, '..', '..', '..');
const opsDir = join(root, 'packages/core/src/tensor/ops');
const read = (p: string) => readFileSync(p, 'utf8');
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name as string)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

/** Exported op functions, each with the body text up to the next export. */
function ops(): { name: string; file: string; body: string }[] {
  return readdirSync(opsDir).flatMap((file) => {
    const src = read(join(opsDir, file));
    const parts = src.split(/\nexport function /).slice(1);
    return parts.map((part) => ({ name: part.slice(0, part.indexOf('(')), file, body: part }));
  });
}

describe('op registry', () => {
  const all = ops();
  const testSources = [...walk(join(root, 'packages/core/test/tensor')), join(root, 'packages/core/test/rules.ts')]
    .map(read)
    .join('\n');

  it('finds the ops', () => {
    expect(all.map((o) => o.name)).toEqual(expect.arrayContaining(['add', 'matmul', 'linear', 'softmax', 'max']));
  });

  for (const op of all) {
    it(`${op.name} (${op.file}) has a Tensor method or is a documented function, a test, and a formula comment`, () => {
      const standalone = [
        'linear',
        'crossEntropy',
        'binaryCrossEntropy',
        'binaryCrossEntropyWithLogits',
        'conv1d',
        'conv2d',
        'maxPool2d',
        'avgPool2d',
      ];
      if (!standalone.includes(op.name))
        expect(typeof (Tensor.prototype as unknown as Record<string, unknown>)[op.name]).toBe('function');
      expect(testSources.includes(`${op.name}(`) || testSources.includes(`op: '${op.name}'`)).toBe(true);
      const composite = /= sum \/ n|= reshape/.test(op.body);
      if (!composite) expect(op.body, `${op.name} needs a ∂L/∂ formula comment`).toMatch(/\/\/ .*∂L\/∂/);
    });
  }
});

describe('formula numbers', () => {
  const doc = read(join(root, 'docs/backprop.md'));
  const defined = new Set([...doc.matchAll(/\*\*(F\d+) —/g)].map((m) => m[1] as string));
  const codeFiles = [...walk(join(root, 'packages/core/src')), ...walk(join(root, 'packages/nn/src'))];
  const testFiles = [...walk(join(root, 'packages/core/test')), ...walk(join(root, 'packages/nn/test'))].filter(
    (f) => !f.endsWith('registry.test.ts'),
  );

  it('docs/backprop.md defines F1…Fn without gaps', () => {
    expect(defined.size).toBeGreaterThanOrEqual(16);
    for (let i = 1; i <= defined.size; i++) expect(defined.has(`F${i}`)).toBe(true);
  });

  it('every F-number cited in the code is defined in the doc', () => {
    for (const f of codeFiles) {
      // citations live in comments; F32/F64 there are safetensors dtype names, not formulas
      const comments = read(f)
        .split('\n')
        .filter((line) => /^\s*(\/\/|\*|\/\*\*)/.test(line) || line.includes(' // '))
        .join('\n');
      for (const m of comments.matchAll(/\bF(\d+)\b/g)) {
        if (m[1] === '32' || m[1] === '64') continue;
        expect(defined.has(`F${m[1]}`), `${f} cites F${m[1]}`).toBe(true);
      }
    }
  });

  it('every formula is named by a test', () => {
    const tests = testFiles.map(read).join('\n');
    const named = new Set<string>();
    for (const m of tests.matchAll(/it\(\s*[`'"]([^`'"]*)/g)) {
      for (const r of (m[1] ?? '').matchAll(/F(\d+)(?:–F(\d+))?/g)) {
        const lo = Number(r[1]);
        const hi = r[2] ? Number(r[2]) : lo;
        for (let i = lo; i <= hi; i++) named.add(`F${i}`);
      }
    }
    // rules.ts rows carry formula ids that become test names
    for (const m of tests.matchAll(/formula: '(F\d+)'/g)) named.add(m[1] as string);
    const missing = [...defined].filter((f) => !named.has(f));
    expect(missing, `formulas with no test named after them: ${missing.join(', ')}`).toEqual([]);
  });
});
