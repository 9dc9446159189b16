// Module: the base of every layer. It finds parameters, buffers and submodules by walking its
// own fields (arrays of modules included): no registration calls.
import { ChainruleError, noGrad, Tensor } from '@chainrule/core';

/** A field value the walker understands. */
type Entry = [name: string, value: Tensor | Module];

/**
 * Base class of layers and models. Fields holding a Tensor with `requiresGrad` are parameters;
 * other Tensor fields are buffers (saved in stateDict, not trained, e.g. BatchNorm's running
 * mean); Module fields, and arrays of Modules or Tensors, are walked recursively with dotted
 * names (`layers.0.weight`). Fields whose name starts with `_` are private and skipped.
 * @example
 * class TwoLayer extends Module {
 *   readonly fc1 = new Linear(2, 8);
 *   readonly fc2 = new Linear(8, 1);
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.forward(this.fc1.forward(x).relu());
 *   }
 * }
 * new TwoLayer().namedParameters().map(([name]) => name); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 */
export abstract class Module {
  /** True in training mode (the default); Dropout and BatchNorm1d behave differently in eval. */
  training = true;

  /**
   * The layer's computation: takes input tensors and returns the output, recording the graph that
   * backward() walks. Call it directly (`model.forward(x)`); there is no __call__ in JavaScript.
   */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** The direct children of this module: named tensors and submodules, in field order. */
  protected entries(): Entry[] {
    const out: Entry[] = [];
    for (const [key, value] of Object.entries(this)) {
      if (key.startsWith('_')) continue;
      if (value instanceof Tensor || value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (v instanceof Tensor || v instanceof Module) out.push([`${key}.${i}`, v]);
        });
      }
    }
    return out;
  }

  /** Every tensor of this module and its submodules, with dotted names. */
  namedTensors(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, value] of this.entries()) {
      if (value instanceof Tensor) out.push([prefix + name, value]);
      else out.push(...value.namedTensors(`${prefix}${name}.`));
    }
    return out;
  }

  /** Trainable tensors (requiresGrad), with dotted names such as `layers.0.weight`. */
  namedParameters(): [string, Tensor][] {
    return this.namedTensors().filter(([, t]) => t.requiresGrad);
  }

  /**
   * Every parameter (a Tensor field with requiresGrad) of this module and its submodules, each once, in
   * field order: what an optimizer takes.
   * @example
   * const opt = new Adam(model.parameters(), { lr: 1e-3 });
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Submodules, this one included first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [name, value] of this.entries()) {
      if (value instanceof Module) out.push(...value.namedModules(`${prefix}${name}.`));
    }
    return out;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Parameters and buffers by dotted name. The tensors are the module's own (not copies). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedTensors());
  }

  /**
   * Copies `state` into this module's parameters and buffers, in place.
   * @param opts.strict (default true) missing and unexpected keys are errors; shape mismatches
   *   always are.
   * @throws ChainruleError listing every offending name; nothing is changed in that case.
   */
  loadStateDict(state: Record<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const strict = opts.strict ?? true;
    const own = new Map(this.namedTensors());
    const problems: string[] = [];
    const missing = [...own.keys()].filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !own.has(k));
    if (strict && missing.length > 0) problems.push(`missing keys: ${missing.join(', ')}`);
    if (strict && unexpected.length > 0) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    const mismatched: string[] = [];
    for (const [name, t] of own) {
      const src = state[name];
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) mismatched.push(`${name} (not a Tensor)`);
      else if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i])) {
        mismatched.push(`${name} ([${src.shape.join(',')}] vs expected [${t.shape.join(',')}])`);
      }
    }
    if (mismatched.length > 0) problems.push(`shape mismatches: ${mismatched.join(', ')}`);
    if (problems.length > 0) {
      throw new ChainruleError(`loadStateDict: ${problems.join('; ')}; nothing was loaded`);
    }
    noGrad(() => {
      for (const [name, t] of own) {
        const src = state[name];
        if (src !== undefined) t.data.set(src.data);
      }
    });
  }

  /** Extra text shown by toString (PyTorch's extra_repr). */
  protected extraRepr(): string {
    return '';
  }

  /** The module tree as PyTorch prints it: `MLP(\n  (layers): …)`, each layer with its settings. */
  toString(): string {
    const children = this.entries().filter((e): e is [string, Module] => e[1] instanceof Module);
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const body = children.map(([name, m]) => `  (${name}): ${m.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }
}
