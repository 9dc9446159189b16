// The only place graph nodes are made. An op computes its output, then calls record() with its
// operands, its fast backward (kernels on buffers) and its VJP (the same formula in Tensor ops);
// record decides whether a node is needed at all.
import { check, show } from '../errors';
import type { Buf } from '../kernels/index';
import * as K from '../kernels/index';
import { dtypeOf, isFloat } from './dtype';
import { Tensor } from './tensor';

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

/** Whether `record` makes a node of a float result of `children` (an op asks before keeping what only a backward reads). */
export const recordsGraph = (children: readonly Tensor[]) => gradEnabled && children.some((c) => c.requiresGrad);

/**
 * A vector-Jacobian product written in Tensor ops: given ∂L/∂y, the gradient for each child (in
 * the order of `children`; null where a child needs none). Run with recording on, its result is
 * itself differentiable: that is how a gradient is differentiated again (createGraph).
 */
export type Vjp = (gy: Tensor) => readonly (Tensor | null)[];

/**
 * Makes `y` a graph node computed by `op` from `children`, unless grad mode is off, y is not a
 * float tensor, or no child requires a gradient.
 * - `backward(gy, own)` is the fast first-order path: it receives ∂L/∂y as a buffer and adds
 *   ∂L/∂child into each child that requires a gradient (through gradBuffer, or addGrad: `own` says
 *   whether it may hand gy itself over as a child's gradient). Null: the VJP is run instead.
 * - `vjp(gy)` is the same formula in Tensor ops, used by backward()/grad() with createGraph.
 * After the node's step runs, y's own gradient is dropped unless retainGrad() asked to keep it:
 * as in PyTorch, only leaves keep `.grad`.
 */
export function record(
  y: Tensor,
  op: string,
  children: Tensor[],
  backward: ((gy: Buf, own: boolean) => void) | null,
  vjp: Vjp,
): Tensor {
  // an int32 or bool result (argmax, a comparison, a cast) never carries a gradient
  if (!isFloat(y.dtype) || !recordsGraph(children)) return y;
  y.requiresGrad = true;
  y.op = op;
  y.children = children;
  y.savedVersions = [...children.map((c) => c.version), y.version];
  y.vjp = vjp;
  y.backwardStep = () => {
    const g = y.grad === null ? null : y.runHooks(y.grad);
    y.grad = y.retainsGrad ? g : null;
    if (g === null) return;
    // the step owns ∂L/∂y's buffer when nothing else can hold it: y keeps no gradient, and no hook saw it
    if (backward) backward(g.data, !y.retainsGrad && !y.hooked);
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

/**
 * ∂L/∂t += g. Where t holds no gradient yet and `own` says that nothing else holds g (a buffer this
 * backward step allocated, or the gradient its node received and keeps no more: record's `own`),
 * g itself becomes t's gradient, without a zeroed allocation or an addition. The caller must not
 * touch g after handing it over.
 */
export function addGrad(t: Tensor, g: Buf, own: boolean): void {
  if (own && t.grad === null && g.length === t.size && dtypeOf(g) === t.dtype) t.grad = new Tensor(g, t.shape);
  else K.addInto(g, gradBuffer(t));
}

/** gradBuffer(t), and whether it already held a gradient (if not, a kernel may write, not add). */
export function gradTarget(t: Tensor): [buffer: Buf, holdsGradient: boolean] {
  const holds = t.grad !== null;
  return [gradBuffer(t), holds];
}
