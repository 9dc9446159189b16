// The only place graph nodes are made. An op computes its output, then calls record() with its
// operands and a backward closure; record decides whether a node is needed at all.
import { check, show } from '../errors';
import type { Buf } from '../kernels/index';
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
  check(typeof fn === 'function', () => `noGrad: expects a function to run, got ${show(fn)}`);
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Whether ops currently record graph nodes (false inside noGrad). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Makes `y` a graph node computed by `op` from `children`, unless grad mode is off, y is not a
 * float tensor, or no child requires a gradient. `backward(gy)` receives ∂L/∂y and must add ∂L/∂child into each child
 * that requires a gradient (through gradBuffer). After it runs, y's own gradient is dropped:
 * as in PyTorch, only leaves keep `.grad`.
 */
export function record(y: Tensor, op: string, children: Tensor[], backward: (gy: Buf) => void): Tensor {
  // an int32 or bool result (argmax, a comparison, a cast) never carries a gradient
  if (!gradEnabled || !isFloat(y.dtype) || !children.some((c) => c.requiresGrad)) return y;
  y.requiresGrad = true;
  y.op = op;
  y.children = children;
  y.savedVersions = [...children.map((c) => c.version), y.version];
  y.backwardStep = () => {
    const g = y.grad;
    y.grad = null;
    if (g !== null) backward(g.data);
  };
  return y;
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
