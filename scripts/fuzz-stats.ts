// Outcome counts of a fuzz test (op → successes, ChainruleErrors, anything else), appended as one
// JSON line to the file named by FUZZ_STATS when the test file ends; scripts/fuzz-long.sh adds
// them up. Shared by the core and nn fuzz tests.
import { appendFileSync } from 'node:fs';
import { afterAll } from 'vitest';

export type Outcome = 'ok' | 'chainrule' | 'other';

/** A counter for `pkg`'s fuzz test; registers the afterAll hook that writes its counts. */
export function fuzzStats(pkg: string): (op: string, outcome: Outcome) => void {
  const stats = new Map<string, { ok: number; chainrule: number; other: number }>();
  afterAll(() => {
    const file = process.env.FUZZ_STATS;
    if (file) appendFileSync(file, `${JSON.stringify({ package: pkg, stats: Object.fromEntries(stats) })}\n`);
  });
  return (op, outcome) => {
    const s = stats.get(op) ?? { ok: 0, chainrule: 0, other: 0 };
    s[outcome]++;
    stats.set(op, s);
  };
}
