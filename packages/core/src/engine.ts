// The autograd engine, shared unchanged by the scalar Value graph and the Tensor graph:
// order the graph (iteratively, so a million-node chain cannot overflow the stack), run each
// node's backward step from the output down, then release the steps.
import { ChainruleError } from './errors';

/** A node of a computation graph, as the engine sees it. */
export interface GraphNode {
  /** The operands this node was computed from (children in the expression-tree sense; micrograd's `_prev`). */
  readonly children: readonly GraphNode[];
  /** Adds this node's contribution to each child's gradient; null for leaves and after release. */
  backwardStep: (() => void) | null;
}

/**
 * Children before parents: the order micrograd's recursive build_topo produces, computed with an
 * explicit stack instead of recursion. The recursive form, which this loop unrolls (each stack
 * entry remembers which child to visit next), reads:
 *
 *     function topoSortRecursive(root: GraphNode): GraphNode[] {
 *       const order: GraphNode[] = [];
 *       const visited = new Set<GraphNode>();
 *       const visit = (node: GraphNode): void => {
 *         if (visited.has(node)) return;
 *         visited.add(node);
 *         for (const child of node.children) visit(child);
 *         order.push(node); // after all its children
 *       };
 *       visit(root);
 *       return order;
 *     }
 *
 * In Node 20, with its default stack, that overflows on a chain of a few thousand nodes (measured:
 * 5,000 pass, 6,000 throw); this loop sorts the 1,000,000-node chain of engine.test.ts.
 */
export function topoSort(root: GraphNode): GraphNode[] {
  const order: GraphNode[] = [];
  const visited = new Set<GraphNode>([root]);
  const stack: GraphNode[] = [root];
  const nextChild: number[] = [0]; // per stack entry: the index of the next child to visit
  while (stack.length > 0) {
    const top = stack.length - 1;
    const node = stack[top] as GraphNode;
    const i = nextChild[top] as number;
    if (i < node.children.length) {
      nextChild[top] = i + 1;
      const child = node.children[i] as GraphNode;
      if (!visited.has(child)) {
        visited.add(child);
        stack.push(child);
        nextChild.push(0);
      }
    } else {
      order.push(node); // every child is placed: the node can follow them
      stack.pop();
      nextChild.pop();
    }
  }
  return order;
}

/**
 * Reverse-mode sweep from `root`. `seed` sets ∂root/∂root (1 for a scalar); each node's
 * backwardStep then adds ∂L/∂child into its children, in reverse topological order, so a
 * node's gradient is complete before it is propagated (the multivariate chain rule, F16).
 * Afterwards every step is released (unless `retainGraph`): closures and saved buffers become
 * garbage, and a second sweep through the same graph throws, as PyTorch does without
 * `retain_graph`.
 *
 * @throws ChainruleError if part of the graph was already released by an earlier backward();
 *   nothing is seeded or accumulated in that case.
 */
export function runBackward(
  root: GraphNode,
  seed: () => void,
  opName = 'backward',
  retainGraph = false,
  order: readonly GraphNode[] = topoSort(root),
): void {
  for (const node of order) {
    if (node.backwardStep === null && node.children.length > 0) {
      throw new ChainruleError(
        `${opName}: the graph has already been freed by an earlier backward() (a node computed from ` +
          `${node.children.length} operand(s) has no backward step left); recompute the forward pass`,
      );
    }
  }
  seed();
  for (let i = order.length - 1; i >= 0; i--) (order[i] as GraphNode).backwardStep?.();
  if (!retainGraph) for (const node of order) node.backwardStep = null;
}
