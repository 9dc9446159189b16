// Module: the base of every layer. It finds parameters, buffers and submodules by walking its
// own fields (and the arrays, plain objects and Maps in them): no registration calls.
import { ChainruleError, noGrad, Tensor } from '@chainrule/core';
import { flag, isPlainObject as isRecord, options, show } from './check';
import { convertTree } from './convert';
import { isParameter } from './parameter';

/** A named field of a module, before containers are walked. */
type Field = [name: string, value: unknown];

/** An object literal (or Object.create(null)): walked like a PyTorch ModuleDict. */
function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The tensors and modules inside `value`, with dotted names under `name`: arrays give `name.0`,
 * plain objects and Maps give `name.key`, nested to any depth. `seen` guards against a container
 * that contains itself.
 */
function flatten(name: string, value: unknown, out: [string, Tensor | Module][], seen: Set<object>): void {
  if (value instanceof Tensor || value instanceof Module) {
    out.push([name, value]);
    return;
  }
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  if (Array.isArray(value)) {
    seen.add(value);
    for (let i = 0; i < value.length; i++) flatten(`${name}.${i}`, value[i], out, seen);
  } else if (value instanceof Map) {
    seen.add(value);
    for (const [k, v] of value) flatten(`${name}.${String(k)}`, v, out, seen);
  } else if (isPlainObject(value)) {
    seen.add(value);
    for (const [k, v] of Object.entries(value)) flatten(`${name}.${k}`, v, out, seen);
  }
}

/** Throws unless a name prefix is a string. */
function checkPrefix(op: string, prefix: unknown): void {
  if (typeof prefix !== 'string') throw new ChainruleError(`${op}: prefix must be a string, got ${show(prefix)}`);
}

/** Float dtypes copy into each other (as PyTorch's copy_); other dtypes only into themselves. */
function isFloat(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** A hook run after forward(): returns a replacement output, or nothing (undefined). */
// biome-ignore lint/suspicious/noExplicitAny: forward's inputs and output are each layer's own
export type ForwardHook<M extends Module = Module> = (module: M, inputs: any[], output: any) => unknown;
/** A hook run before forward(): returns replacement inputs (an array), or nothing (undefined). */
// biome-ignore lint/suspicious/noExplicitAny: forward's inputs are each layer's own
export type ForwardPreHook<M extends Module = Module> = (module: M, inputs: any[]) => unknown;

/**
 * Base class of layers and models. Fields holding a Tensor with `requiresGrad` are parameters;
 * other Tensor fields are buffers (saved in stateDict, not trained, e.g. BatchNorm's
 * running_mean). Module fields are submodules. Arrays, plain objects and Maps are walked to any
 * depth with PyTorch's dotted names: an array field `blocks` gives `blocks.0.weight`, an object
 * or Map field `table` gives `table.proj.weight`. Fields whose name starts with `_` are private
 * and skipped.
 *
 * `forward` is each layer's own: it may take and return anything (a GRU returns
 * `[output, hN]`), as PyTorch's `forward(*args) -> Any`.
 * @example
 * class Net extends Module {
 *   blocks = [new Linear(4, 8), new Linear(8, 2)];
 *   forward(x: Tensor): Tensor { return this.blocks[1]!.forward(this.blocks[0]!.forward(x).relu()); }
 * }
 * new Net().namedParameters().map(([n]) => n); // ['blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', …]
 */
export abstract class Module {
  /** True in training mode (the default); Dropout and BatchNorm behave differently in eval. */
  training = true;
  /** Hooks run around forward() (registerForwardHook, registerForwardPreHook); '_' keeps them out of parameters. */
  _forwardHooks?: ForwardHook<Module>[];
  _forwardPreHooks?: ForwardPreHook<Module>[];

  /**
   * The layer's computation, called directly (`model.forward(x)`; there is no __call__ in
   * JavaScript). It may take and return anything: each layer narrows its inputs and output.
   */
  // biome-ignore lint/suspicious/noExplicitAny: each layer narrows forward's inputs and output to its own
  abstract forward(...inputs: any[]): any;

  /**
   * Runs `hook(module, inputs, output)` after every forward(); a returned value replaces the
   * output. Returns a function that removes the hook (PyTorch's register_forward_hook).
   * @throws ChainruleError if hook is not a function.
   * @example
   * const acts: Tensor[] = [];
   * const remove = model.layers[0]!.registerForwardHook((_m, _in, out) => { acts.push(out); });
   */
  registerForwardHook(hook: ForwardHook<this>): () => void {
    return this.addHook('registerForwardHook', '_forwardHooks', hook);
  }

  /**
   * Runs `hook(module, inputs)` before every forward(); a returned array replaces the inputs.
   * Returns a function that removes the hook (PyTorch's register_forward_pre_hook).
   * @throws ChainruleError if hook is not a function.
   */
  registerForwardPreHook(hook: ForwardPreHook<this>): () => void {
    return this.addHook('registerForwardPreHook', '_forwardPreHooks', hook);
  }

  private addHook(op: string, key: '_forwardHooks' | '_forwardPreHooks', hook: unknown): () => void {
    if (typeof hook !== 'function') {
      throw new ChainruleError(`${this.constructor.name}.${op}: expects a function, got ${show(hook)}`);
    }
    const list: unknown[] = this[key] ?? [];
    (this as unknown as Record<string, unknown>)[key] = list;
    list.push(hook);
    this.wrapForward();
    return () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /**
   * Gives this instance a forward that runs the hooks around the class's own (once; a
   * non-enumerable own property, so parameters and state dicts do not see it).
   */
  private wrapForward(): void {
    if (Object.hasOwn(this, 'forward')) return;
    const own = this.forward;
    // biome-ignore lint/suspicious/noExplicitAny: forward's inputs and output are each layer's own
    const hooked = (...inputs: any[]): any => {
      let args = inputs;
      for (const pre of [...(this._forwardPreHooks ?? [])]) {
        const replaced = pre(this, args);
        if (replaced !== undefined) {
          if (!Array.isArray(replaced)) {
            throw new ChainruleError(
              `${this.constructor.name}.forward: a forward pre-hook must return nothing or an array of inputs, got ${show(replaced)}`,
            );
          }
          args = replaced as unknown[];
        }
      }
      let output = own.apply(this, args);
      for (const hook of [...(this._forwardHooks ?? [])]) {
        const replaced = hook(this, args, output);
        if (replaced !== undefined) output = replaced;
      }
      return output;
    };
    Object.defineProperty(this, 'forward', { value: hooked, writable: true, configurable: true, enumerable: false });
  }

  /** This module's own fields, before containers are walked. Containers such as Sequential override it. */
  protected fields(): Field[] {
    return Object.entries(this).filter(([key]) => !key.startsWith('_'));
  }

  /** The tensors and submodules directly held by this module (through any containers), in field order. */
  private entries(): [string, Tensor | Module][] {
    const out: [string, Tensor | Module][] = [];
    const seen = new Set<object>();
    for (const [key, value] of this.fields()) flatten(key, value, out, seen);
    return out;
  }

  /**
   * Every tensor of this module and its submodules with dotted names, as PyTorch's state_dict:
   * a tensor (or module) reachable under two names is listed under both.
   */
  namedTensors(prefix = ''): [string, Tensor][] {
    checkPrefix(`${this.constructor.name}.namedTensors`, prefix);
    const out: [string, Tensor][] = [];
    const walk = (m: Module, pre: string, path: Set<Module>) => {
      for (const [name, value] of m.entries()) {
        if (value instanceof Tensor) out.push([pre + name, value]);
        else if (!path.has(value)) walk(value, `${pre}${name}.`, new Set(path).add(value));
      }
    };
    walk(this, prefix, new Set([this]));
    return out;
  }

  /**
   * Parameters with dotted names such as `layers.0.weight`: tensors that require a gradient, and
   * frozen ones (requiresGrad set to false) too, as PyTorch (see `parameter`). A parameter
   * shared by two modules (weight tying) is listed once, under its first name.
   */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [name, t] of this.namedTensors()) {
      if (!isParameter(t) || seen.has(t)) continue;
      seen.add(t);
      out.push([name, t]);
    }
    return out;
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

  /** This module and every submodule, each once, with dotted names ('' for this one), parents first. */
  namedModules(prefix = ''): [string, Module][] {
    checkPrefix(`${this.constructor.name}.namedModules`, prefix);
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const walk = (m: Module, name: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [field, value] of m.entries()) {
        if (value instanceof Module) walk(value, name === '' ? field : `${name}.${field}`);
      }
    };
    walk(this, prefix.replace(/\.$/, ''));
    return out;
  }

  /** This module and every submodule, each once, parents first. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** The submodules held directly by this module (through any containers), each once. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [name, value] of this.entries()) {
      if (!(value instanceof Module) || seen.has(value)) continue;
      seen.add(value);
      out.push([name, value]);
    }
    return out;
  }

  /**
   * Calls `fn` on every submodule and then on this one (children before parents, as PyTorch's
   * `apply`), e.g. to initialise weights. Returns this module.
   */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') {
      throw new ChainruleError(`${this.constructor.name}.apply: fn must be a function, got ${show(fn)}`);
    }
    const visited = new Set<Module>();
    const visit = (m: Module) => {
      if (visited.has(m)) return;
      visited.add(m);
      for (const [, child] of m.namedChildren()) visit(child);
      fn(m);
    };
    visit(this);
    return this;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    flag(`${this.constructor.name}.train`, 'mode', mode, true);
    for (const m of this.modules()) m.training = mode;
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
   * Copies `state` into this module's parameters and buffers, in place. Values are converted
   * between float32 and float64 as needed (PyTorch's copy_).
   * @param opts.strict (default true) missing and unexpected keys are errors; a value that is not
   *   a Tensor, has another shape or a dtype that cannot be copied always is.
   * @throws ChainruleError naming `<Class>.loadStateDict` (e.g. `Linear.loadStateDict`) and
   *   listing every offending name; every entry is checked before any is written, so nothing is
   *   changed in that case.
   */
  loadStateDict(state: Record<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const op = `${this.constructor.name}.loadStateDict`;
    if (!isRecord(state)) {
      throw new ChainruleError(`${op}: state must be an object mapping names to Tensors, got ${show(state)}`);
    }
    const strict = flag(op, 'strict', options(op, opts, ['strict']).strict, true);
    const own = new Map(this.namedTensors());
    const problems: string[] = [];
    const missing = [...own.keys()].filter((k) => !Object.hasOwn(state, k));
    const unexpected = Object.keys(state).filter((k) => !own.has(k));
    if (strict && missing.length > 0) problems.push(`missing keys: ${missing.join(', ')}`);
    if (strict && unexpected.length > 0) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    const notTensor: string[] = [];
    const mismatched: string[] = [];
    const badDtype: string[] = [];
    for (const [name, t] of own) {
      if (!Object.hasOwn(state, name)) continue;
      const src: unknown = state[name];
      if (!(src instanceof Tensor)) notTensor.push(`${name} (${show(src)})`);
      else if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i])) {
        mismatched.push(`${name} ([${src.shape.join(',')}] vs expected [${t.shape.join(',')}])`);
      } else if (src.dtype !== t.dtype && !(isFloat(src.dtype) && isFloat(t.dtype))) {
        badDtype.push(`${name} (${src.dtype} vs expected ${t.dtype})`);
      }
    }
    if (notTensor.length > 0) problems.push(`not Tensors: ${notTensor.join(', ')}`);
    if (mismatched.length > 0) problems.push(`shape mismatches: ${mismatched.join(', ')}`);
    if (badDtype.length > 0) problems.push(`dtype mismatches: ${badDtype.join(', ')}`);
    if (problems.length > 0) {
      throw new ChainruleError(`${op}: ${problems.join('; ')}; nothing was loaded`);
    }
    noGrad(() => {
      for (const [name, t] of own) {
        if (!Object.hasOwn(state, name)) continue;
        const src = state[name] as Tensor;
        t.data.set(src.data);
        t.bumpVersion();
      }
    });
  }

  /**
   * Converts every float parameter and buffer (and its gradient) to `dtype`, as torch's
   * module.to(dtype); integer and bool buffers (BatchNorm's num_batches_tracked) stay. Tensors
   * are replaced in their fields (tied weights stay tied); make optimizers after this call.
   * @throws ChainruleError for a dtype other than 'float32' or 'float64'.
   * @example
   * const model = new MLP(2, [16, 1]).to('float64');
   */
  to(dtype: 'float32' | 'float64'): this {
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ChainruleError(`${this.constructor.name}.to: dtype must be 'float32' or 'float64', got ${show(dtype)}`);
    }
    convertTree(this, dtype, (x) => x instanceof Module);
    return this;
  }

  /** What console.log and util.inspect show in Node: toString's tree and the parameter count. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const params = this.parameters();
    const count = params.reduce((n, p) => n + p.size, 0);
    const trainable = params.reduce((n, p) => n + (p.requiresGrad ? p.size : 0), 0);
    return `${this.toString()}\n${count} parameters${trainable === count ? '' : ` (${trainable} trainable)`}`;
  }

  /** Extra text shown by toString (PyTorch's extra_repr). */
  protected extraRepr(): string {
    return '';
  }

  /** The module tree as PyTorch prints it: `MLP(\n  (layers): …)`, each layer with its settings. */
  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const body = children.map(([name, m]) => `  (${name}): ${m.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }
}
