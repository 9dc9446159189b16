// toDot: the graph that produced a Value or a Tensor, as Graphviz DOT (micrograd's draw_dot):
// one record node per value, one ellipse per op, edges from operands to ops to results.
import { topoSort } from './engine';
import { ChainruleError, describe } from './errors';
import { Value } from './value';

/**
 * Graphviz DOT source for the graph that produced `root`: Value nodes show label, data and grad,
 * op nodes the op's name. Render with `dot -Tsvg`.
 */
export function toDot(root: Value): string {
  if (!(root instanceof Value)) {
    throw new ChainruleError(`toDot: expected a Value or a Tensor, got ${describe(root)}`);
  }
  const order = topoSort(root) as Value[];
  const ids = new Map<Value, string>();
  for (const [i, node] of order.entries()) ids.set(node, `n${i}`);
  const lines = ['digraph chainrule {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const node of order) {
    const id = ids.get(node) as string;
    lines.push(`  ${id} [shape=record, label="${nodeLabel(node)}"];`);
    if (node.op !== '') {
      lines.push(`  ${id}_op [shape=ellipse, label="${escapeDot(node.op)}"];`);
      lines.push(`  ${id}_op -> ${id};`);
      for (const child of node.children) lines.push(`  ${ids.get(child)} -> ${id}_op;`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeLabel(node: Value): string {
  const name = node.label === '' ? '' : `${escapeDot(node.label)} | `;
  return `{ ${name}data ${fmt(node.data)} | grad ${fmt(node.grad)} }`;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

function escapeDot(s: string): string {
  return s.replace(/["\\<>{}|]/g, (c) => `\\${c}`);
}
