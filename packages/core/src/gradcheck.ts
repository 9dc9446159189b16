// gradcheck: autodiff against central differences, in float64, for every input element.
import { ChainruleError, check, describe, fmtShape, show } from './errors';
import { Rng } from './rng';
import { grad } from './tensor/autograd';
import { withGradMode } from './tensor/record';
import { Tensor } from './tensor/tensor';

/** Tolerances and step of `gradcheck`. */
export interface GradcheckOptions {
  /** Step of the central difference (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random projection applied to a non-scalar output (default 0). */
  seed?: number;
}

/** What `gradcheck` found: whether autodiff matches central differences, the largest errors and where. */
export interface GradcheckReport {
  /** True when every element satisfies |analytic − numeric| ≤ atol + rtol·|numeric|. */
  ok: boolean;
  /** The largest |analytic − numeric| over all checked elements. */
  maxAbsError: number;
  /** The largest |analytic − numeric| / |numeric| over all checked elements. */
  maxRelError: number;
  /** The element with the largest excess over its tolerance. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  /** The number of input elements checked. */
  checked: number;
  /** A one-line summary, for assertion messages. */
  message: string;
}

function checkFunctionAndInputs(op: string, fn: unknown, inputs: unknown): asserts inputs is Tensor[] {
  check(typeof fn === 'function', () => `${op}: fn must be a function, got ${show(fn)}`);
  check(Array.isArray(inputs) && inputs.length > 0, () => `${op}: inputs must be a non-empty array of tensors`);
  (inputs as unknown[]).forEach((x, i) => {
    check(x instanceof Tensor, () => `${op}: input ${i} is ${describe(x)}, expected a Tensor`);
  });
}

/**
 * Compares autodiff with central differences (f(x + ε) − f(x − ε)) / 2ε for every element of
 * every input. Inputs are copied to float64; for a non-scalar output f, the scalar checked is
 * ⟨r, f⟩ with a fixed random r, so every entry of Jᵀr is compared.
 * @throws ChainruleError if `fn` does not return a Tensor or inputs are not tensors.
 * @example
 * const report = gradcheck((x) => x.tanh().sum(), [randn([3, 4], { dtype: 'float64' })]);
 * report.ok; // true
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  checkFunctionAndInputs('gradcheck', fn, inputs);
  check(opts !== null && typeof opts === 'object', () => `gradcheck: options must be an object, got ${show(opts)}`);
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  check(
    typeof eps === 'number' && eps > 0 && Number.isFinite(eps),
    () => `gradcheck: eps must be a positive number, got ${show(eps)}`,
  );
  for (const [name, v] of [
    ['atol', atol],
    ['rtol', rtol],
  ] as const) {
    check(typeof v === 'number' && v >= 0, () => `gradcheck: ${name} must be a number ≥ 0, got ${show(v)}`);
  }
  const xs = inputs.map((x) => {
    const c = x.clone('float64');
    c.requiresGrad = true;
    return c;
  });
  const y0 = fn(...xs);
  if (!(y0 instanceof Tensor)) throw new ChainruleError(`gradcheck: fn must return a Tensor, got ${describe(y0)}`);
  const rng = new Rng(opts.seed ?? 0);
  const r = new Float64Array(y0.size);
  for (let i = 0; i < r.length; i++) r[i] = y0.size === 1 ? 1 : rng.uniform(-1, 1);
  const project = (y: Tensor): number => {
    let s = 0;
    for (let i = 0; i < r.length; i++) s += (r[i] as number) * (y.data[i] as number);
    return s;
  };
  check(y0.requiresGrad, () => 'gradcheck: the output does not depend on any input (no graph was recorded)');
  // grad(), not backward(): tensors that fn captures (a model's parameters) keep their .grad
  const analytic = grad(y0, xs, { gradOutput: new Tensor(r, y0.shape), allowUnused: true });

  let maxAbsError = 0;
  let maxRelError = 0;
  let worstExcess = Number.NEGATIVE_INFINITY;
  let worst: GradcheckReport['worst'] = null;
  let checked = 0;
  xs.forEach((x, input) => {
    for (let index = 0; index < x.size; index++) {
      const saved = x.data[index] as number;
      x.data[index] = saved + eps;
      const plus = project(fn(...xs));
      x.data[index] = saved - eps;
      const minus = project(fn(...xs));
      x.data[index] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const a = (analytic[input] as Tensor).data[index] as number;
      const abs = Math.abs(a - numeric);
      const rel = abs / Math.max(Math.abs(numeric), Number.MIN_VALUE);
      maxAbsError = Math.max(maxAbsError, abs);
      if (abs > atol) maxRelError = Math.max(maxRelError, rel);
      const excess = abs - (atol + rtol * Math.abs(numeric));
      if (excess > worstExcess || Number.isNaN(abs)) {
        worstExcess = Number.isNaN(abs) ? Number.POSITIVE_INFINITY : excess;
        worst = { input, index, analytic: a, numeric };
      }
      checked++;
    }
  });
  const ok = worstExcess <= 0;
  const w = worst as GradcheckReport['worst'];
  const where = w
    ? `input ${w.input} ${fmtShape(xs[w.input]?.shape ?? [])} element ${w.index}: analytic ${w.analytic}, numeric ${w.numeric}`
    : 'no elements';
  const message = `gradcheck ${ok ? 'passed' : 'FAILED'}: ${checked} elements, max abs error ${maxAbsError.toExponential(2)}, max rel error ${maxRelError.toExponential(2)}; worst at ${where}`;
  return { ok, maxAbsError, maxRelError, worst: w, checked, message };
}

/**
 * Checks second derivatives: gradcheck applied to the first derivative. With a random cotangent
 * v of the output's shape (itself an input of the check) and random weights uᵢ, the scalar
 * s(x, v) = Σᵢ ⟨uᵢ, vᵀ ∂fn/∂xᵢ⟩ is computed by grad(…, { createGraph: true }) and its autodiff
 * gradient is compared with central differences: in x that is every entry of the Hessian-vector
 * products uᵀ(∂²⟨v, fn⟩/∂x²), in v every entry of J·u (so the VJP itself is checked too).
 * PyTorch's gradgradcheck, with a random projection instead of the full second-order Jacobian.
 * @throws ChainruleError as gradcheck.
 * @example
 * gradgradcheck((x) => x.tanh(), [randn([3], { dtype: 'float64' })]).ok; // true
 */
export function gradgradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  checkFunctionAndInputs('gradgradcheck', fn, inputs);
  const rng = new Rng((opts?.seed ?? 0) + 1);
  const random = (shape: readonly number[]) => {
    const t = new Tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)), shape);
    for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(-1, 1);
    return t;
  };
  const probe = withGradMode(true, () =>
    fn(
      ...inputs.map((x) => {
        const c = x.clone('float64');
        c.requiresGrad = true;
        return c;
      }),
    ),
  );
  if (!(probe instanceof Tensor)) {
    throw new ChainruleError(`gradgradcheck: fn must return a Tensor, got ${describe(probe)}`);
  }
  const v = random(probe.shape);
  const u = inputs.map((x) => random(x.shape));
  const n = inputs.length;
  // s(x, v): the first derivative, projected; recorded even while gradcheck perturbs under noGrad
  const firstDerivative = (...args: Tensor[]): Tensor =>
    withGradMode(true, () => {
      const xs = args.slice(0, n);
      const y = fn(...xs);
      check(y.requiresGrad, () => 'gradgradcheck: the output does not depend on any input (no graph was recorded)');
      const gs = grad(y, xs, { gradOutput: args[n] as Tensor, createGraph: true, allowUnused: true });
      return gs.map((g, i) => g.mul(u[i] as Tensor).sum()).reduce((a, b) => a.add(b));
    });
  const report = gradcheck(firstDerivative, [...inputs, v], opts);
  return { ...report, message: report.message.replace(/^gradcheck/, 'gradgradcheck') };
}
