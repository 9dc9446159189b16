// Value.backward(), one node at a time: the same reverse topological walk the engine makes
// (core's topoSort, then each node's own backwardStep), paused after every node so the page can
// show which gradient is complete and what it sent to its operands.
import { topoSort, type Value } from '@chainrule/core';

/** What one operand received from the node just processed. */
export interface Contribution {
  /** Position of the operand in topological order (its `n<i>` id in toDot's output). */
  child: number;
  /** The local derivative ∂node/∂operand, as the formula of the node's op reads. */
  formula: string;
  /** ∂L/∂node · ∂node/∂operand: what the node's backward step added to the operand's grad. */
  added: number;
  /** The local derivative's value, added / ∂L/∂node (NaN when ∂L/∂node = 0). */
  local: number;
}

/** One step of the walk: `node` was reached in reverse topological order, so its grad is final (F16). */
export interface StepRecord {
  /** Position of the node in topological order (toDot's `n<i>`). */
  node: number;
  op: string;
  label: string;
  data: number;
  grad: number;
  contributions: Contribution[];
}

/** The local derivative of each op with respect to its operands, for display. */
const LOCAL: Record<string, (i: number) => string> = {
  '+': () => '∂(a + b)/∂· = 1',
  '-': (i) => (i === 0 ? '∂(a − b)/∂a = 1' : '∂(a − b)/∂b = −1'),
  '*': (i) => (i === 0 ? '∂(a·b)/∂a = b' : '∂(a·b)/∂b = a'),
  '/': (i) => (i === 0 ? '∂(a/b)/∂a = 1/b' : '∂(a/b)/∂b = −a/b²'),
  neg: () => 'd(−x)/dx = −1',
  exp: () => 'd eˣ/dx = eˣ',
  log: () => 'd ln x/dx = 1/x',
  tanh: () => 'd tanh x/dx = 1 − tanh² x (F8)',
  sigmoid: () => 'dσ(x)/dx = σ(x)(1 − σ(x)) (F7)',
  relu: () => 'd relu(x)/dx = [x > 0] (F9)',
};

function localFormula(op: string, i: number): string {
  if (op.startsWith('^')) return `d xⁿ/dx = n·xⁿ⁻¹, n = ${op.slice(1)}`;
  return LOCAL[op]?.(i) ?? op;
}

/** Walks the backward pass of `root` one node per `next()`. */
export class BackwardStepper {
  /** Children before parents (toDot numbers its nodes in this order). */
  readonly order: Value[];
  private readonly index: Map<Value, number>;
  private k = 0;

  constructor(readonly root: Value) {
    this.order = topoSort(root) as Value[];
    this.index = new Map(this.order.map((v, i) => [v, i]));
    for (const v of this.order) v.grad = 0;
  }

  get done(): boolean {
    return this.k >= this.order.length;
  }

  /** How many nodes have been processed. */
  get processed(): number {
    return this.k;
  }

  /** Processes the next node in reverse topological order; null once every node is done. */
  next(): StepRecord | null {
    if (this.done) return null;
    const node = this.order[this.order.length - 1 - this.k] as Value;
    if (this.k === 0) node.grad = 1; // the seed ∂L/∂L = 1, as Value.backward() sets it
    this.k++;
    const before = node.children.map((c) => c.grad);
    node.backwardStep?.();
    node.backwardStep = null;
    // an operand used twice (a·a) appears twice; its grad grew by both terms, reported once
    const seen = new Set<Value>();
    const contributions: Contribution[] = [];
    node.children.forEach((c, i) => {
      if (seen.has(c)) return;
      seen.add(c);
      const formulas = node.children.flatMap((d, m) => (d === c ? [localFormula(node.op, m)] : []));
      contributions.push({
        child: this.index.get(c) as number,
        formula: formulas.join(' and '),
        added: c.grad - (before[i] as number),
        local: node.grad === 0 ? Number.NaN : (c.grad - (before[i] as number)) / node.grad,
      });
    });
    return {
      node: this.index.get(node) as number,
      op: node.op,
      label: node.label,
      data: node.data,
      grad: node.grad,
      contributions,
    };
  }
}
