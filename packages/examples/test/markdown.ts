// Code blocks of the project's Markdown, so tests can run them as written: the tour can never drift
// from the code.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The Markdown whose code blocks are tested: the READMEs and every file in docs/. */
export function markdownFiles(): string[] {
  const docs = readdirSync(`${repoRoot}docs`).filter((f) => f.endsWith('.md'));
  const packages = readdirSync(`${repoRoot}packages`).flatMap((p) =>
    readdirSync(`${repoRoot}packages/${p}`).includes('README.md') ? [`packages/${p}/README.md`] : [],
  );
  return ['README.md', ...docs.map((f) => `docs/${f}`), ...packages];
}

export interface CodeBlock {
  /** e.g. `README.md:112`, the line of the opening fence. */
  where: string;
  code: string;
}

/** The fenced blocks of `file` (relative to the repo root) whose info string is one of `langs`. */
export function codeBlocks(file: string, langs: readonly string[]): CodeBlock[] {
  const lines = readFileSync(repoRoot + file, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = '', fence = '```', lang = ''] = open;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(fence); i++) {
      body.push((lines[i] as string).slice(indent.length));
    }
    if (langs.includes(lang)) blocks.push({ where: `${file}:${start + 1}`, code: body.join('\n') });
  }
  return blocks;
}
