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

const FORMULA = /\/\/ .*∂L\/∂|\/\/ (a composite|.* = reshape: a composite)/;

/**
 * Exported op functions, each with its body. A body that delegates to a helper of its own file
 * (tril → triangle, eq → compare) includes that helper's body, where the formula then stands.
 */
function ops(): { name: string; file: string; body: string }[] {
  return readdirSync(opsDir).flatMap((file) => {
    const src = read(join(opsDir, file));
    const fns = src.split(/\n(?=(?:export )?function )/).slice(1);
    const nameOf = (part: string) => {
      const rest = part.replace(/^export function |^function /, '');
      return rest.slice(0, rest.indexOf('('));
    };
    const helpers = new Map(fns.filter((f) => !f.startsWith('export')).map((f) => [nameOf(f).trim(), f]));
    return fns
      .filter((f) => f.startsWith('export'))
      .map((part) => {
        const used = [...helpers].filter(([h]) => part.includes(`${h}(`)).map(([, body]) => body);
        return { name: nameOf(part).trim(), file, body: [part, ...used].join('\n') };
      });
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
        'huber',
        'cat',
        'stack',
        'where',
        'embedding',
        'scaledDotProductAttention',
        'lstmCell',
        'layerNorm',
        'conv1d',
        'conv2d',
        'maxPool2d',
        'avgPool2d',
        'sumTo',
        'scatterAdd',
        'booleanIndex',
      ];
      const method = op.name === 'variance' ? 'var' : op.name; // `var` is a method name, not a function name
      if (!standalone.includes(op.name))
        expect(typeof (Tensor.prototype as unknown as Record<string, unknown>)[method]).toBe('function');
      const tested = [op.name, method].some((n) => testSources.includes(`${n}(`) || testSources.includes(`op: '${n}'`));
      expect(tested, `${op.name} has no test`).toBe(true);
      const composite = /= sum \/ n/.test(op.body);
      if (!composite) expect(op.body, `${op.name} needs a ∂L/∂ formula comment`).toMatch(FORMULA);
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
