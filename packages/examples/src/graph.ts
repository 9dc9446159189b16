// Draws computation graphs after backward(): the three-node chain-rule example of docs/backprop.md
// and a scalar neuron y = tanh(x₁w₁ + x₂w₂ + b), with data and gradient on every node, and a small
// tensor layer with shapes. toDot gives Graphviz DOT text; @viz-js/viz (Graphviz compiled to WebAssembly, ~5 MB, no dependencies) renders it to SVG
// in the process: no system Graphviz needed.
// Usage: tsx --conditions=@chainrule/source src/graph.ts [output directory, default ./out]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, randn, toDot, Value } from '@chainrule/core';
import { instance } from '@viz-js/viz';
import { isMain, outDir } from './main';

/**
 * The chain rule on three nodes, the first example of docs/backprop.md: e = a·b, d = e + a,
 * L = d² at a = 3, b = −2, after L.backward(). a is used twice, so its gradient is the sum of the
 * two paths: ∂L/∂a = ∂L/∂e·b + ∂L/∂d·1 = (−6)(−2) + (−6) = 6 (F16).
 */
export function chainRuleGraph(): { dot: string; L: Value; a: Value; b: Value; e: Value; d: Value } {
  const a = new Value(3, { label: 'a' });
  const b = new Value(-2, { label: 'b' });
  const e = a.mul(b);
  e.label = 'e = a·b';
  const d = e.add(a);
  d.label = 'd = e + a';
  const L = d.pow(2);
  L.label = 'L = d²';
  L.backward();
  return { dot: toDot(L), L, a, b, e, d };
}

/** The neuron y = tanh(x₁w₁ + x₂w₂ + b) after y.backward(): each node shows its data and grad. */
export function valueGraph(): { dot: string; y: Value; leaves: Record<string, Value> } {
  const x1 = new Value(2, { label: 'x₁' });
  const x2 = new Value(0, { label: 'x₂' });
  const w1 = new Value(-3, { label: 'w₁' });
  const w2 = new Value(1, { label: 'w₂' });
  const b = new Value(6.8813735870195432, { label: 'b' }); // makes z = atanh(1/√2), so y = 1/√2
  const x1w1 = x1.mul(w1);
  x1w1.label = 'x₁w₁';
  const x2w2 = x2.mul(w2);
  x2w2.label = 'x₂w₂';
  const sum = x1w1.add(x2w2);
  sum.label = 'x₁w₁ + x₂w₂';
  const z = sum.add(b);
  z.label = 'z';
  const y = z.tanh();
  y.label = 'y';
  y.backward();
  return { dot: toDot(y), y, leaves: { x1, x2, w1, w2, b } };
}

/** loss = mean(relu(xW + b)) for x [4, 3], W [3, 2], b [2]: each node shows its shape, dtype and gradient. */
export function tensorGraph(): string {
  const rng = new Rng(0);
  const x = randn([4, 3], { rng });
  const w = randn([3, 2], { rng, requiresGrad: true });
  const b = randn([2], { rng, requiresGrad: true });
  x.label = 'x';
  w.label = 'W';
  b.label = 'b';
  const xw = x.matmul(w);
  xw.label = 'xW';
  const z = xw.add(b);
  z.label = 'z';
  const h = z.relu();
  h.label = 'h';
  const loss = h.mean();
  loss.label = 'loss';
  loss.backward();
  return toDot(loss);
}

/** Renders the graphs to `dir`/chain-rule-graph.svg, value-graph.svg and tensor-graph.svg; returns the paths. */
export async function writeGraphs(dir: string): Promise<string[]> {
  const viz = await instance();
  mkdirSync(dir, { recursive: true });
  const graphs: [string, string][] = [
    ['chain-rule-graph', chainRuleGraph().dot],
    ['value-graph', valueGraph().dot],
    ['tensor-graph', tensorGraph()],
  ];
  return graphs.map(([name, dot]) => {
    const path = join(dir, `${name}.svg`);
    writeFileSync(path, viz.renderString(dot, { format: 'svg', engine: 'dot' }));
    return path;
  });
}

if (isMain('graph')) {
  const c = chainRuleGraph();
  console.log(
    `e = a·b = ${c.e.data}, d = e + a = ${c.d.data}, L = d² = ${c.L.data} at a = ${c.a.data}, b = ${c.b.data}`,
  );
  console.log(
    `after L.backward(): d.grad = ${c.d.grad}, e.grad = ${c.e.grad}, a.grad = ${c.a.grad} (two paths added), b.grad = ${c.b.grad}\n`,
  );
  const { dot, y } = valueGraph();
  console.log(`y = tanh(x₁w₁ + x₂w₂ + b) = ${y.data.toFixed(4)}; its graph after y.backward(), as Graphviz DOT:\n`);
  console.log(dot);
  for (const file of await writeGraphs(outDir())) console.log(`wrote ${file}`);
}
