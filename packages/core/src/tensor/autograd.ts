// The tensor side of the engine: seeding ∂L/∂output, Tensor.backward, and grad(), which returns
// gradients instead of accumulating them into .grad.
import { type GraphNode, runBackward, topoSort } from '../engine';
import { check, fmtShape, show } from '../errors';
import { addInto } from '../kernels/unary';
import { sameShape } from '../plans/shape';
import { gradBuffer } from './record';
import { Tensor } from './tensor';

export interface BackwardOptions {
  /** Keep the graph so that backward() or grad() can run through it again (default false). */
  retainGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** ∂L/∂output, of output's shape; omit it when output holds one element. */
  gradOutput?: Tensor;
}

/** Checks an output and its seed before anything is touched; returns the seed step. */
function seedFor(op: string, y: Tensor, gy: Tensor | undefined, opts: BackwardOptions): () => void {
  check(opts !== null && typeof opts === 'object', () => `${op}: options must be an object, got ${show(opts)}`);
  check(
    opts.retainGraph === undefined || typeof opts.retainGraph === 'boolean',
    () => `${op}: retainGraph must be true or false, got ${show(opts.retainGraph)}`,
  );
  check(y instanceof Tensor, () => `${op}: expected a Tensor to differentiate, got ${show(y)}`);
  check(
    y.requiresGrad,
    () => `${op}: this tensor does not require grad and has no graph (did an input set requiresGrad: true?)`,
  );
  if (gy === undefined) {
    check(
      y.size === 1,
      () =>
        `${op}: a gradient can be implied only for a tensor of one element, got shape ${fmtShape(y.shape)}; ` +
        `pass ${op === 'grad' ? 'opts.gradOutput' : 'backward(grad)'} or reduce first (e.g. .sum())`,
    );
    return () => {
      const g = gradBuffer(y);
      g[0] = (g[0] as number) + 1;
    };
  }
  check(gy instanceof Tensor, () => `${op}: the output's gradient must be a Tensor, got ${show(gy)}`);
  check(
    sameShape(gy.shape, y.shape),
    () => `${op}: grad of shape ${fmtShape(gy.shape)} does not match the tensor's shape ${fmtShape(y.shape)}`,
  );
  return () => addInto(gy.data, gradBuffer(y));
}

/** Tensor.backward: accumulate ∂L/∂leaf into every leaf's .grad, then (unless retained) free the graph. */
export function backward(y: Tensor, gy?: Tensor, opts: BackwardOptions = {}): void {
  const seed = seedFor('backward', y, gy, opts);
  runBackward(y, seed, 'backward', opts.retainGraph ?? false);
}

/**
 * ∂output/∂input for each of `inputs` (or gradOutputᵀ·∂output/∂input), returned as new tensors;
 * no `.grad` anywhere is changed (torch.autograd.grad, first order).
 * @throws ChainruleError if an input does not require a gradient or does not take part in
 *   computing output, or for the cases of backward(); nothing is changed then.
 * @example
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const [dx] = grad(x.mul(x).sum(), [x]); // [2, 4, 6]; x.grad stays null
 */
export function grad(output: Tensor, inputs: readonly Tensor[], opts: GradOptions = {}): Tensor[] {
  const seed = seedFor('grad', output, opts?.gradOutput, opts ?? {});
  check(Array.isArray(inputs), () => `grad: inputs must be an array of Tensors, got ${show(inputs)}`);
  const order = topoSort(output) as Tensor[];
  const inGraph = new Set<GraphNode>(order);
  inputs.forEach((x, i) => {
    check(x instanceof Tensor && x.requiresGrad, () => `grad: input ${i} is ${show(x)}, which does not require grad`);
    check(inGraph.has(x), () => `grad: input ${i} was not used to compute the output`);
  });
  // Every .grad in the graph is set aside and restored afterwards; an intermediate input's
  // gradient is caught just before its own backward step consumes it.
  const saved = order.map((t) => t.grad);
  for (const t of order) t.grad = null;
  const caught = new Map<Tensor, Tensor | null>();
  const steps = new Map<Tensor, () => void>();
  for (const x of inputs) {
    const step = x.backwardStep;
    if (step === null || steps.has(x)) continue;
    steps.set(x, step);
    x.backwardStep = () => {
      caught.set(x, x.grad);
      step();
    };
  }
  try {
    runBackward(output, seed, 'grad', opts.retainGraph ?? false);
    return inputs.map((x) => (caught.has(x) ? caught.get(x) : x.grad) ?? x.zerosLike());
  } finally {
    order.forEach((t, i) => {
      t.grad = saved[i] ?? null;
    });
    if (opts.retainGraph) for (const [x, step] of steps) x.backwardStep = step;
  }
}
