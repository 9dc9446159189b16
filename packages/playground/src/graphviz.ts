// Graphviz (WebAssembly, embedded in @viz-js/viz's script) and core's toDot, in a chunk of their
// own: the page loads it when the scalar-graph section is first opened. toDot brings the Tensor
// side of @chainrule/core along, so the main bundle stays free of it and its kernels.
import { toDot, type Value } from '@chainrule/core';
import { instance } from '@viz-js/viz';

const viz = instance();

/**
 * The SVG of `root`'s graph, each value's box led by its node id (n0, n1, … in topological
 * order, the ids the stepper's log uses), laid out left to right or top to bottom.
 */
export async function render(root: Value, rankdir: 'LR' | 'TB'): Promise<SVGSVGElement> {
  const dot = toDot(root)
    .replace('rankdir=LR;', `rankdir=${rankdir};`)
    .replace(/^ {2}(n\d+) \[shape=record, label="\{ /gm, '  $1 [shape=record, label="{ $1 | ');
  return (await viz).renderSVGElement(dot);
}
