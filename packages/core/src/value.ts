// The scalar graph: a Value holds one number and the chain-rule node that produced it.
// Each op computes its forward value, creates the output node, and attaches right below it a
// backward step that *adds* into each operand's grad (micrograd's shape, with types).
// Reading it for the first time: start at `class Value`, read add, mul and tanh, then backward()
// and engine.ts. The packaging (operand wrapping, the shared leaf list) is at the bottom of the file.
import { branded } from './brand';
import { type GraphNode, runBackward } from './engine';
import { ChainruleError, describe } from './errors';

// Packaging, skip on a first reading: the base class gives cross-build `instanceof` and Node
// printing (see brand.ts). It must be defined before the class that extends it.
const ValueBase = /* @__PURE__ */ branded('chainrule.Value');

/**
 * A scalar in a computation graph. Ops build new Values; `backward()` fills `.grad` with
 * ∂output/∂value for every Value the output was computed from.
 *
 * @example
 * const a = new Value(2), b = new Value(-3);
 * const y = a.mul(b).add(a).tanh();
 * y.backward(); // a.grad = (1 − y²)(b + 1), b.grad = (1 − y²)·a
 */
export class Value extends ValueBase implements GraphNode {
  /** The number this node holds. */
  data: number;
  /** ∂L/∂this, accumulated by backward(). */
  grad = 0;
  /** The op that produced this value ('' for a leaf). */
  readonly op: string;
  /** A name shown by toDot. */
  label: string;
  /** The operands (children in the expression-tree sense) this value was computed from. */
  readonly children: readonly Value[];
  backwardStep: (() => void) | null = null;

  /**
   * @param data the number this leaf holds
   * @param opts.label a name shown by toDot
   * @param children internal: the operands of the op that created this node
   * @param op internal: that op's name
   */
  constructor(data: number, opts?: { label?: string }, children: readonly Value[] = NO_CHILDREN, op = '') {
    super();
    if (typeof data !== 'number') throw new ChainruleError(`Value: data must be a number, got ${describe(data)}`);
    this.data = data;
    this.label = opts?.label ?? '';
    this.children = children;
    this.op = op;
  }

  /**
   * a + b (∂/∂a = 1, ∂/∂b = 1). A number operand is wrapped as a constant leaf.
   * @throws ChainruleError if `other` is neither a Value nor a number.
   */
  add(other: ValueLike): Value {
    const o = asValue(other, 'add');
    const out = new Value(this.data + o.data, undefined, [this, o], '+');
    out.backwardStep = () => {
      // ∂(a + b)/∂a = 1 ,  ∂(a + b)/∂b = 1
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  /**
   * a − b (∂/∂a = 1, ∂/∂b = −1).
   * @throws ChainruleError if `other` is neither a Value nor a number.
   */
  sub(other: ValueLike): Value {
    const o = asValue(other, 'sub');
    const out = new Value(this.data - o.data, undefined, [this, o], '-');
    out.backwardStep = () => {
      // ∂(a − b)/∂a = 1 ,  ∂(a − b)/∂b = −1
      this.grad += out.grad;
      o.grad -= out.grad;
    };
    return out;
  }

  /**
   * a · b (∂/∂a = b, ∂/∂b = a).
   * @throws ChainruleError if `other` is neither a Value nor a number.
   */
  mul(other: ValueLike): Value {
    const o = asValue(other, 'mul');
    const out = new Value(this.data * o.data, undefined, [this, o], '*');
    out.backwardStep = () => {
      // ∂(a·b)/∂a = b ,  ∂(a·b)/∂b = a
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    };
    return out;
  }

  /**
   * a / b (∂/∂a = 1/b, ∂/∂b = −a/b²).
   * @throws ChainruleError if `other` is neither a Value nor a number.
   */
  div(other: ValueLike): Value {
    const o = asValue(other, 'div');
    const out = new Value(this.data / o.data, undefined, [this, o], '/');
    out.backwardStep = () => {
      // ∂(a/b)/∂a = 1/b ,  ∂(a/b)/∂b = −a/b²
      this.grad += out.grad / o.data;
      o.grad -= (this.data / (o.data * o.data)) * out.grad;
    };
    return out;
  }

  /**
   * xⁿ for a number n (d/dx = n xⁿ⁻¹).
   * @throws ChainruleError if `exponent` is not a number.
   */
  pow(exponent: number): Value {
    if (typeof exponent !== 'number') {
      throw new ChainruleError(`pow: exponent must be a number, got ${describe(exponent)}`);
    }
    const out = new Value(this.data ** exponent, undefined, [this], `^${exponent}`);
    out.backwardStep = () => {
      // d xⁿ/dx = n·xⁿ⁻¹ (0 for n = 0, also at x = 0, where 0·0⁻¹ would be NaN; as PyTorch)
      if (exponent !== 0) this.grad += exponent * this.data ** (exponent - 1) * out.grad;
    };
    return out;
  }

  /** −x (d/dx = −1). */
  neg(): Value {
    const out = new Value(-this.data, undefined, [this], 'neg');
    out.backwardStep = () => {
      // d(−x)/dx = −1
      this.grad -= out.grad;
    };
    return out;
  }

  /** eˣ (d/dx = eˣ). */
  exp(): Value {
    const e = Math.exp(this.data);
    const out = new Value(e, undefined, [this], 'exp');
    out.backwardStep = () => {
      // d eˣ/dx = eˣ  (the output itself)
      this.grad += e * out.grad;
    };
    return out;
  }

  /** ln x (d/dx = 1/x). */
  log(): Value {
    const out = new Value(Math.log(this.data), undefined, [this], 'log');
    out.backwardStep = () => {
      // d ln x/dx = 1/x
      this.grad += out.grad / this.data;
    };
    return out;
  }

  /** tanh x (F8: d/dx = 1 − tanh² x). */
  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, undefined, [this], 'tanh');
    out.backwardStep = () => {
      // F8: d tanh(x)/dx = 1 − tanh²(x)
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }

  /** σ(x) = 1 / (1 + e⁻ˣ) (F7: d/dx = σ(x)(1 − σ(x))). */
  sigmoid(): Value {
    const s = sigmoid(this.data);
    const out = new Value(s, undefined, [this], 'sigmoid');
    out.backwardStep = () => {
      // F7: dσ(x)/dx = σ(x)(1 − σ(x))
      this.grad += s * (1 - s) * out.grad;
    };
    return out;
  }

  /** max(x, 0) (F9: d/dx = 1 if x > 0 else 0). */
  relu(): Value {
    const out = new Value(Math.max(this.data, 0), undefined, [this], 'relu');
    out.backwardStep = () => {
      // F9: d relu(x)/dx = 1 if x > 0 else 0  (0 at x = 0, as PyTorch)
      if (this.data > 0) this.grad += out.grad;
    };
    return out;
  }

  /** Sets this.grad = 1 and accumulates ∂this/∂v into v.grad for every v in the graph. */
  backward(): void {
    runBackward(this, () => {
      this.grad = 1;
    });
  }

  /** As micrograd prints it: `Value(data=-0.8, grad=1)` (and the label, if any). */
  override toString(): string {
    return `Value(data=${this.data}, grad=${this.grad}${this.label ? `, label=${this.label}` : ''})`;
  }
}

// ---- Packaging and helpers: nothing below is needed to follow the chain rule above. ----

/** A Value operand: another Value, or a plain number (wrapped as a constant leaf). */
export type ValueLike = Value | number;

/** The operand list of every leaf: shared, so a constant costs one object, not two. */
const NO_CHILDREN: readonly Value[] = Object.freeze([]);

/** σ(x) = 1/(1 + e⁻ˣ), written so that neither branch overflows. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function asValue(x: unknown, op: string): Value {
  if (x instanceof Value) return x;
  if (typeof x === 'number') return new Value(x);
  throw new ChainruleError(`${op}: expected a Value or a number as operand, got ${describe(x)}`);
}
