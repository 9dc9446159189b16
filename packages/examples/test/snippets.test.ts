// Every TypeScript block in README.md, packages/*/README.md and docs/*.md runs as written: each is
// saved as a module next to this package (whose dependencies are @chainrule/core and
// @chainrule/nn, so its imports resolve as a user's would) and imported. A snippet that needs data
// must define it. They run in that folder, so the files they write are removed with it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { codeBlocks, markdownFiles, repoRoot } from './markdown';

const dir = `${repoRoot}packages/examples/.snippets/md/`;
const snippets = markdownFiles().flatMap((file) => codeBlocks(file, ['ts', 'typescript']));

describe('code snippets in the docs', () => {
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the tour in the README', () => {
    expect(snippets.filter((s) => s.where.startsWith('README.md:')).length).toBeGreaterThanOrEqual(3);
  });

  for (const [i, { where, code }] of snippets.entries()) {
    it(`${where} runs as written`, async () => {
      const file = `${dir}snippet-${i}.ts`;
      writeFileSync(file, `// ${where}\n${code}\nexport {};\n`);
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      // files a snippet writes (a checkpoint…) land in the scratch folder, not in the repository
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        await import(/* @vite-ignore */ file);
      } finally {
        process.chdir(cwd);
        log.mockRestore();
      }
    });
  }
});
