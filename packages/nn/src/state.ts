// packState / unpackState: a nested state (model, optimizer and scheduler state dicts, an epoch
// counter…) to safetensors' two parts and back: its Tensors under dotted names, and the rest as
// one JSON string in the metadata, so one .safetensors file holds a whole training checkpoint.
import { ChainruleError, Tensor } from '@chainrule/core';
import { isPlainObject, show } from './optim/optimizer';

/** The metadata key holding the JSON skeleton of a packed state. */
export const STATE_METADATA_KEY = 'chainrule.state';

/** How deep a state may nest: far more than any real checkpoint, far less than the call stack. */
const MAX_DEPTH = 1000;

/** What packState accepts and unpackState gives back: Tensors, numbers, strings, booleans, null, arrays and plain objects of them. */
export type PackableState =
  | Tensor
  | number
  | string
  | boolean
  | null
  | readonly PackableState[]
  | { readonly [key: string]: PackableState };

/** What packState returns and unpackState takes: the arguments of saveSafetensors / saveCheckpoint. */
export interface PackedState {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * Splits `state` into its Tensors, named by their path (`model.layers.0.weight`,
 * `optimizer.state.0.expAvg`), and a JSON skeleton in `metadata["chainrule.state"]` where each
 * Tensor is `{ "$tensor": name }` and each NaN or ±Infinity `{ "$number": "Infinity" }`.
 * `saveSafetensors(tensors, metadata)` then writes everything in one file.
 * @throws ChainruleError naming the path of a value that is not packable (a function, a typed
 *   array, a class instance), of an object key starting with '$', or of two paths with one name.
 * @example
 * const { tensors, metadata } = packState({ model: model.stateDict(), optimizer: opt.stateDict(), epoch });
 * const bytes = saveSafetensors(tensors, metadata);
 * const back = unpackState(loadSafetensorsWithMetadata(bytes)); // { model, optimizer, epoch }
 */
export function packState(state: unknown): PackedState {
  const tensors: Record<string, Tensor> = {};
  const open = new Set<object>(); // the containers being walked: meeting one again is a cycle
  const walk = (v: unknown, path: string[]): unknown => {
    const where = path.length === 0 ? 'the state' : `'${path.join('.')}'`;
    if (typeof v === 'object' && v !== null && !(v instanceof Tensor)) {
      if (open.has(v))
        throw new ChainruleError(`packState: ${where} contains itself (a cycle); a state must be a tree`);
      if (path.length > MAX_DEPTH)
        throw new ChainruleError(`packState: the state nests deeper than ${MAX_DEPTH} levels`);
    }
    if (v instanceof Tensor) {
      const name = path.join('.');
      if (name === '') throw new ChainruleError('packState: the state itself cannot be a Tensor; put it in an object');
      if (name in tensors) throw new ChainruleError(`packState: two tensors would both be named '${name}'`);
      tensors[name] = v;
      return { $tensor: name };
    }
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
    if (Array.isArray(v)) {
      open.add(v);
      const out = v.map((x, i) => walk(x, [...path, String(i)]));
      open.delete(v);
      return out;
    }
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      open.add(v);
      for (const [k, x] of Object.entries(v)) {
        if (k.startsWith('$'))
          throw new ChainruleError(`packState: key '${k}' in ${where} starts with '$', which is reserved`);
        out[k] = walk(x, [...path, k]);
      }
      open.delete(v);
      return out;
    }
    throw new ChainruleError(
      `packState: ${where} is ${show(v)}; expected a Tensor, number, string, boolean, null, array or plain object`,
    );
  };
  const skeleton = walk(state, []);
  return { tensors, metadata: { [STATE_METADATA_KEY]: JSON.stringify(skeleton) } };
}

/**
 * Rebuilds the state packState split, from `{ tensors, metadata }` (as loadSafetensorsWithMetadata
 * returns them). `T` is the shape the caller expects (not checked: as JSON.parse, the default is any).
 * @throws ChainruleError naming unpackState if the metadata has no packed state, is not valid
 *   JSON, or names a tensor that is missing.
 */
// biome-ignore lint/suspicious/noExplicitAny: like JSON.parse, the caller knows the shape it packed
export function unpackState<T = any>(packed: PackedState): T {
  const op = 'unpackState';
  if (!isPlainObject(packed) || !isPlainObject(packed.tensors) || !isPlainObject(packed.metadata)) {
    throw new ChainruleError(`${op}: expected { tensors, metadata }, got ${show(packed)}`);
  }
  const text = packed.metadata[STATE_METADATA_KEY];
  if (typeof text !== 'string') {
    throw new ChainruleError(
      `${op}: the metadata has no '${STATE_METADATA_KEY}' entry (was the file written from packState?)`,
    );
  }
  let skeleton: unknown;
  try {
    skeleton = JSON.parse(text);
  } catch (e) {
    throw new ChainruleError(`${op}: '${STATE_METADATA_KEY}' is not valid JSON (${(e as Error).message})`);
  }
  const tensors = packed.tensors as Record<string, unknown>;
  const walk = (v: unknown, depth = 0): PackableState => {
    if (depth > MAX_DEPTH) throw new ChainruleError(`${op}: the packed state nests deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (!isPlainObject(v)) return v as PackableState;
    if (typeof v.$tensor === 'string') {
      const t = tensors[v.$tensor];
      if (!(t instanceof Tensor)) throw new ChainruleError(`${op}: tensor '${v.$tensor}' is missing from the file`);
      return t;
    }
    if (typeof v.$number === 'string') return Number(v.$number);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return walk(skeleton) as T;
}
