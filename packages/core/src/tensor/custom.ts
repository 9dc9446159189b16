// User-defined differentiable ops (customOp) and activation checkpointing (checkpoint): both are
// graph nodes whose VJP the user supplies or the library recomputes, so both are differentiable
// to any order through the same two sweeps as the built-in ops.
import { check, describe, fmtShape, show } from '../errors';
import { sameShape } from '../plans/shape';
import { grad } from './autograd';
import { isGradEnabled, noGrad, record, withGradMode } from './record';
import { Tensor } from './tensor';

/** The two halves of a custom op (see customOp). */
export interface CustomOpSpec {
  /** y = f(xs), run without recording: any Tensor code, or loops over `.data`. */
  forward: (...xs: Tensor[]) => Tensor;
  /**
   * ∂L/∂xᵢ for each input, from gy = ∂L/∂y, the inputs and the output, written in Tensor ops so
   * that it can be differentiated again; null for an input that gets no gradient.
   */
  backward: (gy: Tensor, xs: readonly Tensor[], y: Tensor) => readonly (Tensor | null)[];
}

/**
 * Defines a differentiable op from a forward and its VJP (torch.autograd.Function). The forward
 * runs without recording; the backward, written in Tensor ops, is the node's VJP, so the op works
 * with backward(), grad(), createGraph (to any order) and the `func` transforms.
 * @throws ChainruleError when defined with a bad spec, or when called if an argument is not a
 *   Tensor, the forward does not return one, or the backward returns the wrong number or shapes
 *   of gradients.
 * @example
 * const cube = customOp('cube', {
 *   forward: (x) => x.mul(x).mul(x),
 *   backward: (gy, [x]) => [gy.mul(x.square().mul(3))],   // ∂L/∂x = gy · 3x²
 * });
 * cube(tensor([2], { requiresGrad: true })).backward();   // grad 12
 */
export function customOp(name: string, spec: CustomOpSpec): (...xs: Tensor[]) => Tensor {
  check(
    typeof name === 'string' && name.length > 0,
    () => `customOp: name must be a non-empty string, got ${show(name)}`,
  );
  check(
    spec !== null &&
      typeof spec === 'object' &&
      typeof spec.forward === 'function' &&
      typeof spec.backward === 'function',
    () => `customOp: '${name}' needs a spec { forward, backward } of two functions, got ${show(spec)}`,
  );
  return (...xs: Tensor[]): Tensor => {
    xs.forEach((x, i) => {
      check(x instanceof Tensor, () => `${name}: argument ${i} is ${describe(x)}, expected a Tensor`);
    });
    const out = noGrad(() => spec.forward(...xs));
    check(out instanceof Tensor, () => `${name}: forward must return a Tensor, got ${describe(out)}`);
    // a node of its own, even when forward hands back an input or a view of one
    const y = new Tensor(out.data, out.shape);
    return record(y, name, xs, null, (gy) => {
      // ∂L/∂xᵢ = the user's VJP, checked: one gradient (or null) per input, each of its input's shape
      const gs = spec.backward(gy, xs, y);
      check(
        Array.isArray(gs) && gs.length === xs.length,
        () => `${name}: backward must return an array of ${xs.length} gradients (Tensor or null), got ${show(gs)}`,
      );
      gs.forEach((g, i) => {
        const x = xs[i] as Tensor;
        check(
          g === null || (g instanceof Tensor && sameShape(g.shape, x.shape)),
          () =>
            `${name}: backward's gradient ${i} must be null or a Tensor of shape ${fmtShape(x.shape)}, got ` +
            (g instanceof Tensor ? `shape ${fmtShape(g.shape)}` : show(g)),
        );
      });
      return gs;
    });
  };
}

/**
 * fn(...xs) without keeping its activations: the forward result is kept, its graph dropped, and
 * fn runs again during backward to rebuild what the gradient needs (torch.utils.checkpoint).
 * Memory for compute: a deep stack of checkpointed blocks holds only the blocks' outputs.
 * Parameters that fn captures (a layer's weights) get their gradients too. As in PyTorch's
 * default, randomness inside fn (dropout) is not replayed: use a fixed mask or eval mode there.
 * @throws ChainruleError if fn is not a function, an argument is not a Tensor, or fn does not
 *   return a Tensor.
 * @example
 * const y = checkpoint((h) => block.forward(h), x);   // block's activations recomputed in backward
 */
export function checkpoint(fn: (...xs: Tensor[]) => Tensor, ...xs: Tensor[]): Tensor {
  check(typeof fn === 'function', () => `checkpoint: fn must be a function, got ${show(fn)}`);
  xs.forEach((x, i) => {
    check(x instanceof Tensor, () => `checkpoint: argument ${i} is ${describe(x)}, expected a Tensor`);
  });
  const probe = fn(...xs);
  check(probe instanceof Tensor, () => `checkpoint: fn must return a Tensor, got ${describe(probe)}`);
  if (!probe.requiresGrad) return probe;
  // what fn's graph reads besides xs: the leaves that need a gradient (its parameters)
  const params = capturedLeaves(probe, xs);
  const children = [...xs, ...params];
  return record(new Tensor(probe.data, probe.shape), 'checkpoint', children, null, (gy) => {
    // ∂L/∂(xs, params) = the VJP of fn, recomputed. With createGraph the stand-ins for xs are
    // identity nodes on them, so the result stays differentiable in xs; otherwise they are leaves,
    // so the sweep stays inside fn's graph.
    const createGraph = isGradEnabled();
    const stand = xs.map((x) => (createGraph && x.requiresGrad ? x.reshape(x.shape) : standIn(x)));
    const y = withGradMode(true, () => fn(...stand));
    const targets = [...stand, ...params];
    const wanted = targets.filter((t, i) => t.requiresGrad && (children[i] as Tensor).requiresGrad);
    const gs = y.requiresGrad ? grad(y, wanted, { gradOutput: gy, createGraph, allowUnused: true }) : [];
    return targets.map((t) => {
      const at = wanted.indexOf(t);
      return at < 0 ? null : (gs[at] as Tensor);
    });
  });
}

/** A leaf copy of x (same storage) that requires grad exactly when x does. */
function standIn(x: Tensor): Tensor {
  const t = x.detach();
  t.requiresGrad = x.requiresGrad;
  return t;
}

/** The leaves with requiresGrad that y's graph reaches without passing through one of `stops`. */
function capturedLeaves(y: Tensor, stops: readonly Tensor[]): Tensor[] {
  const stop = new Set(stops);
  const seen = new Set<Tensor>([y]);
  const stack: Tensor[] = [y];
  const leaves: Tensor[] = [];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (stop.has(t)) continue;
    if (t.children.length === 0) {
      if (t.requiresGrad) leaves.push(t);
      continue;
    }
    for (const c of t.children) {
      if (!seen.has(c)) {
        seen.add(c);
        stack.push(c);
      }
    }
  }
  return leaves;
}
