import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainruleError, toDot, Value } from '../src/index';
import { awayFromKink, binaryRules, centralDiff, close, powRules, unaryRules } from './rules';

const runs = { numRuns: 200, seed: 42 };
const inDomain = ([lo, hi]: [number, number]) => fc.double({ min: lo, max: hi, noNaN: true });

type UnaryName = 'neg' | 'exp' | 'log' | 'tanh' | 'sigmoid' | 'relu';
const applyUnary = (op: string, x: Value): Value => x[op as UnaryName]();

describe('Value: every unary op against its hand formula and a central difference', () => {
  for (const r of unaryRules.filter((u) => u.value)) {
    const tag = r.formula ? `${r.formula}: ` : '';
    it(`${tag}${r.op} forward equals the reference`, () => {
      fc.assert(
        fc.property(inDomain(r.domain), (x) => {
          expect(close(applyUnary(r.op, new Value(x)).data, r.f(x), 1e-15)).toBe(true);
        }),
        runs,
      );
    });
    it(`${tag}${r.op} backward: ${r.rule}`, () => {
      fc.assert(
        fc.property(
          inDomain(r.domain).filter((x) => awayFromKink(x, r.kink)),
          (x) => {
            const v = new Value(x);
            applyUnary(r.op, v).backward();
            expect(close(v.grad, r.df(x), 1e-12)).toBe(true);
            const numeric = centralDiff((t) => applyUnary(r.op, new Value(t)).data, x);
            expect(close(v.grad, numeric, 1e-7, 1e-8)).toBe(true);
          },
        ),
        runs,
      );
    });
  }
});

describe('Value: binary ops against their hand formulas and central differences', () => {
  for (const r of binaryRules) {
    it(`${r.op} forward and backward: ${r.rule}`, () => {
      fc.assert(
        fc.property(inDomain(r.domainA), inDomain(r.domainB), (a, b) => {
          const va = new Value(a);
          const vb = new Value(b);
          const y = va[r.op](vb);
          expect(y.data).toBe(r.f(a, b));
          y.backward();
          expect(close(va.grad, r.da(a, b), 1e-12)).toBe(true);
          expect(close(vb.grad, r.db(a, b), 1e-12)).toBe(true);
          expect(
            close(
              va.grad,
              centralDiff((t) => r.f(t, b), a),
              1e-7,
              1e-8,
            ),
          ).toBe(true);
          expect(
            close(
              vb.grad,
              centralDiff((t) => r.f(a, t), b),
              1e-7,
              1e-8,
            ),
          ).toBe(true);
        }),
        runs,
      );
    });
    it(`${r.op} accepts a number operand as a constant`, () => {
      const a = new Value(1.5);
      const y = a[r.op](2);
      expect(y.data).toBe(r.f(1.5, 2));
      y.backward();
      expect(a.grad).toBe(r.da(1.5, 2));
    });
  }

  for (const { exponent, domain } of powRules) {
    it(`pow(${exponent}) backward: d xⁿ/dx = n·xⁿ⁻¹`, () => {
      fc.assert(
        fc.property(inDomain(domain), (x) => {
          const v = new Value(x);
          const y = v.pow(exponent);
          expect(y.data).toBe(x ** exponent);
          y.backward();
          expect(close(v.grad, exponent * x ** (exponent - 1), 1e-12)).toBe(true);
          expect(
            close(
              v.grad,
              centralDiff((t) => t ** exponent, x),
              1e-7,
              1e-8,
            ),
          ).toBe(true);
        }),
        runs,
      );
    });
  }
});

describe('Value: composite expressions with hand-computed values', () => {
  it('F16: a node used twice: y = a·a gives dy/da = 2a, and y = a + a·b gives 1 + b (contributions add)', () => {
    const a = new Value(-3);
    const y = a.mul(a);
    y.backward();
    expect(y.data).toBe(9);
    expect(a.grad).toBe(-6);
    // a·a alone cannot tell `+=` from `=` in mul's backward (its second line adds onto the first);
    // here the add's backward reaches a before mul's does, so an `=` there would lose the 1
    const c = new Value(2);
    const d = new Value(5);
    c.add(c.mul(d)).backward();
    expect(c.grad).toBe(1 + 5);
    expect(d.grad).toBe(2);
  });

  it('a node reused across branches: the diamond y = (a+b)·(a−b)', () => {
    // y = a² − b² at a = 3, b = 2: y = 5, dy/da = 2a = 6, dy/db = −2b = −4
    const a = new Value(3);
    const b = new Value(2);
    const y = a.add(b).mul(a.sub(b));
    y.backward();
    expect(y.data).toBe(5);
    expect(a.grad).toBe(6);
    expect(b.grad).toBe(-4);
  });

  it('micrograd README expression, every value and gradient by hand', () => {
    // e = a·b ; d = e + c ; L = d·f at a = 2, b = −3, c = 10, f = −2
    const a = new Value(2, { label: 'a' });
    const b = new Value(-3, { label: 'b' });
    const c = new Value(10, { label: 'c' });
    const f = new Value(-2, { label: 'f' });
    const e = a.mul(b);
    const d = e.add(c);
    const L = d.mul(f);
    L.backward();
    expect([e.data, d.data, L.data]).toEqual([-6, 4, -8]);
    // dL/dd = f = −2, dL/df = d = 4, dL/dc = dL/de = −2, dL/da = −2·b = 6, dL/db = −2·a = −4
    expect([L.grad, d.grad, f.grad, c.grad, e.grad, a.grad, b.grad]).toEqual([1, -2, 4, -2, -2, 6, -4]);
  });

  it('a neuron tanh(x1·w1 + x2·w2 + b), against hand values', () => {
    const x1 = new Value(2);
    const x2 = new Value(0);
    const w1 = new Value(-3);
    const w2 = new Value(1);
    const b = new Value(6.8813735870195432);
    const n = x1.mul(w1).add(x2.mul(w2)).add(b);
    const o = n.tanh();
    o.backward();
    const t = Math.tanh(n.data);
    expect(o.data).toBe(t);
    // F8: do/dn = 1 − tanh²(n) ≈ 0.5 ; then do/dw1 = x1·do/dn, do/dx1 = w1·do/dn
    const dn = 1 - t * t;
    expect(close(dn, 0.5, 1e-9)).toBe(true);
    expect(w1.grad).toBe(2 * dn);
    expect(x1.grad).toBe(-3 * dn);
    expect(w2.grad).toBe(0);
    expect(x2.grad).toBe(dn);
  });

  it('a·b + exp(a)/b − log(b)·sigmoid(a) + relu(b)^3 against central differences', () => {
    const f = (a: Value, b: Value) =>
      a.mul(b).add(a.exp().div(b)).sub(b.log().mul(a.sigmoid())).add(b.relu().pow(3)).neg();
    const a = new Value(0.7);
    const b = new Value(1.3);
    f(a, b).backward();
    const num = (x: number, y: number) => f(new Value(x), new Value(y)).data;
    expect(
      close(
        a.grad,
        centralDiff((t) => num(t, 1.3), 0.7),
        1e-7,
      ),
    ).toBe(true);
    expect(
      close(
        b.grad,
        centralDiff((t) => num(0.7, t), 1.3),
        1e-7,
      ),
    ).toBe(true);
  });

  it('F9: relu at exactly 0 has gradient 0, as PyTorch; 1 just above, 0 just below', () => {
    const x = new Value(0);
    x.relu().backward();
    expect(x.grad).toBe(0);
    for (const [z, want] of [
      [Number.MIN_VALUE, 1],
      [-Number.MIN_VALUE, 0],
      [-0, 0],
    ] as const) {
      const v = new Value(z);
      v.relu().backward();
      expect(v.grad).toBe(want);
    }
  });

  it('gradients accumulate across separate graphs that share a leaf', () => {
    const x = new Value(2);
    x.mul(3).backward();
    x.mul(x).backward();
    expect(x.grad).toBe(3 + 4);
  });

  it('backward twice through the same graph throws, and changes nothing', () => {
    const x = new Value(2);
    const y = x.mul(3);
    const z = y.tanh();
    z.backward();
    const before = x.grad;
    expect(() => z.add(1).backward()).toThrow(/already been freed/);
    expect(x.grad).toBe(before);
  });
});

describe('Value: errors', () => {
  it('an operand that is neither a number nor a Value names the op and what was given', () => {
    const v = new Value(1);
    expect(() => v.add('2' as unknown as number)).toThrow(ChainruleError);
    expect(() => v.add('2' as unknown as number)).toThrow(
      "add: expected a Value or a number as operand, got string '2'",
    );
    expect(() => v.mul(null as unknown as number)).toThrow('mul: expected a Value or a number as operand, got null');
    expect(() => v.div({} as unknown as number)).toThrow('div: expected a Value or a number as operand, got object');
    expect(() => v.sub([1] as unknown as number)).toThrow('sub: expected a Value or a number as operand, got array');
  });

  it('a Value exponent to pow is rejected', () => {
    expect(() => new Value(2).pow(new Value(3) as unknown as number)).toThrow(
      'pow: exponent must be a number, got Value Value(data=3, grad=0)',
    );
  });

  it('a non-number data is rejected', () => {
    expect(() => new Value('1' as unknown as number)).toThrow("Value: data must be a number, got string '1'");
  });
});

describe('toDot for Value graphs', () => {
  it('names every value and every op, with data and grad', () => {
    const a = new Value(2, { label: 'a' });
    const b = new Value(-3, { label: 'b' });
    const y = a.mul(b).add(a);
    y.label = 'y';
    y.backward();
    const dot = toDot(y);
    expect(dot.startsWith('digraph chainrule {')).toBe(true);
    expect(dot).toContain('{ a | data 2 | grad -2 }');
    expect(dot).toContain('{ b | data -3 | grad 2 }');
    expect(dot).toContain('{ data -6 | grad 1 }');
    expect(dot).toContain('{ y | data -4 | grad 1 }');
    expect(dot.match(/shape=record/g)).toHaveLength(4);
    expect(dot.match(/label="\*"/g)).toHaveLength(1);
    expect(dot.match(/label="\+"/g)).toHaveLength(1);
    // a feeds both ops: two edges out of a's node
    const aId = /(n\d+) \[shape=record, label="\{ a \|/.exec(dot)?.[1];
    expect(dot.match(new RegExp(`${aId} -> `, 'g'))).toHaveLength(2);
  });

  it('escapes record metacharacters in labels', () => {
    expect(toDot(new Value(1, { label: 'x|{y}' }))).toContain('x\\|\\{y\\}');
  });
});
