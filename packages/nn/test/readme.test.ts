// The README's training loop runs as written: its code block is read from README.md, its imports
// bound to the workspace sources, and its checkpoint file put in a temporary directory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@chainrule/core';
import { noGrad, type Tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index';
import * as node from '../src/node';

/** The first ```ts block under the README heading `heading`. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf(`## ${heading}\n`));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (match === null || !readme.includes(`## ${heading}\n`)) throw new Error(`README has no ts block under ${heading}`);
  return match[1] as string;
}

describe('README', () => {
  it('"A training loop" runs as written, trains, checkpoints and resumes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-readme-'));
    try {
      const inDir = (path: string) => join(dir, path);
      const modules: Record<string, Record<string, unknown>> = {
        '@chainrule/core': core,
        '@chainrule/nn': nn,
        '@chainrule/nn/node': {
          saveCheckpoint: (p: string, ...rest: [never, never]) => node.saveCheckpoint(inDir(p), ...rest),
          loadCheckpointWithMetadata: (p: string) => node.loadCheckpointWithMetadata(inDir(p)),
        },
      };
      // `import { a, b } from 'm';` becomes `const { a, b } = modules['m'];`; the rest is plain JS.
      const code = readmeBlock('A training loop').replace(
        /^import \{([^}]*)\} from '([^']+)';$/gm,
        (_m, names: string, from: string) => `const {${names}} = modules[${JSON.stringify(from)}];`,
      );
      const run = new Function('modules', `${code}\nreturn { model, opt, sched, saved, points, labels };`);
      const { model, opt, sched, saved, points, labels } = run(modules);
      expect(saved.epoch).toBe(29);
      expect(sched.lastEpoch).toBe(30);
      expect(opt.paramGroups[0].lr).toBe(0); // cosine annealed to etaMin = 0
      const logits = noGrad(() => model.forward(core.tensor(points))) as Tensor;
      let correct = 0;
      labels.forEach((t: number, i: number) => {
        if (Number((logits.data[2 * i + 1] as number) > (logits.data[2 * i] as number)) === t) correct++;
      });
      expect(correct / labels.length).toBeGreaterThanOrEqual(0.95);
      // the resumed objects hold the saved state
      expect(opt.stateDict().state[0].step).toBe(30 * 8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
