// The only place graph nodes are made. An op computes its output, then calls record() with its
// operands, its fast backward (kernels on buffers) and its VJP (the same formula in Tensor ops);
// record decides whether a node is needed at all.
import { check, show } from '../errors';
import type { Buf } from '../kernels/index';
import * as K from '../kernels/index';
import { isFloat } from './dtype';
import type { Tensor } from './tensor';

let gradEnabled = true;

/**
 * Runs `fn` without recording a graph (PyTorch's `torch.no_grad()`): results have no history
 * and `requiresGrad` false. Use it for evaluation and for in-place parameter updates.
 * @example
 * const y = noGrad(() => w.mul(2)); // y.requiresGrad === false, no graph recorded
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, 'noGrad');
}

/** Runs `fn` with recording switched on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T, op = 'withGradMode'): T {
  check(typeof fn === 'function', () => `${op}: expects a function to run, got ${show(fn)}`);
  // the mode is one flag: after an await it would be restored, so the rest would record silently
  const async = `${op}: expects a synchronous function; an async one would record a graph after its first await`;
  check(fn.constructor?.name !== 'AsyncFunction', () => `${async} (run ${op} inside it, around the synchronous part)`);
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    const out = fn();
    check(typeof (out as { then?: unknown })?.then !== 'function', () => `${async}; fn returned a Promise`);
    return out;
  } finally {
    gradEnabled = previous;
  }
}

/** Whether ops currently record graph nodes (false inside noGrad). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * A vector-Jacobian product written in Tensor ops: given ∂L/∂y, the gradient for each child (in
 * the order of `children`; null where a child needs none). Run with recording on, its result is
 * itself differentiable: that is how a gradient is differentiated again (createGraph).
 */
export type Vjp = (gy: Tensor) => readonly (Tensor | null)[];

/**
 * Makes `y` a graph node computed by `op` from `children`, unless grad mode is off, y is not a
 * float tensor, or no child requires a gradient.
 * - `backward(gy)` is the fast first-order path: it receives ∂L/∂y as a buffer and adds ∂L/∂child
 *   into each child that requires a gradient (through gradBuffer). Null: the VJP is run instead.
 * - `vjp(gy)` is the same formula in Tensor ops, used by backward()/grad() with createGraph.
 * After the node's step runs, y's own gradient is dropped unless retainGrad() asked to keep it:
 * as in PyTorch, only leaves keep `.grad`.
 */
export function record(
  y: Tensor,
  op: string,
  children: Tensor[],
  backward: ((gy: Buf) => void) | null,
  vjp: Vjp,
): Tensor {
  // an int32 or bool result (argmax, a comparison, a cast) never carries a gradient
  if (!gradEnabled || !isFloat(y.dtype) || !children.some((c) => c.requiresGrad)) return y;
  y.requiresGrad = true;
  y.op = op;
  y.children = children;
  y.savedVersions = [...children.map((c) => c.version), y.version];
  y.vjp = vjp;
  y.backwardStep = () => {
    const g = y.grad === null ? null : y.runHooks(y.grad);
    y.grad = y.retainsGrad ? g : null;
    if (g === null) return;
    if (backward) backward(g.data);
    else addVjp(y, vjp, g);
  };
  return y;
}

/** The fast path of an op that has only a VJP (custom ops, the convolutions' adjoints): run it without a graph. */
function addVjp(y: Tensor, vjp: Vjp, gy: Tensor): void {
  const grads = noGrad(() => vjp(gy));
  y.children.forEach((c, i) => {
    const gc = grads[i];
    if (c.requiresGrad && gc) K.addInto(gc.data, gradBuffer(c));
  });
}

/** t's gradient buffer, allocated (zeroed, same dtype and shape) on first use. */
export function gradBuffer(t: Tensor): Buf {
  if (t.grad === null) t.grad = t.zerosLike();
  return t.grad.data;
}

/** gradBuffer(t), and whether it already held a gradient (if not, a kernel may write, not add). */
export function gradTarget(t: Tensor): [buffer: Buf, holdsGradient: boolean] {
  const holds = t.grad !== null;
  return [gradBuffer(t), holds];
}
