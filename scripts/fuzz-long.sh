#!/usr/bin/env bash
# The long fuzz run of issue 12: the property tests over the public API of @chainrule/core and
# @chainrule/nn, and the mutation fuzz of the safetensors reader, with FUZZ_RUNS runs per property
# (default 5000; the suite runs 150 in core, 250 in nn), then the counts: calls tried, successes,
# ChainruleErrors by op, and anything else thrown (which fails the run).
#   scripts/fuzz-long.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5000}"
stats="$(mktemp)"
trap 'rm -f "$stats"' EXIT
status=0
FUZZ_RUNS="$runs" FUZZ_STATS="$stats" npx vitest run --testTimeout=0 \
  packages/core/test/fuzz.test.ts packages/nn/test/fuzz.test.ts packages/nn/test/safetensors-fuzz.test.ts || status=$?
node - "$stats" "$runs" <<'JS'
const [file, runs] = process.argv.slice(2);
const lines = require('node:fs').readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
const total = { calls: 0, ok: 0, chainrule: 0, other: 0 };
console.log(`\nfuzz counts (FUZZ_RUNS=${runs})`);
for (const { package: pkg, stats } of lines.map((l) => JSON.parse(l))) {
  const rows = Object.entries(stats);
  const sum = { calls: 0, ok: 0, chainrule: 0, other: 0 };
  for (const [, s] of rows) {
    sum.calls += s.ok + s.chainrule + s.other;
    sum.ok += s.ok;
    sum.chainrule += s.chainrule;
    sum.other += s.other;
  }
  for (const k of Object.keys(total)) total[k] += sum[k];
  console.log(`\n${pkg}: ${sum.calls} calls, ${sum.ok} succeeded, ${sum.chainrule} ChainruleError, ${sum.other} other`);
  const byOp = rows.filter(([, s]) => s.chainrule > 0).sort((a, b) => b[1].chainrule - a[1].chainrule);
  console.log(`  ChainruleErrors by op: ${byOp.map(([op, s]) => `${op} ${s.chainrule}`).join(', ')}`);
  const other = rows.filter(([, s]) => s.other > 0);
  if (other.length > 0) console.log(`  OTHER THROWS: ${other.map(([op, s]) => `${op} ${s.other}`).join(', ')}`);
}
console.log(`\nall: ${total.calls} calls, ${total.ok} succeeded, ${total.chainrule} ChainruleError, ${total.other} other`);
JS
exit "$status"
