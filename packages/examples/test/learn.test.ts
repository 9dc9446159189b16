// docs/learn.md as a learner meets it: every shell command in it is one this test knows how to
// check. The examples' commands run as written, and their output contains the lines the page says
// you will see; each `npx vitest run <file> -t "<name>"` names a test file that has such a test;
// every row of the "Break it" table names a line that exists once in its file, as written.
// (Its TypeScript blocks run in snippets.test.ts, with the other docs.)
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeBlocks, repoRoot } from './markdown';

const file = 'docs/learn.md';
const text = readFileSync(repoRoot + file, 'utf8');
const blocks = codeBlocks(file, ['sh', 'text', 'ts', 'typescript', 'diff', 'math']);
const textBlocks = new Set(codeBlocks(file, ['text']).map((b) => b.where));
const rootScripts = (JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { scripts: Record<string, string> })
  .scripts;
const exampleScripts = (
  JSON.parse(readFileSync(`${repoRoot}packages/examples/package.json`, 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The test names (it/describe titles) of a test file, as written in its source. */
function titles(path: string): string[] {
  const src = readFileSync(repoRoot + path, 'utf8');
  return [...src.matchAll(/(?:it|describe)\(\s*[`'"]([^`'"]*)/g)].map((m) => m[1] as string);
}

/** Every `npx vitest run …` the page mentions, in code spans or blocks. */
const vitestCommands = [...text.matchAll(/npx vitest run (\S+)(?: -t "([^"]+)")?/g)].map((m) => ({
  command: m[0],
  path: m[1] as string,
  name: m[2],
}));

describe('docs/learn.md', () => {
  it('has six steps, each with a check', () => {
    const steps = [...text.matchAll(/^## (\d)\. /gm)].map((m) => Number(m[1]));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    for (const section of text.split(/^## \d\. /m).slice(1)) expect(section).toMatch(/\*\*Check:\*\*/);
  });

  for (const block of codeBlocks(file, ['sh'])) {
    // the block right after it, if it is the `text` block of the output to expect
    const next = blocks[blocks.findIndex((b) => b.where === block.where) + 1];
    const expected = next && textBlocks.has(next.where) ? next : undefined;
    const follows = expected !== undefined;
    for (const command of block.code.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))) {
      const example = /^npx --yes pnpm@10 --filter @chainrule\/examples (example:[\w-]+)$/.exec(command);
      if (example) {
        it(`${block.where}: \`${command}\` runs and prints what the page shows`, () => {
          expect(exampleScripts[example[1] as string], `no script ${example[1]}`).toBeDefined();
          const out = execSync(command, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
          expect(follows, 'an example command is followed by a text block of the output to expect').toBe(true);
          for (const line of (expected?.code ?? '').split('\n').filter((l) => l.trim() !== '')) {
            expect(out, `the output of ${command}`).toContain(line);
          }
        }, 180_000);
      } else if (command === 'npx --yes pnpm@10 install') {
        it(`${block.where}: \`${command}\` is the README's install`, () => {
          expect(readFileSync(`${repoRoot}README.md`, 'utf8')).toContain(command);
        });
      } else if (command === 'npx --yes pnpm@10 playground') {
        // a dev server that runs until stopped: its script and app are checked, and the playground's
        // own browser test drives the built site
        it(`${block.where}: \`${command}\` names the playground's dev server`, () => {
          expect(rootScripts.playground).toBe('pnpm --filter @chainrule/playground dev');
          expect(existsSync(`${repoRoot}packages/playground/index.html`)).toBe(true);
        });
      } else {
        it(`${block.where}: \`${command}\` is a command this test knows`, () => {
          expect.fail(`learn.test.ts does not know how to check \`${command}\`; teach it`);
        });
      }
    }
  }

  it('mentions its vitest commands, and each names a test file with a matching test', () => {
    expect(vitestCommands.length).toBeGreaterThanOrEqual(10);
    for (const { command, path, name } of vitestCommands) {
      expect(existsSync(repoRoot + path), command).toBe(true);
      if (name !== undefined) {
        // the rule-table tests take their titles from rules.ts rows (`${op} backward: …`)
        const rows = readFileSync(`${repoRoot}packages/core/test/rules.ts`, 'utf8');
        expect(
          titles(path).some((t) => t.includes(name)) || (path.endsWith('.test.ts') && rows.includes(`op: '${name}'`)),
          `${command}: no test title in ${path} contains "${name}"`,
        ).toBe(true);
      }
    }
  });

  it('the sin exercise applies: the row, the type and the place for the method are as the page says', () => {
    expect(readFileSync(`${repoRoot}packages/core/test/rules.ts`, 'utf8')).toMatch(
      /\{ op: 'sin', formula: null, rule: '[^']+', f: Math\.sin, df: Math\.cos, domain: \[-4, 4\], value: false \}/,
    );
    expect(readFileSync(`${repoRoot}packages/core/test/value.test.ts`, 'utf8')).toContain('type UnaryName = ');
    const value = readFileSync(`${repoRoot}packages/core/src/value.ts`, 'utf8');
    expect(value).toContain('  /** tanh x (F8: d/dx = 1 − tanh² x). */');
    expect(value).not.toMatch(/^ {2}sin\(\): Value/m); // the exercise is left to the reader
  });

  it('every "Break it" row names a line that exists once in its file, and a test that exists', () => {
    const section = text.slice(text.indexOf('## 4. Break it'), text.indexOf('## 5.'));
    const rows = section
      .split('\n')
      .filter((l) => l.startsWith('| ') && l.includes('`packages/'))
      .map((l) => [...l.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows) {
      const [path, before, after, test] = row.slice(-4) as [string, string, string, string];
      const src = readFileSync(repoRoot + path, 'utf8');
      expect(src.split(before).length - 1, `${path}: "${before}" should occur exactly once`).toBe(1);
      expect(after).not.toBe(before);
      expect(test).toMatch(/^npx vitest run \S+ -t "[^"]+"$/);
    }
  });
});
