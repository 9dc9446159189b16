import { describe, expect, it } from 'vitest';
import { type GraphNode, topoSort, Value } from '../src/index';

describe('engine', () => {
  it('topoSort puts every child before its parent, each node once', () => {
    const a = new Value(1);
    const b = new Value(2);
    const c = a.mul(b);
    const d = c.add(a);
    const e = d.mul(c);
    const order = topoSort(e);
    expect(order).toHaveLength(5);
    expect(new Set(order).size).toBe(5);
    const pos = new Map<GraphNode, number>(order.map((n, i) => [n, i]));
    for (const n of order)
      for (const ch of n.children) expect(pos.get(ch) as number).toBeLessThan(pos.get(n) as number);
    expect(order[order.length - 1]).toBe(e);
  });

  it('a chain of 1,000,000 nodes backpropagates without a stack overflow', () => {
    // y = x + 1 + 1 + ... ; then y·x at the end: dy/dx = 1 exactly through the chain
    const x = new Value(0.5);
    let y: Value = x;
    for (let i = 0; i < 1_000_000; i++) y = y.add(1);
    const out = y.mul(2);
    out.backward();
    expect(y.data).toBe(1_000_000.5);
    expect(x.grad).toBe(2);
  });

  it('releases backward steps after backward(), keeping children for toDot', () => {
    const x = new Value(2);
    const y = x.mul(x).tanh();
    y.backward();
    expect(y.backwardStep).toBeNull();
    expect(y.children).toHaveLength(1);
  });

  it('backward on a leaf sets its grad to 1', () => {
    const x = new Value(4);
    x.backward();
    expect(x.grad).toBe(1);
  });
});
