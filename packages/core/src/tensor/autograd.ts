// The tensor side of the engine: seeding ∂L/∂output, Tensor.backward and grad(). Both check the
// whole graph first (freed steps, tensors modified in place since the forward pass) and run the
// sweep on fresh gradient buffers, so a call that throws leaves every .grad as it was.
import { runBackward, topoSort } from '../engine';
import { check, fmtShape, show } from '../errors';
import { addInto } from '../kernels/unary';
import { sameShape } from '../plans/shape';
import { gradBuffer } from './record';
import { Tensor } from './tensor';

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /** Keep the graph so that backward() or grad() can run through it again (default false). */
  retainGraph?: boolean;
}

/** Options of `grad()`. */
export interface GradOptions extends BackwardOptions {
  /** ∂L/∂output, of output's shape; omit it when output holds one element. */
  gradOutput?: Tensor;
  /** Give zeros for an input that output does not depend on, instead of throwing (default false). */
  allowUnused?: boolean;
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

/** Every tensor an op saved for its backward must still be as it was in the forward pass (PyTorch's version check). */
function checkVersions(op: string, order: readonly Tensor[]): void {
  for (const t of order) {
    const saved = t.savedVersions;
    if (saved === null) continue;
    [...t.children, t].forEach((s, i) => {
      check(
        s.version === saved[i],
        () =>
          `${op}: a tensor that '${t.op}' saved for its backward was modified in place after the forward pass ` +
          `(version ${saved[i]}, now ${s.version}), e.g. by an optimizer step between the forward pass and ` +
          `${op}(); run the forward pass again`,
      );
    });
  }
}

/**
 * Runs the sweep from y with every .grad in the graph set aside; returns the gradients the sweep
 * produced (by position in `order`), with the set-aside ones already restored.
 */
function sweep(op: string, y: Tensor, seed: () => void, retainGraph: boolean, order: readonly Tensor[]) {
  checkVersions(op, order);
  const before = order.map((t) => t.grad);
  for (const t of order) t.grad = null;
  let after: (Tensor | null)[] = [];
  try {
    runBackward(y, seed, op, retainGraph, order);
    after = order.map((t) => t.grad);
  } finally {
    order.forEach((t, i) => {
      t.grad = before[i] ?? null;
    });
  }
  return after;
}

/** Tensor.backward: accumulate ∂L/∂leaf into every leaf's .grad, then (unless retained) free the graph. */
export function backward(y: Tensor, gy?: Tensor, opts: BackwardOptions = {}): void {
  const seed = seedFor('backward', y, gy, opts);
  const order = topoSort(y) as Tensor[];
  const after = sweep('backward', y, seed, opts.retainGraph ?? false, order);
  // commit: each new gradient is added into the one held before (same tensor, as PyTorch)
  order.forEach((t, i) => {
    const g = after[i];
    if (g === null || g === undefined) return;
    if (t.grad === null) t.grad = g;
    else {
      addInto(g.data, t.grad.data);
      t.grad.bumpVersion();
    }
  });
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
  const inGraph = new Set<Tensor>(order);
  inputs.forEach((x, i) => {
    check(x instanceof Tensor && x.requiresGrad, () => `grad: input ${i} is ${show(x)}, which does not require grad`);
    check(
      inGraph.has(x) || opts.allowUnused === true,
      () => `grad: input ${i} was not used to compute the output (pass allowUnused: true to get zeros)`,
    );
  });
  // An intermediate input's gradient is caught just before its own backward step consumes it.
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
    const after = sweep('grad', output, seed, opts.retainGraph ?? false, order);
    return inputs.map((x) => (caught.has(x) ? caught.get(x) : after[order.indexOf(x)]) ?? x.zerosLike());
  } finally {
    // unwrap the steps the sweep did not release (retainGraph, or a check that threw first)
    for (const [x, step] of steps) if (x.backwardStep !== null) x.backwardStep = step;
  }
}
