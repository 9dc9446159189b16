// The docs against the code. (1) The figures docs/backprop.md prints — the XOR worked example, the
// vanishing- and exploding-gradient tables and the numbers quoted beside them — equal, at the
// precision printed, what the examples compute now. (2) The LaTeX in docs/*.md uses the forms
// GitHub renders intact: $`…`$ inline and ```math blocks, never a bare $…$ holding a
// backslash sequence that Markdown's escape pass eats.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EXPLODING_SCALE,
  layerGradientNorms,
  trainXor,
  XOR_SOLVED_SEED,
  XOR_STUCK_SEED,
  xorWorkedExample,
} from '../src/index';
import { markdownFiles, repoRoot } from './markdown';

const backprop = readFileSync(`${repoRoot}docs/backprop.md`, 'utf8');

/** The numbers written in `text` (− read as a minus sign, thousands commas dropped), as printed. */
function printedNumbers(text: string): string[] {
  return [...text.replaceAll('−', '-').matchAll(/-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?/g)].map((m) =>
    m[0].replaceAll(',', ''),
  );
}

/** `value` rounds to `printed` at the precision printed: significant digits for 1.2e−7, decimals otherwise. */
function expectPrinted(printed: string, value: number, where: string): void {
  const [mantissa = '', exponent] = printed.split('e');
  const rounded =
    exponent !== undefined
      ? Number(value.toPrecision(mantissa.replace(/^-?0*\.?0*/, '').replace('.', '').length))
      : Number(value.toFixed(mantissa.split('.')[1]?.length ?? 0));
  expect(Object.is(rounded, -0) ? 0 : rounded, `${where}: printed ${printed}, computed ${value}`).toBe(Number(printed));
}

function expectRow(printed: string[], values: number[], where: string): void {
  expect(printed.length, `${where}: ${printed.join(' ')} against ${values.join(' ')}`).toBe(values.length);
  printed.forEach((p, i) => {
    expectPrinted(p, values[i] as number, `${where}, entry ${i + 1}`);
  });
}

/** The cells of the Markdown table rows of `doc` whose first cell is `first`, in document order. */
function tableRows(doc: string, first: string): string[][] {
  return doc
    .split('\n')
    .filter((line) => line.startsWith(`| ${first} |`))
    .map((line) =>
      line
        .split('|')
        .slice(2, -1)
        .map((c) => c.trim()),
    );
}

describe('docs/backprop.md agrees with the examples', () => {
  it('the XOR worked example: every cell of the table, the loss and the gradients', () => {
    const w = xorWorkedExample();
    const rows = backprop.split('\n').filter((l) => /^\| \(\d, \d\) \|/.test(l));
    expect(rows).toHaveLength(4);
    rows.forEach((line, n) => {
      const r = w.rows[n];
      if (r === undefined) throw new Error('four rows');
      const cells = line.split('|').slice(1, -1);
      // a cell such as "σ(1) ≈ 0.7311" is read after its ≈
      const printed = cells.flatMap((c) => printedNumbers(c.includes('≈') ? (c.split('≈').pop() as string) : c));
      const values = [...r.x, r.t, ...r.z1, ...r.a1, r.z2, r.y, r.delta2, ...r.reluPrime, ...r.delta1];
      expectRow(printed, values, `XOR table row ${n + 1}`);
    });
    const loss = /\\approx (\d\.\d+)`\$ and, summing the rows/.exec(backprop)?.[1];
    expectPrinted(loss as string, w.loss, 'L');
    const block = backprop.slice(backprop.indexOf('```math\n\\frac{\\partial L}{\\partial b^{(2)}}'));
    const sums = block.slice(0, block.indexOf('\n```', 4));
    const decimals = [...sums.matchAll(/-?\d+\.\d+/g)].map((m) => m[0]);
    expectRow(decimals, [w.gradB2, ...w.gradW2, ...w.gradW1.flat(), ...w.gradB1], 'the summed gradients');
  });

  it('the kink table: ReLU′(0) = 0 is autodiff’s; ReLU′(0) = 1 is F5 with 1[z ≥ 0]', () => {
    const w = xorWorkedExample();
    // δ⁽¹⁾ under the other convention: w⁽²⁾δ⁽²⁾ ∘ 1[z⁽¹⁾ ≥ 0], with w⁽²⁾ = (1, −2)
    const w2 = [1, -2];
    const d1 = w.rows.map((r) => r.z1.map((z, j) => (z >= 0 ? (w2[j] as number) * r.delta2 : 0)));
    const gW1 = [0, 1].map((j) =>
      [0, 1].map((i) => w.rows.reduce((s, r, n) => s + (d1[n]?.[j] as number) * (r.x[i] as number), 0)),
    );
    const gb1 = [0, 1].map((j) => d1.reduce((s, d) => s + (d[j] as number), 0));
    const [row1, row2] = [tableRows(backprop, '∂L/∂W⁽¹⁾, row 1')[0], tableRows(backprop, '∂L/∂W⁽¹⁾, row 2')[0]];
    const b1 = tableRows(backprop, '∂L/∂b⁽¹⁾')[0];
    for (const [cells, zero, one, name] of [
      [row1, w.gradW1[0], gW1[0], 'W⁽¹⁾ row 1'],
      [row2, w.gradW1[1], gW1[1], 'W⁽¹⁾ row 2'],
      [b1, w.gradB1, gb1, 'b⁽¹⁾'],
    ] as const) {
      expectRow(printedNumbers(cells?.[0] ?? ''), zero as number[], `${name}, ReLU′(0) = 0`);
      expectRow(printedNumbers(cells?.[1] ?? ''), one as number[], `${name}, ReLU′(0) = 1`);
    }
    // "four of the six hidden gradients would differ"
    const all0 = [...w.gradW1.flat(), ...w.gradB1].map((v) => v.toFixed(4));
    const all1 = [...gW1.flat(), ...gb1].map((v) => v.toFixed(4));
    expect(all0.filter((v, i) => v !== all1[i])).toHaveLength(4);
    expect(backprop).toContain('four of\nthe six hidden gradients would differ');
  });

  it('the XOR training figures: seed 1 solves it, seed 2 is stuck', () => {
    const m =
      /seed 1 solves XOR \(loss ([\d.]+) after ([\d,]+) steps\), seed 2 starts with unit 2 dead and\nstays at 3 of 4 \(loss ([\d.]+), flat\)/.exec(
        backprop,
      );
    expect(m).not.toBeNull();
    const [solvedLoss, steps, stuckLoss] = (m as RegExpExecArray).slice(1) as [string, string, string];
    const solved = trainXor(XOR_SOLVED_SEED);
    const stuck = trainXor(XOR_STUCK_SEED);
    expect(solved.losses).toHaveLength(Number(steps.replace(',', '')));
    expectPrinted(solvedLoss, solved.losses[solved.losses.length - 1] as number, 'seed 1 loss');
    expectPrinted(stuckLoss, stuck.losses[stuck.losses.length - 1] as number, 'seed 2 loss');
    expect(stuck.deadUnits).toEqual([1]); // "unit 2 dead"
    expect(stuck.accuracy).toBe(0.75);
  });

  it('the vanishing- and exploding-gradient tables and the figures quoted beside them', () => {
    const sigmoid = layerGradientNorms('sigmoid');
    const relu = layerGradientNorms('relu');
    const big = layerGradientNorms('relu', 10, 64, 0, EXPLODING_SCALE);
    const [sigmoidW, sigmoidDelta] = tableRows(backprop, 'sigmoid');
    const [reluW, reluDelta] = tableRows(backprop, 'ReLU');
    const [bigDelta] = tableRows(backprop, `ReLU, weights ×${EXPLODING_SCALE}`);
    const row = (cells: string[] | undefined) => (cells ?? []).flatMap(printedNumbers);
    expectRow(row(sigmoidW), sigmoid.norms, '‖∂L/∂W‖, sigmoid');
    expectRow(row(reluW), relu.norms, '‖∂L/∂W‖, ReLU');
    expectRow(row(sigmoidDelta), sigmoid.deltaNorms, '‖δ‖, sigmoid');
    expectRow(row(reluDelta), relu.deltaNorms, '‖δ‖, ReLU');
    expectRow(row(bigDelta), big.deltaNorms, `‖δ‖, ReLU ×${EXPLODING_SCALE}`);

    const ratios = (l: typeof sigmoid) => l.deltaNorms.slice(0, -1).map((d, i) => d / (l.deltaNorms[i + 1] as number));
    const range = (v: number[]) => [Math.min(...v), Math.max(...v)];
    const quoted = (re: RegExp) => {
      const m = re.exec(backprop);
      expect(m, String(re)).not.toBeNull();
      return (m as RegExpExecArray).slice(1).map((p) => p.replaceAll(',', ''));
    };
    // F23: the per-layer ratio and the weight norms of the sigmoid network
    const [r0, r1] = quoted(/is between (\d\.\d+) and (\d\.\d+) while every/);
    expectRow([r0, r1] as string[], range(ratios(sigmoid)), 'sigmoid δ ratios');
    const [w0, w1] = quoted(/is between ([\d.]+) and ([\d.]+): the bound/);
    expectRow([w0, w1] as string[], range(sigmoid.weightNorms.slice(1, -1)), 'sigmoid ‖W‖');
    // F24: the exploding case
    const [e0, e1] = quoted(/each layer doubles δ \(ratios (\d\.\d+) to (\d\.\d+)\)/);
    expectRow([e0, e1] as string[], range(ratios(big)), 'exploding δ ratios');
    const [g0, g1, k0, k1] = quoted(/is (\d+) to\n([\d,]+) in every layer against ([\d.]+) to ([\d.]+) with Kaiming/);
    const bigRange = range(big.norms);
    expect(Number(g0)).toBe(Number((bigRange[0] as number).toPrecision(2)));
    expect(Number(g1)).toBe(Number((bigRange[1] as number).toPrecision(2)));
    expectRow([k0, k1] as string[], range(relu.norms), 'Kaiming ‖∂L/∂W‖');
    const [t0, t1] = quoted(/has norm\n([\d.e+]+) against ([\d.]+): one SGD step/);
    expect(Number(t0)).toBe(Number(big.totalNorm.toPrecision(3)));
    expectPrinted(t1 as string, relu.totalNorm, 'Kaiming total norm');
    const [clipped] = quoted(/the measured norm is\n(\d\.\d+) in all three networks/);
    for (const l of [sigmoid, relu, big]) expectPrinted(clipped as string, l.clippedNorm, 'clipped norm');
  });
});

/** Bare $…$ spans (outside code, ```math blocks and $`…`$ spans) that hold \{ \\ \, \; or \|. */
export function riskyMath(markdown: string): string[] {
  const found: string[] = [];
  const lines = markdown.split('\n');
  let fence: string | null = null;
  lines.forEach((line, i) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = fence === null ? (open[1] as string) : line.trim().startsWith(fence) ? null : fence;
      return;
    }
    if (fence !== null) return;
    // drop $`…`$ spans and inline code, then look at what is left
    const prose = line.replace(/\$`[^`]*`\$/g, ' ').replace(/`[^`]*`/g, ' ');
    if (prose.includes('$$')) found.push(`line ${i + 1}: $$ display math (use a \`\`\`math block)`);
    for (const m of prose.matchAll(/\$([^$]+)\$/g)) {
      if (/\\[{},;|\\]/.test(m[1] as string)) found.push(`line ${i + 1}: $${m[1]}$`);
    }
  });
  return found;
}

describe('math in the docs renders on GitHub', () => {
  it('the check finds the forms Markdown breaks and passes the safe ones', () => {
    expect(riskyMath('a set $x \\in \\{0,1\\}$ here')).toHaveLength(1);
    expect(riskyMath('$\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}$')).toHaveLength(1);
    expect(riskyMath('thin $a\\,b$, $a\\;b$, norm $\\|x\\|$')).toHaveLength(3);
    expect(riskyMath('$$\nz = 1\n$$')).toHaveLength(2);
    expect(riskyMath('$`x \\in \\{0,1\\}`$ and $`\\|x\\|`$ and `$\\{$` in code')).toEqual([]);
    expect(riskyMath('```math\n\\{ \\|x\\| \\}\n```\nplain $x^2$ and $5')).toEqual([]);
  });

  for (const file of markdownFiles().filter((f) => f.startsWith('docs/'))) {
    it(`${file}: no bare $…$ with \\{ \\\\ \\, \\; or \\|, no $$ blocks`, () => {
      expect(riskyMath(readFileSync(repoRoot + file, 'utf8'))).toEqual([]);
    });
  }
});
