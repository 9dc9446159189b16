// Function transforms with torch.func's semantics, built on one primitive: grad() with
// createGraph, which records the derivative it computes. A transform marks its arguments, runs
// f, and differentiates; because the derivative is itself a graph, transforms nest
// (func.grad(func.grad(f)), func.jacfwd(func.jacrev(f))) and work inside a training step.
// Forward mode (jvp, jacfwd) uses the double-VJP construction: with u a dummy cotangent,
// g(u) = Jᵀu is linear in u, so the VJP of g with respect to u, applied to a tangent t, is J·t.
import { check, describe, show } from './errors';
import { sameShape } from './plans/shape';
import { grad as autogradGrad } from './tensor/autograd';
import { zeros } from './tensor/create';
import { isFloat } from './tensor/dtype';
import { stack } from './tensor/ops/join';
import { withGradMode } from './tensor/record';
import { Tensor } from './tensor/tensor';

/** Options of func.grad and func.gradAndValue. */
export interface FuncGradOptions {
  /** Which arguments to differentiate with respect to: an index (default 0) or a list of them. */
  argnums?: number | readonly number[];
  /** f returns [value, aux]: aux is passed through untouched (default false). */
  hasAux?: boolean;
}

/** Options of func.jacrev, func.jacfwd and func.hessian. */
export interface FuncJacobianOptions {
  /** The argument to differentiate with respect to (default 0), or a list of them. */
  argnums?: number | readonly number[];
}

// biome-ignore lint/suspicious/noExplicitAny: a transformed function keeps f's own arguments
type AnyFn = (...args: any[]) => any;

function checkFn(op: string, f: unknown): asserts f is AnyFn {
  check(typeof f === 'function', () => `${op}: expects a function, got ${show(f)}`);
}

function argnumsOf(op: string, argnums: number | readonly number[] | undefined, args: readonly unknown[]): number[] {
  const list = argnums === undefined ? [0] : typeof argnums === 'number' ? [argnums] : argnums;
  check(
    Array.isArray(list) && list.length > 0,
    () => `${op}: argnums must be an argument index or a non-empty list of them, got ${show(argnums)}`,
  );
  return list.map((a) => {
    check(
      Number.isInteger(a) && a >= -args.length && a < args.length,
      () => `${op}: argnums ${show(a)} is out of range for ${args.length} argument(s)`,
    );
    const i = a < 0 ? a + args.length : a;
    const x = args[i];
    check(
      x instanceof Tensor && isFloat(x.dtype),
      () =>
        `${op}: argument ${i} must be a float Tensor to differentiate, got ${x instanceof Tensor ? x.dtype : describe(x)}`,
    );
    return i;
  });
}

/**
 * One level of a transform: the arguments it differentiates, each replaced by a node of its own
 * (a fresh leaf, or an identity op on an argument that an outer transform already tracks), and
 * the leaves it created, so that results which depend on nothing else can be handed back detached.
 */
class Level {
  readonly fresh = new Set<Tensor>();

  track(x: Tensor): Tensor {
    if (x.requiresGrad) return x.reshape(x.shape);
    const leaf = x.detach();
    leaf.requiresGrad = true;
    this.fresh.add(leaf);
    return leaf;
  }

  /** The arguments, those at `argnums` replaced by their tracked nodes. */
  trackArgs(args: readonly unknown[], argnums: readonly number[]): unknown[] {
    return args.map((a, i) => (argnums.includes(i) ? this.track(a as Tensor) : a));
  }

  /** A dummy cotangent of `shape` for the double-VJP construction. */
  dummy(like: Tensor): Tensor {
    const u = zeros(like.shape, { dtype: like.dtype });
    u.requiresGrad = true;
    this.fresh.add(u);
    return u;
  }

  /** t as the caller should see it: detached if its graph reaches only this level's leaves. */
  finish(t: Tensor): Tensor {
    if (!t.requiresGrad) return t;
    const seen = new Set<Tensor>([t]);
    const stack: Tensor[] = [t];
    while (stack.length > 0) {
      const n = stack.pop() as Tensor;
      if (n.children.length === 0 && n.requiresGrad && !this.fresh.has(n)) return t; // an outer variable
      for (const c of n.children) {
        if (!seen.has(c)) {
          seen.add(c);
          stack.push(c);
        }
      }
    }
    return t.detach();
  }
}

/** ∂out/∂xs with createGraph; zeros for an input out does not depend on. */
function vjpOf(out: Tensor, xs: readonly Tensor[], cotangent: Tensor): Tensor[] {
  if (!out.requiresGrad) return xs.map((x) => x.zerosLike());
  return autogradGrad(out, [...xs], { gradOutput: cotangent, createGraph: true, allowUnused: true });
}

function gradAndValueImpl(op: string, f: AnyFn, opts: FuncGradOptions, args: unknown[]): [unknown, unknown] {
  check(opts !== null && typeof opts === 'object', () => `${op}: options must be an object, got ${show(opts)}`);
  const nums = argnumsOf(op, opts.argnums, args);
  return withGradMode(true, () => {
    const level = new Level();
    const xs = level.trackArgs(args, nums);
    const result = f(...xs);
    let value = result;
    let aux: unknown;
    if (opts.hasAux) {
      check(
        Array.isArray(result) && result.length === 2,
        () => `${op}: with hasAux, f must return [value, aux], got ${describe(result)}`,
      );
      [value, aux] = result as [unknown, unknown];
    }
    check(
      value instanceof Tensor && value.size === 1 && isFloat(value.dtype),
      () =>
        `${op}: f must return a float tensor of one element (reduce it first, e.g. .sum()), got ${value instanceof Tensor ? `shape [${value.shape}] ${value.dtype}` : describe(value)}`,
    );
    const v = value as Tensor;
    const gs = vjpOf(
      v,
      nums.map((i) => xs[i] as Tensor),
      v.requiresGrad ? oneLike(v) : v,
    ).map((g) => level.finish(g));
    const g = typeof opts.argnums === 'object' ? gs : gs[0];
    const out = level.finish(v);
    const finishedAux = aux instanceof Tensor ? level.finish(aux) : aux;
    return [g, opts.hasAux ? [out, finishedAux] : out];
  });
}

function oneLike(t: Tensor): Tensor {
  return zeros(t.shape, { dtype: t.dtype }).add(1);
}

function jacobianShape(out: Tensor, x: Tensor): number[] {
  return [...out.shape, ...x.shape];
}

/** A one-hot tensor of `like`'s shape and dtype with a 1 at flat index i. */
function basis(like: Tensor, i: number): Tensor {
  const e = zeros(like.shape, { dtype: like.dtype });
  e.data[i] = 1;
  return e;
}

/** Assembles rows (or columns) of a Jacobian, differentiably, into [...outer, ...inner]. */
function assemble(parts: Tensor[], shape: number[], dtype: Tensor['dtype'], lastDim: boolean): Tensor {
  if (parts.length === 0) return zeros(shape, { dtype });
  return stack(parts, lastDim ? -1 : 0).reshape(shape);
}

function jacobianImpl(op: string, f: AnyFn, opts: FuncJacobianOptions, args: unknown[], forward: boolean): unknown {
  check(opts !== null && typeof opts === 'object', () => `${op}: options must be an object, got ${show(opts)}`);
  const nums = argnumsOf(op, opts.argnums, args);
  return withGradMode(true, () => {
    const level = new Level();
    const xs = level.trackArgs(args, nums);
    const out = f(...xs);
    check(out instanceof Tensor, () => `${op}: f must return a Tensor, got ${describe(out)}`);
    const inputs = nums.map((i) => xs[i] as Tensor);
    let jacobians: Tensor[];
    if (!forward) {
      // one VJP per output element: row i is e_iᵀ J
      const rows: Tensor[][] = inputs.map(() => []);
      for (let i = 0; i < out.size; i++) {
        vjpOf(out, inputs, basis(out, i)).forEach((g, k) => {
          rows[k]?.push(g);
        });
      }
      jacobians = inputs.map((x, k) => assemble(rows[k] as Tensor[], jacobianShape(out, x), out.dtype, false));
    } else {
      // double VJP: g(u) = Jᵀu once, then one VJP of g in u per input element: column j is J e_j
      const u = level.dummy(out);
      const gs = vjpOf(out, inputs, u);
      jacobians = inputs.map((x, k) => {
        const g = gs[k] as Tensor;
        const cols: Tensor[] = [];
        for (let j = 0; j < x.size; j++) cols.push(vjpOf(g, [u], basis(x, j))[0] as Tensor);
        return assemble(cols, jacobianShape(out, x), out.dtype, true);
      });
    }
    const finished = jacobians.map((j) => level.finish(j));
    return typeof opts.argnums === 'object' ? finished : finished[0];
  });
}

// The transforms, typed: a single argnum gives one tensor, a list gives one per entry; hasAux
// pairs the result with f's aux. Each is a plain function, gathered in the `func` namespace below.
type Args<F extends AnyFn> = Parameters<F>;

function grad<F extends AnyFn>(f: F, opts?: { argnums?: number; hasAux?: false }): (...args: Args<F>) => Tensor;
function grad<F extends AnyFn>(
  f: F,
  opts: { argnums: readonly number[]; hasAux?: false },
): (...args: Args<F>) => Tensor[];
function grad<F extends AnyFn>(f: F, opts: { argnums?: number; hasAux: true }): (...args: Args<F>) => [Tensor, unknown];
function grad<F extends AnyFn>(f: F, opts: FuncGradOptions): (...args: Args<F>) => unknown;
/**
 * The gradient of a scalar function: func.grad(f)(x) = ∂f/∂x, for the argument(s) `argnums`.
 * f returns a one-element tensor ([value, aux] with hasAux, giving [grad, aux]).
 * @example
 * func.grad((x: Tensor) => x.sin().sum())(x);              // cos x
 * func.grad(func.grad((x: Tensor) => x.sin().sum()))(x);   // −sin x, for a one-element x
 */
function grad(f: AnyFn, opts: FuncGradOptions = {}): (...args: unknown[]) => unknown {
  checkFn('func.grad', f);
  return (...args) => {
    const [g, value] = gradAndValueImpl('func.grad', f, opts, args);
    return opts.hasAux ? [g, (value as [unknown, unknown])[1]] : g;
  };
}

function gradAndValue<F extends AnyFn>(
  f: F,
  opts?: { argnums?: number; hasAux?: false },
): (...args: Args<F>) => [Tensor, Tensor];
function gradAndValue<F extends AnyFn>(
  f: F,
  opts: { argnums: readonly number[]; hasAux?: false },
): (...args: Args<F>) => [Tensor[], Tensor];
function gradAndValue<F extends AnyFn>(
  f: F,
  opts: { argnums?: number; hasAux: true },
): (...args: Args<F>) => [Tensor, [Tensor, unknown]];
function gradAndValue<F extends AnyFn>(f: F, opts: FuncGradOptions): (...args: Args<F>) => [unknown, unknown];
/** Like func.grad, returning [grad, value] ([grad, [value, aux]] with hasAux). */
function gradAndValue(f: AnyFn, opts: FuncGradOptions = {}): (...args: unknown[]) => [unknown, unknown] {
  checkFn('func.gradAndValue', f);
  return (...args) => gradAndValueImpl('func.gradAndValue', f, opts, args);
}

/**
 * f's output at `primals`, and a function taking a cotangent v (of the output's shape) to
 * vᵀ ∂f/∂primalᵢ for every primal. The function may be called several times.
 * @example
 * const [y, vjpFn] = func.vjp((x: Tensor) => x.square(), x);
 * const [gx] = vjpFn(ones(y.shape));   // 2x
 */
function vjp(f: AnyFn, ...primals: Tensor[]): [Tensor, (cotangent: Tensor) => Tensor[]] {
  checkFn('func.vjp', f);
  argnumsOf(
    'func.vjp',
    primals.map((_, i) => i),
    primals,
  );
  return withGradMode(true, () => {
    const level = new Level();
    const xs = primals.map((p) => level.track(p));
    const out = f(...xs);
    check(out instanceof Tensor, () => `func.vjp: f must return a Tensor, got ${describe(out)}`);
    const vjpFn = (cotangent: Tensor): Tensor[] => {
      check(
        cotangent instanceof Tensor && sameShape(cotangent.shape, out.shape),
        () =>
          `func.vjp: the cotangent must be a Tensor of the output's shape [${out.shape}], got ${describe(cotangent)}`,
      );
      return withGradMode(true, () => vjpOf(out, xs, cotangent).map((g) => level.finish(g)));
    };
    return [level.finish(out), vjpFn];
  });
}

/**
 * Forward mode: f's output at `primals` and its directional derivative J·t along `tangents`
 * (one per primal, of its shape), by the double-VJP construction.
 * @example
 * const [y, dy] = func.jvp((x: Tensor) => x.exp(), [x], [ones(x.shape)]);   // dy = eˣ
 * const [, hvp] = func.jvp(func.grad(f), [x], [v]);                         // a Hessian-vector product
 */
function jvp(f: AnyFn, primals: readonly Tensor[], tangents: readonly Tensor[]): [Tensor, Tensor] {
  checkFn('func.jvp', f);
  check(
    Array.isArray(primals) && Array.isArray(tangents) && primals.length === tangents.length && primals.length > 0,
    () =>
      `func.jvp: primals and tangents must be arrays of the same non-zero length, got ${show(primals)} and ${show(tangents)}`,
  );
  argnumsOf(
    'func.jvp',
    primals.map((_, i) => i),
    primals,
  );
  tangents.forEach((t, i) => {
    const p = primals[i] as Tensor;
    check(
      t instanceof Tensor && sameShape(t.shape, p.shape),
      () => `func.jvp: tangent ${i} must be a Tensor of primal ${i}'s shape [${p.shape}], got ${describe(t)}`,
    );
  });
  return withGradMode(true, () => {
    const level = new Level();
    const xs = primals.map((p) => level.track(p));
    const out = f(...xs);
    check(out instanceof Tensor, () => `func.jvp: f must return a Tensor, got ${describe(out)}`);
    const u = level.dummy(out);
    const gs = vjpOf(out, xs, u);
    // ⟨Jᵀu, t⟩ = ⟨u, J t⟩: its gradient in u is J t
    const s = gs.map((g, i) => g.mul(tangents[i] as Tensor).sum()).reduce((a, b) => a.add(b));
    const jt = vjpOf(s, [u], oneLike(s))[0] as Tensor;
    return [level.finish(out), level.finish(jt)];
  });
}

function jacrev<F extends AnyFn>(f: F, opts?: { argnums?: number }): (...args: Args<F>) => Tensor;
function jacrev<F extends AnyFn>(f: F, opts: { argnums: readonly number[] }): (...args: Args<F>) => Tensor[];
/** The Jacobian by reverse mode (one VJP per output element): shape [...out.shape, ...in.shape]. */
function jacrev(f: AnyFn, opts: FuncJacobianOptions = {}): (...args: unknown[]) => unknown {
  checkFn('func.jacrev', f);
  return (...args) => jacobianImpl('func.jacrev', f, opts, args, false);
}

function jacfwd<F extends AnyFn>(f: F, opts?: { argnums?: number }): (...args: Args<F>) => Tensor;
function jacfwd<F extends AnyFn>(f: F, opts: { argnums: readonly number[] }): (...args: Args<F>) => Tensor[];
/** The Jacobian by forward mode (one JVP per input element): shape [...out.shape, ...in.shape]. */
function jacfwd(f: AnyFn, opts: FuncJacobianOptions = {}): (...args: unknown[]) => unknown {
  checkFn('func.jacfwd', f);
  return (...args) => jacobianImpl('func.jacfwd', f, opts, args, true);
}

/**
 * The Hessian of a scalar function, jacfwd(jacrev(f)): shape [...out.shape, ...in.shape, ...in.shape].
 * @example
 * func.hessian((x: Tensor) => x.pow(3).sum())(x);   // diag(6x)
 */
function hessian<F extends AnyFn>(f: F, opts: { argnums?: number } = {}): (...args: Args<F>) => Tensor {
  checkFn('func.hessian', f);
  check(
    opts !== null && typeof opts === 'object' && (opts.argnums === undefined || typeof opts.argnums === 'number'),
    () => `func.hessian: argnums must be one argument index, got ${show(opts?.argnums)}`,
  );
  return jacfwd(jacrev(f, opts), opts);
}

/**
 * torch.func's transforms: grad, gradAndValue, vjp, jvp, jacrev, jacfwd, hessian. Arguments need
 * not require grad; the results carry a graph only where they depend on something outside the
 * transform (an outer transform's variable, a model parameter), so transforms nest and can be
 * used inside a training step.
 * @example
 * const hvp = (f: (x: Tensor) => Tensor, x: Tensor, v: Tensor) => func.jvp(func.grad(f), [x], [v])[1];
 */
export const func = { grad, gradAndValue, vjp, jvp, jacrev, jacfwd, hessian };
