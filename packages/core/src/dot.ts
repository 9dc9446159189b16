// toDot: the graph that produced a Value or a Tensor, as Graphviz DOT (micrograd's draw_dot):
// one record node per value, one ellipse per op, edges from operands to ops to results.
import { topoSort } from './engine';
import { ChainruleError, describe, fmtShape } from './errors';
import { Tensor } from './tensor/tensor';
import { Value } from './value';

/**
 * Graphviz DOT source for the graph that produced `root`. Value nodes show label, data and grad;
 * Tensor nodes show label, shape, dtype and the gradient's shape if one is held; op nodes show
 * the op's name. Render with `dot -Tsvg`.
 * @throws ChainruleError if `root` is neither a Value nor a Tensor.
 * @example
 * const y = new Value(2, { label: 'a' }).mul(3).tanh();
 * toDot(y); // 'digraph chainrule { … }': save as graph.dot, then `dot -Tsvg graph.dot`
 */
export function toDot(root: Value | Tensor): string {
  if (!(root instanceof Value) && !(root instanceof Tensor)) {
    throw new ChainruleError(`toDot: expected a Value or a Tensor, got ${describe(root)}`);
  }
  const order = topoSort(root) as Value[];
  const ids = new Map<Value | Tensor, string>();
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

function nodeLabel(node: Value | Tensor): string {
  const name = node.label === '' ? '' : `${escapeDot(node.label)} | `;
  if (node instanceof Value) return `{ ${name}data ${fmt(node.data)} | grad ${fmt(node.grad)} }`;
  const grad = node.grad === null ? 'no grad' : `grad ${fmtShape(node.grad.shape)}`;
  return `{ ${name}${escapeDot(fmtShape(node.shape))} ${node.dtype} | ${grad} }`;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

function escapeDot(s: string): string {
  return s.replace(/["\\<>{}|]/g, (c) => `\\${c}`);
}
