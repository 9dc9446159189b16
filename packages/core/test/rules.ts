import { erf } from '../src/kernels/unary';

// THE derivative table for tests: one row per scalar-differentiable op, shared by the Value
// tests and the Tensor tests. `formula` is the F-number in docs/backprop.md, where one exists.

export const sigmoidRef = (x: number): number => 1 / (1 + Math.exp(-x));

export interface UnaryRule {
  op:
    | 'neg'
    | 'exp'
    | 'log'
    | 'tanh'
    | 'sigmoid'
    | 'relu'
    | 'sqrt'
    | 'abs'
    | 'leakyRelu'
    | 'softplus'
    | 'gelu'
    | 'sin'
    | 'cos'
    | 'square'
    | 'silu';
  formula: string | null;
  /** Text used in the test name. */
  rule: string;
  f: (x: number) => number;
  df: (x: number) => number;
  domain: [number, number];
  /** A point where f is not differentiable: sample points stay 1e-3 away from it. */
  kink?: number;
  /** Whether the scalar Value engine has this op (DESIGN lists Value's ops). */
  value: boolean;
}

export const unaryRules: UnaryRule[] = [
  { op: 'neg', formula: null, rule: 'd(−x)/dx = −1', f: (x) => -x, df: () => -1, domain: [-5, 5], value: true },
  { op: 'exp', formula: null, rule: 'd eˣ/dx = eˣ', f: Math.exp, df: Math.exp, domain: [-5, 5], value: true },
  { op: 'log', formula: null, rule: 'd ln x/dx = 1/x', f: Math.log, df: (x) => 1 / x, domain: [0.1, 5], value: true },
  {
    op: 'tanh',
    formula: 'F8',
    rule: 'd tanh/dx = 1 − tanh²',
    f: Math.tanh,
    df: (x) => 1 - Math.tanh(x) ** 2,
    domain: [-3, 3],
    value: true,
  },
  {
    op: 'sigmoid',
    formula: 'F7',
    rule: 'dσ/dx = σ(1 − σ)',
    f: sigmoidRef,
    df: (x) => sigmoidRef(x) * (1 - sigmoidRef(x)),
    domain: [-6, 6],
    value: true,
  },
  {
    op: 'relu',
    formula: 'F9',
    rule: 'd relu/dx = 1[x > 0]',
    f: (x) => Math.max(0, x),
    df: (x) => (x > 0 ? 1 : 0),
    domain: [-3, 3],
    kink: 0,
    value: true,
  },
  {
    op: 'sqrt',
    formula: null,
    rule: 'd√x/dx = 1/(2√x)',
    f: Math.sqrt,
    df: (x) => 0.5 / Math.sqrt(x),
    domain: [0.1, 5],
    value: false,
  },
  {
    op: 'abs',
    formula: null,
    rule: 'd|x|/dx = sign(x)',
    f: Math.abs,
    df: (x) => Math.sign(x),
    domain: [-3, 3],
    kink: 0,
    value: false,
  },
  {
    op: 'leakyRelu',
    formula: null,
    rule: 'd leakyRelu/dx = 1 if x > 0 else 0.01',
    f: (x) => (x > 0 ? x : 0.01 * x),
    df: (x) => (x > 0 ? 1 : 0.01),
    domain: [-3, 3],
    kink: 0,
    value: false,
  },
];

unaryRules.push(
  {
    op: 'softplus',
    formula: null,
    rule: 'd softplus/dx = σ(x)',
    f: (x) => Math.log1p(Math.exp(x)),
    df: sigmoidRef,
    domain: [-6, 6],
    value: false,
  },
  {
    op: 'gelu',
    formula: null,
    rule: 'd gelu/dx = Φ(x) + x·φ(x)',
    f: (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
    df: (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI),
    domain: [-4, 4],
    value: false,
  },
  { op: 'sin', formula: null, rule: 'd sin/dx = cos', f: Math.sin, df: Math.cos, domain: [-4, 4], value: false },
  {
    op: 'cos',
    formula: null,
    rule: 'd cos/dx = −sin',
    f: Math.cos,
    df: (x) => -Math.sin(x),
    domain: [-4, 4],
    value: false,
  },
  {
    op: 'square',
    formula: null,
    rule: 'd x²/dx = 2x',
    f: (x) => x * x,
    df: (x) => 2 * x,
    domain: [-4, 4],
    value: false,
  },
  {
    op: 'silu',
    formula: null,
    rule: 'd silu/dx = σ(x)(1 + x(1 − σ(x)))',
    f: (x) => x * sigmoidRef(x),
    df: (x) => sigmoidRef(x) * (1 + x * (1 - sigmoidRef(x))),
    domain: [-6, 6],
    value: false,
  },
);

export interface BinaryRule {
  op: 'add' | 'sub' | 'mul' | 'div';
  rule: string;
  f: (a: number, b: number) => number;
  da: (a: number, b: number) => number;
  db: (a: number, b: number) => number;
  domainA: [number, number];
  domainB: [number, number];
}

export const binaryRules: BinaryRule[] = [
  {
    op: 'add',
    rule: '∂(a+b) = (1, 1)',
    f: (a, b) => a + b,
    da: () => 1,
    db: () => 1,
    domainA: [-5, 5],
    domainB: [-5, 5],
  },
  {
    op: 'sub',
    rule: '∂(a−b) = (1, −1)',
    f: (a, b) => a - b,
    da: () => 1,
    db: () => -1,
    domainA: [-5, 5],
    domainB: [-5, 5],
  },
  {
    op: 'mul',
    rule: '∂(ab) = (b, a)',
    f: (a, b) => a * b,
    da: (_a, b) => b,
    db: (a) => a,
    domainA: [-5, 5],
    domainB: [-5, 5],
  },
  {
    op: 'div',
    rule: '∂(a/b) = (1/b, −a/b²)',
    f: (a, b) => a / b,
    da: (_a, b) => 1 / b,
    db: (a, b) => -a / (b * b),
    domainA: [-5, 5],
    domainB: [0.5, 3],
  },
];

/** Exponents tried for `pow`: integer, fractional (on x > 0), negative. */
export const powRules: { exponent: number; domain: [number, number] }[] = [
  { exponent: 2, domain: [-3, 3] },
  { exponent: 3, domain: [-3, 3] },
  { exponent: 0.5, domain: [0.1, 4] },
  { exponent: -1.5, domain: [0.2, 4] },
];

/** Central difference (f(x+ε) − f(x−ε)) / 2ε in float64. */
export function centralDiff(f: (x: number) => number, x: number, eps = 1e-6): number {
  return (f(x + eps) - f(x - eps)) / (2 * eps);
}

/** |a − b| ≤ atol + rtol·|b| */
export function close(a: number, b: number, rtol: number, atol = 1e-12): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/** Sample points for a rule: a seeded fast-check arbitrary that avoids the kink. */
export function awayFromKink(x: number, kink: number | undefined): boolean {
  return kink === undefined || Math.abs(x - kink) >= 1e-3;
}
