// Draws computation graphs: a scalar Value expression and a small tensor layer, after backward(),
// as Graphviz DOT files (toDot); renders them to SVG when Graphviz's `dot` is installed.
// Usage: tsx --conditions=@chainrule/source src/graph.ts [output directory, default ./graphs]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng, randn, toDot, Value } from '@chainrule/core';
import { isMain } from './main';

/** y = tanh(a·b + c), a neuron with one input, after y.backward(): each node shows its data and grad. */
export function valueGraph(): { dot: string; y: Value } {
  const a = new Value(2, { label: 'a' });
  const b = new Value(-0.5, { label: 'b' });
  const c = new Value(0.3, { label: 'c' });
  const ab = a.mul(b);
  ab.label = 'a·b';
  const z = ab.add(c);
  z.label = 'z';
  const y = z.tanh();
  y.label = 'y';
  y.backward();
  return { dot: toDot(y), y };
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

/** Writes value.dot and tensor.dot into `dir`; returns the paths written (with .svg files if `dot` ran). */
export function writeGraphs(dir: string): { files: string[]; rendered: boolean } {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const graphs: [string, string][] = [
    ['value', valueGraph().dot],
    ['tensor', tensorGraph()],
  ];
  for (const [name, dot] of graphs) {
    const path = join(dir, `${name}.dot`);
    writeFileSync(path, dot);
    files.push(path);
  }
  const rendered = spawnSync('dot', ['-V']).error === undefined;
  if (rendered) {
    for (const [name] of graphs) {
      const svg = join(dir, `${name}.svg`);
      spawnSync('dot', ['-Tsvg', join(dir, `${name}.dot`), '-o', svg], { stdio: 'inherit' });
      files.push(svg);
    }
  }
  return { files, rendered };
}

if (isMain('graph')) {
  const dir = resolve(process.argv[2] ?? 'graphs');
  const { dot, y } = valueGraph();
  console.log(`y = tanh(a·b + c) = ${y.data.toFixed(4)}; its graph after y.backward(), as Graphviz DOT:\n`);
  console.log(dot);
  const { files, rendered } = writeGraphs(dir);
  console.log(`wrote ${files.join(', ')}`);
  if (!rendered) {
    console.log('Graphviz `dot` is not on PATH; install Graphviz (e.g. apt install graphviz), then render with');
    console.log(`  dot -Tsvg ${join(dir, 'value.dot')} -o ${join(dir, 'value.svg')}`);
  }
}
