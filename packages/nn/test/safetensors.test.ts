// safetensors: bit-exact round trips, a byte fixture built by hand, the written layout, and every
// malformed file rejected with a message naming loadSafetensors.
import { ChainruleError, Rng, randn, Tensor, tensor, zeros } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { loadSafetensors, loadSafetensorsWithMetadata, saveSafetensors } from '../src/index';

/** A safetensors file by hand: u64 LE header length, the header text, then `data`. */
function file(header: string, data: ArrayLike<number> = []): Uint8Array {
  const text = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + text.length + data.length);
  let n = text.length;
  for (let i = 0; i < 8; i++, n = Math.floor(n / 256)) out[i] = n % 256;
  out.set(text, 8);
  out.set(Array.from(data), 8 + text.length);
  return out;
}

function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function expectSameTensor(a: Tensor | undefined, b: Tensor): void {
  expect(a).toBeInstanceOf(Tensor);
  expect(a?.shape).toEqual(b.shape);
  expect(a?.dtype).toBe(b.dtype);
  expect(Array.from(bytesOf(a as Tensor))).toEqual(Array.from(bytesOf(b)));
}

describe('saveSafetensors / loadSafetensors round trip', () => {
  it('is bit-exact for float32 and float64, 0-d and empty tensors', () => {
    const rng = new Rng(1);
    const state = {
      'layers.0.weight': randn([3, 4], { rng }),
      'layers.0.bias': randn([4], { rng, dtype: 'float64' }),
      scalar: tensor(3.5),
      scalar64: tensor(-0.25, { dtype: 'float64' }),
      empty: zeros([0, 4], { dtype: 'float64' }),
      empty32: zeros([2, 0]),
      odd: randn([3], { rng }),
    };
    const loaded = loadSafetensors(saveSafetensors(state));
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(state).sort());
    for (const [name, t] of Object.entries(state)) expectSameTensor(loaded[name], t);
    expect(loaded.scalar?.shape).toEqual([]);
    expect(loaded.scalar?.requiresGrad).toBe(false);
  });

  it('round-trips int32 (I32) and bool (BOOL) tensors; BOOL bytes other than 0 and 1 are rejected', () => {
    const state = { labels: tensor(Int32Array.of(-2, 0, 2 ** 31 - 1)), mask: tensor([[true, false]]) };
    const bytes = saveSafetensors(state);
    const loaded = loadSafetensors(bytes);
    for (const [name, t] of Object.entries(state)) expectSameTensor(loaded[name], t);
    expect(loaded.mask?.toArray()).toEqual([[true, false]]);
    const bad = file('{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', [1, 2]);
    expect(() => loadSafetensors(bad)).toThrow('loadSafetensors: tensor "m": BOOL data holds bytes other than 0 and 1');
  });

  it('keeps NaN payloads, −0, ±Infinity and subnormals bit for bit', () => {
    const bits32 = Uint32Array.of(0x7fc00001, 0xffc12345, 0x7fa00000, 0x7f800000, 0xff800000, 0x80000000, 0x00000001);
    const bits64 = BigUint64Array.of(
      0x7ff8000000000001n,
      0xfff4000000000abcn,
      0x7ff0000000000000n,
      0xfff0000000000000n,
      0x8000000000000000n,
      0x0000000000000001n,
    );
    const f32 = new Tensor(new Float32Array(bits32.buffer), [bits32.length]);
    const f64 = new Tensor(new Float64Array(bits64.buffer), [2, 3]);
    const loaded = loadSafetensors(saveSafetensors({ f32, f64 }));
    const back32 = loaded.f32 as Tensor;
    const back64 = loaded.f64 as Tensor;
    const { buffer: b32, byteOffset: o32 } = back32.data;
    const { buffer: b64, byteOffset: o64 } = back64.data;
    expect(Array.from(new Uint32Array(b32, o32, bits32.length))).toEqual(Array.from(bits32));
    expect(Array.from(new BigUint64Array(b64, o64, bits64.length))).toEqual(Array.from(bits64));
    expect(Object.is(back64.data[4], -0)).toBe(true);
  });

  it('round-trips metadata; no metadata loads as {}', () => {
    const state = { w: tensor([1, 2]) };
    const metadata = { format: 'pt', note: 'épreuve ✓', empty: '' };
    expect(loadSafetensorsWithMetadata(saveSafetensors(state, metadata)).metadata).toEqual(metadata);
    expect(loadSafetensorsWithMetadata(saveSafetensors(state)).metadata).toEqual({});
  });

  it('loads from a view at any byte offset (alignment-safe copy)', () => {
    const bytes = saveSafetensors({ a: tensor([1, 2, 3], { dtype: 'float64' }) });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expect(loadSafetensors(big.subarray(3)).a?.toArray()).toEqual([1, 2, 3]);
  });

  it('aligned data is a view of the file bytes (no copy); unaligned data is copied', () => {
    const bytes = saveSafetensors({ a: tensor([1, 2, 3], { dtype: 'float64' }), m: tensor([true, false]) });
    const a = loadSafetensors(bytes).a as Tensor;
    expect(a.data.buffer).toBe(bytes.buffer);
    a.data[0] = 7; // a view: writing to the tensor writes into the file's bytes
    expect(loadSafetensors(bytes).a?.toArray()).toEqual([7, 2, 3]);
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const shifted = loadSafetensors(big.subarray(3));
    expect(shifted.a?.data.buffer).not.toBe(big.buffer); // float64 at an odd address: copied
    expect(shifted.m?.data.buffer).toBe(big.buffer); // bytes are always aligned
    expect(shifted.m?.data).not.toBeInstanceOf(Buffer);
  });

  it('maxTensors and maxHeaderBytes cap untrusted files', () => {
    const bytes = saveSafetensors({ a: tensor([1]), b: tensor([2]) }, { note: 'x' });
    expect(Object.keys(loadSafetensors(bytes, { maxTensors: 2 }))).toEqual(['a', 'b']);
    expect(() => loadSafetensors(bytes, { maxTensors: 1 })).toThrow(
      'loadSafetensors: the file holds 2 tensors, more than maxTensors 1',
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(() => loadSafetensorsWithMetadata(bytes, { maxHeaderBytes: headerLength - 1 })).toThrow(
      `loadSafetensorsWithMetadata: header length ${headerLength} exceeds the limit of ${headerLength - 1} bytes (option maxHeaderBytes)`,
    );
    expect(() => loadSafetensors(bytes, { maxTensors: -1 })).toThrow(
      'loadSafetensors: maxTensors must be an integer >= 0, got -1',
    );
    expect(() => loadSafetensors(bytes, { maxTensor: 1 } as never)).toThrow(
      "loadSafetensors: unknown option 'maxTensor'",
    );
  });

  it('writes the documented layout: padded header, F64 then F32, by name, contiguous, little-endian', () => {
    const bytes = saveSafetensors(
      { b: tensor([1, 2], { dtype: 'float64' }), c: tensor([3]), a: tensor([4, 5]) },
      { k: 'v' },
    );
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    expect(JSON.parse(text)).toEqual({
      __metadata__: { k: 'v' },
      b: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
      a: { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
      c: { dtype: 'F32', shape: [1], data_offsets: [24, 28] },
    });
    expect(Object.keys(JSON.parse(text))).toEqual(['__metadata__', 'b', 'a', 'c']);
    const base = 8 + n;
    expect(bytes.length).toBe(base + 28);
    expect([view.getFloat64(base, true), view.getFloat64(base + 8, true)]).toEqual([1, 2]);
    expect([
      view.getFloat32(base + 16, true),
      view.getFloat32(base + 20, true),
      view.getFloat32(base + 24, true),
    ]).toEqual([4, 5, 3]);
  });
});

describe('a hand-built file', () => {
  it('parses header, metadata and little-endian floats (unpadded header, unaligned data)', () => {
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"b":{"dtype":"F64","shape":[1,1],"data_offsets":[8,16]}}';
    // 1.5f = 0x3fc00000, -2f = 0xc0000000, 0.1 = 0x3fb999999999999a, all little-endian
    const data = [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f];
    const { tensors, metadata } = loadSafetensorsWithMetadata(file(header, data));
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.a?.dtype).toBe('float32');
    expect(tensors.a?.toArray()).toEqual([1.5, -2]);
    expect(tensors.b?.dtype).toBe('float64');
    expect(tensors.b?.toArray()).toEqual([[0.1]]);
  });

  it('accepts tensors listed in any order, and an empty header', () => {
    const header =
      '{"z":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"y":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}';
    const t = loadSafetensors(file(header, [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]));
    expect(t.y?.item()).toBe(1);
    expect(t.z?.toArray()).toEqual([2]);
    expect(loadSafetensors(file('{}'))).toEqual({});
  });
});

describe('malformed files', () => {
  const f32 = (offsets: string, shape = '[1]') => `{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}`;
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /truncated file: 0 bytes/],
    ['7 bytes', new Uint8Array(7), /truncated file: 7 bytes/],
    [
      'header length beyond the file',
      file('{}').map((b, i) => (i === 0 ? 100 : b)),
      /header length 100 runs past the end/,
    ],
    ['absurd header length', Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0, 0x7b), /exceeds the limit/],
    ['header not UTF-8', Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe), /header is not valid UTF-8/],
    ['invalid JSON', file('{"a":'), /header is not valid JSON/],
    ['JSON array', file('[1,2]'), /header must start with '\{', got '\[1,2\]'/],
    ['JSON null', file('null'), /header must start with '\{', got 'null'/],
    ['JSON number', file('3'), /header must start with '\{', got '3'/],
    ['a byte-order mark', file('\ufeff{}'), /header must start with '\{'/],
    ['leading whitespace', file(' {}'), /header must start with '\{', got ' \{\}'/],
    [
      'a key twice',
      file(`{"a":${f32('[0,4]')},"a":${f32('[0,4]')}}`, [0, 0, 0, 0]),
      /header holds the key "a" twice in one object/,
    ],
    [
      'a key twice, once escaped',
      file(`{"a":${f32('[0,4]')},"\\u0061":${f32('[0,4]')}}`, [0, 0, 0, 0]),
      /header holds the key "a" twice/,
    ],
    ['__metadata__ twice', file('{"__metadata__":{},"__metadata__":{}}'), /key "__metadata__" twice/],
    ['a metadata key twice', file('{"__metadata__":{"k":"1","k":"2"}}'), /key "k" twice/],
    ['a float literal in a shape', file(`{"a":${f32('[0,4]', '[1.0]')}}`, [0, 0, 0, 0]), /header holds the number 1.0/],
    ['an exponent in offsets', file(`{"a":${f32('[0,4e0]')}}`, [0, 0, 0, 0]), /header holds the number 4e0/],
    ['a negative zero', file(`{"a":${f32('[0,4]', '[-0]')}}`, []), /shape must be an array of non-negative integers/],
    ['entry not an object', file('{"a":5}'), /tensor "a": expected an object/],
    ['U16', file('{"a":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /dtype "U16" is unsupported/],
    [
      'F8_E4M3',
      file('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', [0]),
      /dtype "F8_E4M3" is unsupported \(only F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL are\)/,
    ],
    [
      'I64 of the wrong size',
      file('{"a":{"dtype":"I64","shape":[2],"data_offsets":[0,8]}}', new Array(8).fill(0)),
      /shape \[2\] of I64 needs 16/,
    ],
    ['dtype missing', file('{"a":{"shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /dtype must be a string/],
    [
      'negative dim',
      file(`{"a":${f32('[0,4]', '[-1]')}}`, [0, 0, 0, 0]),
      /shape must be an array of non-negative integers/,
    ],
    ['fractional dim', file(`{"a":${f32('[0,4]', '[1.5]')}}`, [0, 0, 0, 0]), /header holds the number 1.5/],
    ['shape not an array', file(`{"a":${f32('[0,4]', '"1"')}}`, [0, 0, 0, 0]), /shape must be an array/],
    ['offsets not a pair', file(`{"a":${f32('[0]')}}`, [0, 0, 0, 0]), /data_offsets must be a pair/],
    ['offsets not integers', file(`{"a":${f32('[0,"4"]')}}`, [0, 0, 0, 0]), /data_offsets must be a pair/],
    ['offsets reversed', file(`{"a":${f32('[4,0]')}}`, [0, 0, 0, 0]), /end before they begin/],
    [
      'size mismatch',
      file(`{"a":${f32('[0,8]', '[3]')}}`, new Array(8).fill(0)),
      /span 8 bytes, but shape \[3\] of F32 needs 12/,
    ],
    [
      'offsets out of the buffer',
      file(`{"a":${f32('[0,8]', '[2]')}}`, [0, 0, 0, 0]),
      /run past the data section \(4 bytes\)/,
    ],
    [
      'overlapping offsets',
      file(`{"a":${f32('[0,8]', '[2]')},"b":${f32('[4,12]', '[2]')}}`, new Array(12).fill(0)),
      /tensor "b": data_offsets \[4,12\] overlap another tensor/,
    ],
    [
      'a hole',
      file(`{"a":${f32('[0,4]')},"b":${f32('[8,12]')}}`, new Array(12).fill(0)),
      /hole in the data section: bytes \[4,8\)/,
    ],
    ['trailing bytes', file(`{"a":${f32('[0,4]')}}`, new Array(8).fill(0)), /4 trailing bytes after the last tensor/],
    ['metadata not strings', file('{"__metadata__":{"k":1}}'), /"__metadata__" value of "k" must be a string/],
    ['metadata not an object', file('{"__metadata__":[]}'), /"__metadata__" must be an object of strings/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`${name} → ChainruleError`, () => {
      let error: unknown;
      try {
        loadSafetensors(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ChainruleError);
      expect((error as Error).message).toMatch(/^loadSafetensors: /);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('rejects a non-Uint8Array', () => {
    expect(() => loadSafetensors([1, 2, 3] as unknown as Uint8Array)).toThrow(/loadSafetensors: expected a Uint8Array/);
  });
});

describe('saveSafetensors validation', () => {
  const w = tensor([1]);
  const cases: [() => unknown, RegExp][] = [
    [() => saveSafetensors({ '': w }), /saveSafetensors: tensor names must be non-empty/],
    [() => saveSafetensors({ __metadata__: w }), /saveSafetensors: "__metadata__" is reserved/],
    [
      () => saveSafetensors({ w: [1, 2] as unknown as Tensor }),
      /saveSafetensors: value of "w" must be a Tensor, got \[1, 2\]/,
    ],
    [
      () => saveSafetensors({ w }, { k: 1 as unknown as string }),
      /saveSafetensors: metadata value of "k" must be a string/,
    ],
    [() => saveSafetensors(null as unknown as Record<string, Tensor>), /saveSafetensors: state must be an object/],
  ];
  for (const [save, message] of cases) {
    it(String(message), () => {
      expect(save).toThrow(ChainruleError);
      expect(save).toThrow(message);
    });
  }

  it('handles names that are special in JavaScript or non-ASCII', () => {
    const state = Object.fromEntries([
      ['__proto__', tensor([1])],
      ['constructor', tensor([2])],
      ['poids.λ', tensor([3])],
    ]) as Record<string, Tensor>;
    const loaded = loadSafetensors(saveSafetensors(state));
    expect(Object.keys(loaded).sort()).toEqual(['__proto__', 'constructor', 'poids.λ']);
    expect(Object.getPrototypeOf(loaded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(loaded, '__proto__')?.value.toArray()).toEqual([1]);
  });
});
