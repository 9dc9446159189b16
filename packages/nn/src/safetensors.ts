// The safetensors format (huggingface/safetensors): save and load a flat Record<string, Tensor>
// as bytes. Layout: u64 LE header length N, N bytes of UTF-8 JSON header, then the data section.
// Browser-safe: no Node imports. Reads F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL (the
// half floats into float32, the integers into int32); writes chainrule's four (int32 as I64 on request).
import { type Buf, Tensor } from '@chainrule/core';
import { fail, flag, isPlainObject, number, options, show } from './check';

/** The safetensors dtypes chainrule stores as they are, with their element sizes in bytes. */
const DTYPES = {
  F64: {
    dtype: 'float64',
    bytes: 8,
    make: (n: number) => new Float64Array(n),
    view: (b: ArrayBufferLike, at: number, n: number) => new Float64Array(b, at, n),
  },
  F32: {
    dtype: 'float32',
    bytes: 4,
    make: (n: number) => new Float32Array(n),
    view: (b: ArrayBufferLike, at: number, n: number) => new Float32Array(b, at, n),
  },
  I32: {
    dtype: 'int32',
    bytes: 4,
    make: (n: number) => new Int32Array(n),
    view: (b: ArrayBufferLike, at: number, n: number) => new Int32Array(b, at, n),
  },
  BOOL: {
    dtype: 'bool',
    bytes: 1,
    make: (n: number) => new Uint8Array(n),
    view: (b: ArrayBufferLike, at: number, n: number) => new Uint8Array(b, at, n),
  },
} as const;
/**
 * The dtypes PyTorch writes that chainrule has no storage for, read into the nearest one (always
 * a copy): half floats widen exactly to float32, integers to int32 (an int64 or uint8 value is
 * checked to fit). `get` reads element i little-endian.
 */
const CONVERTED = {
  F16: { dtype: 'float32', bytes: 2, get: (v: DataView, i: number) => half(v.getUint16(i * 2, true)) },
  BF16: { dtype: 'float32', bytes: 2, get: (v: DataView, i: number) => bfloat16(v.getUint16(i * 2, true)) },
  I64: { dtype: 'int32', bytes: 8, get: (v: DataView, i: number) => v.getBigInt64(i * 8, true) },
  I16: { dtype: 'int32', bytes: 2, get: (v: DataView, i: number) => v.getInt16(i * 2, true) },
  I8: { dtype: 'int32', bytes: 1, get: (v: DataView, i: number) => v.getInt8(i) },
  U8: { dtype: 'int32', bytes: 1, get: (v: DataView, i: number) => v.getUint8(i) },
} as const;
const NAMES = { float64: 'F64', float32: 'F32', int32: 'I32', bool: 'BOOL' } as const;
type NativeDType = keyof typeof DTYPES;
type SafetensorsDType = NativeDType | keyof typeof CONVERTED;
const bytesOf = (st: SafetensorsDType): number =>
  (st in DTYPES ? DTYPES[st as NativeDType] : CONVERTED[st as keyof typeof CONVERTED]).bytes;
const SUPPORTED = 'F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL';

/** An IEEE binary16 bit pattern as a number (exact in float32). */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A bfloat16 bit pattern as a number: the top half of a float32. */
function bfloat16(h: number): number {
  return new Float32Array(Uint32Array.of(h << 16).buffer)[0] as number;
}

/** The reference implementation's limit on the header length (100 MB). */
const MAX_HEADER = 100_000_000;
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

interface Entry {
  name: string;
  /** The name as JSON, for messages. */
  quoted: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * The safetensors bytes of `state`: a header padded with spaces to a multiple of 8 bytes, then
 * the tensors contiguous and little-endian, float64 before float32 and by name within a dtype
 * (the reference writer's order, which keeps every tensor aligned to its element size).
 * @param metadata free-form string pairs stored under "__metadata__".
 * @throws ChainruleError if a name is empty or "__metadata__", a value is not a Tensor, or
 *   metadata is not a record of strings.
 */
export function saveSafetensors(
  state: Record<string, Tensor>,
  metadata?: Record<string, string>,
  opts: SafetensorsSaveOptions = {},
): Uint8Array {
  return write('saveSafetensors', state, metadata, opts);
}

/** Options of saveSafetensors and saveCheckpoint. */
export interface SafetensorsSaveOptions {
  /**
   * Write int32 tensors as I64 (default false): the integer dtype PyTorch's state dicts hold
   * (BatchNorm's num_batches_tracked), for a file that `safetensors.torch.load_file` gives back
   * with torch's own dtypes.
   */
  int64?: boolean;
}

/** saveSafetensors' body; `op` is the function the user called (saveSafetensors or saveCheckpoint). */
export function write(op: string, state: unknown, metadata: unknown, opts: unknown = {}): Uint8Array {
  const int64 = flag(op, 'int64', options(op, opts, ['int64']).int64, false);
  if (!isPlainObject(state)) fail(op, `state must be an object mapping names to Tensors, got ${show(state)}`);
  if (metadata !== undefined && !isPlainObject(metadata)) {
    fail(op, `metadata must be an object mapping strings to strings, got ${show(metadata)}`);
  }
  const entries: { name: string; t: Tensor; st: SafetensorsDType }[] = [];
  for (const [name, t] of Object.entries(state)) {
    if (name === '') fail(op, 'tensor names must be non-empty');
    if (name === METADATA_KEY) fail(op, `"${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) fail(op, `value of ${JSON.stringify(name)} must be a Tensor, got ${show(t)}`);
    entries.push({ name, t, st: int64 && t.dtype === 'int32' ? 'I64' : NAMES[t.dtype] });
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') fail(op, `metadata value of ${JSON.stringify(k)} must be a string, got ${show(v)}`);
    }
  }
  entries.sort((a, b) => bytesOf(b.st) - bytesOf(a.st) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header[METADATA_KEY] = { ...metadata };
  let offset = 0;
  for (const { name, t, st } of entries) {
    const end = offset + t.size * bytesOf(st);
    Object.defineProperty(header, name, {
      value: { dtype: st, shape: [...t.shape], data_offsets: [offset, end] },
      enumerable: true,
    });
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let pos = 8 + n;
  for (const { t, st } of entries) {
    if (st === 'I64') writeInt64(t.data, out, pos);
    else writeLittleEndian(t.data, out, pos);
    pos += t.size * bytesOf(st);
  }
  return out;
}

/** Limits for files from untrusted sources (loadSafetensors and loadCheckpoint take them). */
export interface SafetensorsLoadOptions {
  /** The most tensors a file may hold (default: no limit). */
  maxTensors?: number;
  /** The largest header accepted, in bytes (default 100,000,000, the reference implementation's limit). */
  maxHeaderBytes?: number;
}

/**
 * The tensors stored in safetensors `bytes`, requiresGrad false. See loadSafetensorsWithMetadata
 * for the checks, the limits and when a tensor shares memory with `bytes`.
 * @throws ChainruleError naming loadSafetensors and the problem, for any malformed or unsupported file.
 * @example
 * model.loadStateDict(loadSafetensors(bytes));   // copies into the model's own parameters
 */
export function loadSafetensors(bytes: Uint8Array, opts: SafetensorsLoadOptions = {}): Record<string, Tensor> {
  return read('loadSafetensors', bytes, opts).tensors;
}

/**
 * The tensors and the "__metadata__" strings stored in safetensors `bytes`. The whole file is
 * validated before any tensor is made, with the reference implementation's rules: a header length
 * within the file and the limit; a UTF-8 JSON object starting with `{` (no byte-order mark or
 * leading space); no key twice in an object (`__metadata__` included); F64/F32/F16/BF16/I64/I32/I16/I8/U8/BOOL
 * dtypes (F16/BF16 read into float32, the integers into int32: an I64 value outside int32 is an error);
 * shapes and data_offsets of integer literals (not `1.0` or `1e2`); data_offsets of size
 * numel·itemsize that tile the data section exactly (no overlap, no hole, nothing out of range,
 * no trailing bytes).
 *
 * A tensor whose data is aligned to its element size in `bytes.buffer` (as the reference writer
 * and saveSafetensors lay them out) is a view of `bytes`, not a copy: loading costs no second copy
 * of the file, but writing to such a tensor writes into `bytes`, and the tensors keep the whole
 * buffer alive. Unaligned data (and any data on a big-endian host) is copied.
 * @param opts `maxTensors` and `maxHeaderBytes`: caps for untrusted files (see SafetensorsLoadOptions).
 * @throws ChainruleError naming loadSafetensorsWithMetadata and the problem; nothing is returned in part.
 */
export function loadSafetensorsWithMetadata(
  bytes: Uint8Array,
  opts: SafetensorsLoadOptions = {},
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  return read('loadSafetensorsWithMetadata', bytes, opts);
}

/** Parses and validates a whole file; `op` is the function the user called, for messages. */
export function read(
  op: string,
  bytes: Uint8Array,
  opts: unknown,
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) fail(op, `expected a Uint8Array, got ${show(bytes)}`);
  const { maxTensors, maxHeader } = limits(op, opts);
  if (bytes.length < 8) fail(op, `truncated file: ${bytes.length} bytes, fewer than the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(Math.min(maxHeader, Number.MAX_SAFE_INTEGER))) {
    fail(op, `header length ${n64} exceeds the limit of ${maxHeader} bytes (option maxHeaderBytes)`);
  }
  const n = Number(n64);
  if (8 + n > bytes.length) {
    fail(op, `truncated file: header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  }

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(op, 'header is not valid UTF-8');
  }
  // The reference reader requires the JSON to start the header: no BOM, no leading whitespace.
  if (!text.startsWith('{')) fail(op, `header must start with '{', got ${show(text.slice(0, 8))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(op, `header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) fail(op, `header must be a JSON object, got ${show(header)}`);
  checkLiterals(op, text);

  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  const count = Object.keys(header).filter((k) => k !== METADATA_KEY).length;
  if (count > maxTensors) fail(op, `the file holds ${count} tensors, more than maxTensors ${maxTensors}`);
  for (const [name, info] of Object.entries(header)) {
    if (name !== METADATA_KEY) {
      entries.push(parseEntry(op, name, info));
    } else if (info !== null) {
      if (!isPlainObject(info)) fail(op, `"${METADATA_KEY}" must be an object of strings, got ${show(info)}`);
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') {
          fail(op, `"${METADATA_KEY}" value of ${JSON.stringify(k)} must be a string, got ${show(v)}`);
        }
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
    }
  }

  // The reference validation: sorted by offsets, the tensors tile [0, dataLength) exactly.
  const dataLength = bytes.length - 8 - n;
  for (const e of entries) {
    if (e.end > dataLength) {
      fail(
        op,
        `tensor ${e.quoted}: data_offsets [${e.begin},${e.end}] run past the data section (${dataLength} bytes)`,
      );
    }
  }
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of byOffset) {
    if (e.begin < covered) {
      fail(op, `tensor ${e.quoted}: data_offsets [${e.begin},${e.end}] overlap another tensor (ending at ${covered})`);
    }
    if (e.begin > covered) {
      fail(op, `hole in the data section: bytes [${covered},${e.begin}) belong to no tensor (before ${e.quoted})`);
    }
    covered = e.end;
  }
  if (covered !== dataLength) {
    fail(op, `${dataLength - covered} trailing bytes after the last tensor (data section ${dataLength} bytes)`);
  }

  const base = 8 + n;
  const data = entries.map((e) => readLittleEndian(op, bytes, base + e.begin, e));
  const tensors: Record<string, Tensor> = {};
  entries.forEach((e, i) => {
    // defineProperty: a tensor named "__proto__" is an own entry, not the prototype
    Object.defineProperty(tensors, e.name, {
      value: new Tensor(data[i] as Buf, e.shape),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return { tensors, metadata };
}

/** The checked load options of `op`. */
export function limits(op: string, opts: unknown): { maxTensors: number; maxHeader: number } {
  const o = options(op, opts, ['maxTensors', 'maxHeaderBytes']);
  const maxTensors = number(op, 'maxTensors', o.maxTensors, Number.POSITIVE_INFINITY, 'an integer >= 0', isCount);
  const maxHeader = number(
    op,
    'maxHeaderBytes',
    o.maxHeaderBytes,
    MAX_HEADER,
    'an integer >= 2',
    (x) => isCount(x) && x >= 2,
  );
  return { maxTensors, maxHeader };
}

const isCount = (x: number) => (Number.isSafeInteger(x) || x === Number.POSITIVE_INFINITY ? x >= 0 : false);

/**
 * What JSON.parse lets through and the reference reader (serde_json into a map of usize fields)
 * rejects: a key twice in one object (JSON.parse keeps the last), and a number written with a
 * fraction or exponent (`1.0`, `1e2` parse to integers). `text` is valid JSON here.
 */
function checkLiterals(op: string, text: string): void {
  const keys: (Set<string> | null)[] = []; // one per open object or array (null)
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k] as string)) k++;
      const top = keys[keys.length - 1];
      if (text[k] === ':' && top) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) fail(op, `header holds the key ${JSON.stringify(key)} twice in one object`);
        top.add(key);
      }
      i = j + 1;
    } else if (c === 0x7b /* { */) {
      keys.push(new Set());
      i++;
    } else if (c === 0x5b /* [ */) {
      keys.push(null);
      i++;
    } else if (c === 0x7d || c === 0x5d /* } ] */) {
      keys.pop();
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) /* - 0-9 */) {
      let j = i + 1;
      while (j < text.length && /[-+.eE0-9]/.test(text[j] as string)) j++;
      const literal = text.slice(i, j);
      if (/[.eE]/.test(literal)) fail(op, `header holds the number ${literal}; shapes and offsets must be integers`);
      i = j;
    } else {
      i++;
    }
  }
}

/** One header entry, checked: dtype supported, shape of non-negative integers, offsets of size numel·itemsize. */
function parseEntry(op: string, name: string, info: unknown): Entry {
  const quoted = JSON.stringify(name);
  const bad = (problem: string): never => fail(op, `tensor ${quoted}: ${problem}`);
  if (!isPlainObject(info)) bad('expected an object { dtype, shape, data_offsets }');
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') return bad(`dtype must be a string, got ${show(dtype)}`);
  if (!Object.hasOwn(DTYPES, dtype) && !Object.hasOwn(CONVERTED, dtype)) {
    bad(`dtype ${JSON.stringify(dtype)} is unsupported (only ${SUPPORTED} are)`);
  }
  const st = dtype as SafetensorsDType;
  const isIndex = (x: unknown): x is number =>
    typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && !Object.is(x, -0);
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    return bad(`shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    return bad(`data_offsets must be a pair [begin, end] of non-negative integers, got ${show(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) bad(`data_offsets [${begin},${end}] end before they begin`);
  let numel = 1;
  for (const d of shape) numel *= d;
  const size = numel * bytesOf(st);
  if (!Number.isSafeInteger(size) || size !== end - begin) {
    bad(
      `data_offsets [${begin},${end}] span ${end - begin} bytes, but shape [${shape.join(',')}] of ${st} needs ${size}`,
    );
  }
  return { name, quoted, dtype: st, shape, begin, end };
}

/**
 * The tensor's elements from `bytes` at `pos`: a view of `bytes` where the data is aligned to its
 * element size (on a little-endian host), else a copy into fresh storage.
 */
function readLittleEndian(op: string, bytes: Uint8Array, pos: number, e: Entry): Buf {
  if (!(e.dtype in DTYPES)) return readConverted(op, bytes, pos, e);
  const { bytes: size, make, view } = DTYPES[e.dtype as NativeDType];
  const length = e.end - e.begin;
  const at = bytes.byteOffset + pos;
  let out: Buf;
  if ((LITTLE_ENDIAN || size === 1) && at % size === 0) {
    out = view(bytes.buffer, at, length / size);
  } else if (LITTLE_ENDIAN || size === 1) {
    out = make(length / size);
    // a byte copy keeps every bit pattern (NaN payloads included) and sidesteps alignment
    new Uint8Array(out.buffer).set(bytes.subarray(pos, pos + length));
  } else {
    out = make(length / size);
    const dv = new DataView(bytes.buffer, at, length);
    for (let i = 0; i < out.length; i++) out[i] = getLE(dv, out, i);
  }
  if (e.dtype === 'BOOL' && out.some((v) => v > 1))
    fail(op, `tensor ${e.quoted}: BOOL data holds bytes other than 0 and 1`);
  return out;
}

/**
 * A tensor of a dtype chainrule does not store, copied into the nearest one: F16 and BF16 into
 * float32 (exact), I64, I16, I8 and U8 into int32.
 * @throws ChainruleError naming `op`, the tensor and the element when an I64 value is outside int32.
 */
function readConverted(op: string, bytes: Uint8Array, pos: number, e: Entry): Buf {
  const { dtype, bytes: size, get } = CONVERTED[e.dtype as keyof typeof CONVERTED];
  const n = (e.end - e.begin) / size;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + pos, e.end - e.begin);
  if (dtype === 'float32') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = get(dv, i) as number;
    return out;
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = get(dv, i);
    if (typeof v === 'bigint' && (v > 2147483647n || v < -2147483648n)) {
      fail(
        op,
        `tensor ${e.quoted}: ${e.dtype} value ${v} at flat index ${i} does not fit int32, chainrule's integer dtype`,
      );
    }
    out[i] = Number(v);
  }
  return out;
}

function getLE(view: DataView, like: Buf, i: number): number {
  if (like instanceof Float64Array) return view.getFloat64(i * 8, true);
  if (like instanceof Int32Array) return view.getInt32(i * 4, true);
  return view.getFloat32(i * 4, true);
}

/** Writes int32 `data` as little-endian int64 into `out` at `pos`. */
function writeInt64(data: Buf, out: Uint8Array, pos: number): void {
  const view = new DataView(out.buffer, out.byteOffset + pos, data.length * 8);
  for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, BigInt(data[i] as number), true);
}

/** Writes `data` little-endian into `out` at `pos`. */
function writeLittleEndian(data: Buf, out: Uint8Array, pos: number): void {
  if (LITTLE_ENDIAN || data instanceof Uint8Array) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + pos, data.byteLength);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float64Array) view.setFloat64(i * 8, data[i] as number, true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, data[i] as number, true);
    else view.setFloat32(i * 4, data[i] as number, true);
  }
}
