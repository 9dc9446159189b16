// The tensor side of the engine: seeding ∂L/∂output, Tensor.backward and grad(). Both check the
// whole graph first (freed steps, tensors modified in place since the forward pass) and run the
// sweep without touching any .grad until it has finished, so a call that throws leaves every
// .grad as it was.
// Two sweeps: the fast one runs each op's kernel backward on buffers (first order); with
// createGraph, the graph sweep runs each op's VJP in Tensor ops with recording on, so the
// gradients it returns are themselves graph nodes and can be differentiated again.
import { runBackward, topoSort } from '../engine';
import { check, fmtShape, show } from '../errors';
import { addInto } from '../kernels/unary';
import { sameShape } from '../plans/shape';
import { ones } from './create';
import { add } from './ops/binary';
import { gradBuffer, withGradMode } from './record';
import { Tensor } from './tensor';

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /**
   * Record the backward pass itself, so that the gradients require grad and can be
   * differentiated again (higher-order derivatives; default false).
   */
  createGraph?: boolean;
  /** Keep the graph so that backward() or grad() can run through it again (default: createGraph). */
  retainGraph?: boolean;
}

/** Options of `grad()`. */
export interface GradOptions extends BackwardOptions {
  /** ∂L/∂output, of output's shape; omit it when output holds one element. It may require grad itself. */
  gradOutput?: Tensor;
  /** Give zeros for an input that output does not depend on, instead of throwing (default false). */
  allowUnused?: boolean;
}

/** Checks an output, its seed and the options before anything is touched; returns the seed as a tensor. */
function checkSeed(op: string, y: Tensor, gy: Tensor | undefined, opts: BackwardOptions): Tensor {
  check(opts !== null && typeof opts === 'object', () => `${op}: options must be an object, got ${show(opts)}`);
  for (const name of ['retainGraph', 'createGraph'] as const) {
    const v = opts[name];
    check(v === undefined || typeof v === 'boolean', () => `${op}: ${name} must be true or false, got ${show(v)}`);
  }
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
    return ones(y.shape, { dtype: y.dtype });
  }
  check(gy instanceof Tensor, () => `${op}: the output's gradient must be a Tensor, got ${show(gy)}`);
  check(
    sameShape(gy.shape, y.shape),
    () => `${op}: grad of shape ${fmtShape(gy.shape)} does not match the tensor's shape ${fmtShape(y.shape)}`,
  );
  return gy;
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

/** Drops every step and VJP of the graph: its closures and saved tensors become garbage. */
function release(order: readonly Tensor[]): void {
  for (const t of order) {
    t.backwardStep = null;
    t.vjp = null;
  }
}

/**
 * The fast sweep from y with every .grad in the graph set aside; returns the gradients the sweep
 * produced (by position in `order`), with the set-aside ones already restored.
 */
function sweep(op: string, y: Tensor, seed: Tensor, retainGraph: boolean, order: readonly Tensor[]) {
  checkVersions(op, order);
  const before = order.map((t) => t.grad);
  for (const t of order) t.grad = null;
  let after: (Tensor | null)[] = [];
  try {
    runBackward(y, () => addInto(seed.data, gradBuffer(y)), op, true, order);
    after = order.map((t) => t.grad);
  } finally {
    order.forEach((t, i) => {
      t.grad = before[i] ?? null;
    });
  }
  if (!retainGraph) release(order);
  return after;
}

/**
 * The graph sweep (createGraph): from the output down, each node's gradient passes its hooks,
 * then its VJP, run with recording on, gives its children's gradients, summed with `add` where a
 * child is reused (F16). Only nodes in `needed` (default: all) are expanded. Returns ∂L/∂t for
 * the nodes `keep` asks for (a non-leaf's gradient is dropped once its VJP has run, so that the
 * sweep holds no more gradients than the fast one); no .grad is touched.
 */
function sweepGraph(
  op: string,
  seed: Tensor,
  retainGraph: boolean,
  order: readonly Tensor[],
  keep: (t: Tensor) => boolean,
  needed?: ReadonlySet<Tensor>,
): Map<Tensor, Tensor> {
  checkVersions(op, order);
  for (const t of order) {
    check(
      t.vjp !== null || t.children.length === 0,
      () =>
        `${op}: the graph has already been freed by an earlier backward() (a node computed from ` +
        `${t.children.length} operand(s) has no backward step left); recompute the forward pass, or pass ` +
        'retainGraph: true to the earlier call',
    );
  }
  const grads = new Map<Tensor, Tensor>([[order[order.length - 1] as Tensor, seed]]);
  withGradMode(true, () => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i] as Tensor;
      const g = grads.get(t);
      if (g === undefined) continue;
      const hooked = t.runHooks(g);
      grads.set(t, hooked);
      if (t.vjp === null || (needed !== undefined && !needed.has(t))) continue;
      const gs = t.vjp(hooked);
      t.children.forEach((c, j) => {
        const gc = gs[j];
        if (!c.requiresGrad || !gc || (needed !== undefined && !needed.has(c))) return;
        check(
          sameShape(gc.shape, c.shape),
          () =>
            `${op}: the VJP of '${t.op}' gave a gradient of shape ${fmtShape(gc.shape)} for an operand of shape ${fmtShape(c.shape)}`,
        );
        const cast = gc.dtype === c.dtype ? gc : gc.to(c.dtype);
        const prev = grads.get(c);
        // F16: a tensor used several times receives the sum of its consumers' gradients
        grads.set(c, prev === undefined ? cast : add(prev, cast));
      });
      if (!keep(t)) grads.delete(t);
    }
  });
  if (!retainGraph) release(order);
  return grads;
}

/**
 * Tensor.backward: accumulate ∂L/∂leaf into every leaf's .grad (and into tensors that called
 * retainGrad), then (unless retained) free the graph.
 */
export function backward(y: Tensor, gy?: Tensor, opts: BackwardOptions = {}): void {
  const seed = checkSeed('backward', y, gy, opts ?? {});
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const order = topoSort(y) as Tensor[];
  if (createGraph) {
    const grads = sweepGraph('backward', seed, retainGraph, order, (t) => t.children.length === 0 || t.retainsGrad);
    // commit out of place, so that the accumulated .grad is itself differentiable (as PyTorch)
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined || !(t.children.length === 0 || t.retainsGrad)) continue;
      t.grad = t.grad === null ? g : add(t.grad, g);
    }
    return;
  }
  const after = sweep('backward', y, seed, retainGraph, order);
  // commit: each new gradient is added into the one held before (same tensor, as PyTorch); a
  // leaf's gradient is complete only now, so its hooks run here (a non-leaf's ran in its step)
  order.forEach((t, i) => {
    let g = after[i];
    if (g === null || g === undefined) return;
    if (t.children.length === 0) g = t.runHooks(g);
    if (t.grad === null) t.grad = g;
    else {
      addInto(g.data, t.grad.data);
      t.grad.bumpVersion();
    }
  });
}

/**
 * ∂output/∂input for each of `inputs` (or gradOutputᵀ·∂output/∂input), returned as new tensors;
 * no `.grad` anywhere is changed (torch.autograd.grad). With `createGraph` the results are
 * graph nodes themselves: differentiate them again for second and higher derivatives.
 * @throws ChainruleError if an input does not require a gradient or does not take part in
 *   computing output, or for the cases of backward(); nothing is changed then.
 * @example
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const [dx] = grad(x.mul(x).sum(), [x]); // [2, 4, 6]; x.grad stays null
 * const [dx2] = grad(x.pow(3).sum(), [x], { createGraph: true });   // 3x², requires grad
 * const [ddx] = grad(dx2.sum(), [x]);                               // 6x
 */
export function grad(output: Tensor, inputs: readonly Tensor[], opts: GradOptions = {}): Tensor[] {
  const o = opts ?? {};
  const seed = checkSeed('grad', output, o.gradOutput, o);
  check(Array.isArray(inputs), () => `grad: inputs must be an array of Tensors, got ${show(inputs)}`);
  const order = topoSort(output) as Tensor[];
  const inGraph = new Set<Tensor>(order);
  inputs.forEach((x, i) => {
    check(x instanceof Tensor && x.requiresGrad, () => `grad: input ${i} is ${show(x)}, which does not require grad`);
    check(
      inGraph.has(x) || o.allowUnused === true,
      () => `grad: input ${i} was not used to compute the output (pass allowUnused: true to get zeros)`,
    );
  });
  const createGraph = o.createGraph ?? false;
  const retainGraph = o.retainGraph ?? createGraph;
  if (createGraph) {
    const wanted = new Set(inputs);
    const grads = sweepGraph('grad', seed, retainGraph, order, (t) => wanted.has(t), leadingTo(order, inputs));
    return inputs.map((x) => grads.get(x) ?? x.zerosLike());
  }
  // An intermediate input's gradient is caught by its own backward step, after its hooks.
  const caught = new Map<Tensor, Tensor | null>();
  const steps = new Map<Tensor, () => void>();
  for (const x of inputs) {
    const step = x.backwardStep;
    if (step === null || steps.has(x)) continue;
    steps.set(x, step);
    x.backwardStep = () => {
      const retains = x.retainsGrad;
      x.retainsGrad = true;
      try {
        step();
        caught.set(x, x.grad);
      } finally {
        x.retainsGrad = retains;
        x.grad = null;
      }
    };
  }
  try {
    const after = sweep('grad', output, seed, retainGraph, order);
    return inputs.map((x) => {
      if (caught.has(x)) return caught.get(x) ?? x.zerosLike();
      const g = after[order.indexOf(x)];
      return g ? x.runHooks(g) : x.zerosLike();
    });
  } finally {
    // unwrap the steps the sweep did not release (retainGraph, or a check that threw first)
    for (const [x, step] of steps) if (x.backwardStep !== null) x.backwardStep = step;
  }
}

/** The nodes of `order` (children first) from which some input can be reached: all the graph sweep must expand. */
function leadingTo(order: readonly Tensor[], inputs: readonly Tensor[]): Set<Tensor> {
  const needed = new Set<Tensor>(inputs);
  for (const t of order) if (t.children.some((c) => needed.has(c))) needed.add(t);
  return needed;
}
