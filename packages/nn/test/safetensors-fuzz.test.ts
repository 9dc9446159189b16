// The safetensors reader fuzzed with mutated files: valid files with bytes flipped, inserted,
// deleted, truncated or duplicated, and header text edited (digits changed, characters swapped,
// keys repeated). The reader must either return tensors that save and load back to the same
// bytes, or throw a ChainruleError naming it — never anything else — and must not modify the
// bytes it was given. FUZZ_RUNS raises the count (scripts/fuzz-long.sh); FUZZ_STATS=<file>
// appends the outcome counts.
import { ChainruleError, Rng, randn, type Tensor, tensor, zeros } from '@chainrule/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fuzzStats } from '../../../scripts/fuzz-stats';
import { loadSafetensorsWithMetadata, saveSafetensors } from '../src/index';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300) * 5;
const count = fuzzStats('safetensors');

/** Valid files to mutate: every dtype, metadata, 0-d and empty tensors, an unpadded header. */
const rng = new Rng(3);
const seeds: Uint8Array[] = [
  saveSafetensors({ w: randn([2, 3], { rng }), b: randn([3], { rng, dtype: 'float64' }) }),
  saveSafetensors(
    { i: tensor(Int32Array.of(-1, 7)), m: tensor([true, false, true]), s: tensor(2.5), e: zeros([0, 3]) },
    { format: 'pt', note: 'ü' },
  ),
  saveSafetensors({}),
  (() => {
    const text = new TextEncoder().encode('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    const out = new Uint8Array(8 + text.length + 4);
    out[0] = text.length;
    out.set(text, 8);
    out.set([0, 0, 0x80, 0x3f], 8 + text.length);
    return out;
  })(),
];

/** Where the header text of `bytes` ends (8 + its declared length, clamped). */
function headerEnd(bytes: Uint8Array): number {
  const n = bytes.length >= 8 ? Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)) : 0;
  return Math.min(bytes.length, 8 + n);
}

type Mutation = (b: Uint8Array, r: () => number) => Uint8Array;
const mutations: Record<string, Mutation> = {
  flip: (b, r) => {
    const out = b.slice();
    const i = Math.floor(r() * out.length);
    if (out.length > 0) out[i] = (out[i] as number) ^ (1 << Math.floor(r() * 8));
    return out;
  },
  setByte: (b, r) => {
    const out = b.slice();
    if (out.length > 0) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
    return out;
  },
  insert: (b, r) => {
    const at = Math.floor(r() * (b.length + 1));
    return Uint8Array.from([...b.subarray(0, at), Math.floor(r() * 256), ...b.subarray(at)]);
  },
  delete: (b, r) => {
    const at = Math.floor(r() * b.length);
    return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1)]);
  },
  truncate: (b, r) => b.slice(0, Math.floor(r() * b.length)),
  duplicate: (b, r) => {
    const at = Math.floor(r() * b.length);
    const len = Math.floor(r() * 16);
    return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, at + len), ...b.subarray(at)]);
  },
  headerLength: (b, r) => {
    const out = b.slice();
    if (out.length >= 8) new DataView(out.buffer).setBigUint64(0, BigInt(Math.floor(r() * (out.length + 16))), true);
    return out;
  },
  // text edits inside the header, where the validation logic lives, keeping the length field right
  headerText: (b, r) => {
    const end = headerEnd(b);
    if (end <= 8) return b.slice();
    let text = new TextDecoder().decode(b.subarray(8, end));
    const i = Math.floor(r() * text.length);
    const pick = '0123456789-.e,:[]{}" ';
    const edits = [
      () => text.slice(0, i) + (pick[Math.floor(r() * pick.length)] as string) + text.slice(i + 1),
      () => text.slice(0, i) + (pick[Math.floor(r() * pick.length)] as string) + text.slice(i),
      () => text.slice(0, i) + text.slice(i + 1),
      () => text.replace(/\d+/, (d) => String(Number(d) + Math.floor(r() * 9) - 4)),
      () => text.replace(/\d+/, (d) => `${d}.0`),
      () =>
        text.replace(/"dtype":"\w+"/, `"dtype":"${['F32', 'F64', 'I32', 'BOOL', 'F16', 'U8'][Math.floor(r() * 6)]}"`),
      () => text.replace(/^\{("[^"]*":)/, '{$1null,$1'),
      () => `\ufeff${text}`,
    ];
    text = (edits[Math.floor(r() * edits.length)] as () => string)();
    const enc = new TextEncoder().encode(text);
    const out = new Uint8Array(8 + enc.length + (b.length - end));
    new DataView(out.buffer).setBigUint64(0, BigInt(enc.length), true);
    out.set(enc, 8);
    out.set(b.subarray(end), 8 + enc.length);
    return out;
  },
};

it('mutated safetensors files load exactly or throw a ChainruleError naming the reader, and are never modified', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.constantFrom(...Object.keys(mutations)), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 2 ** 30 }),
      (seed, names, s) => {
        const r = new Rng(s);
        let bytes = seed;
        for (const name of names) bytes = (mutations[name] as Mutation)(bytes, () => r.next());
        const before = bytes.slice();
        let loaded: { tensors: Record<string, Tensor>; metadata: Record<string, string> } | undefined;
        try {
          loaded = loadSafetensorsWithMetadata(bytes);
        } catch (e) {
          count('mutatedFiles', e instanceof ChainruleError ? 'chainrule' : 'other');
          expect(e, `${names.join('+')}: ${String(e)}`).toBeInstanceOf(ChainruleError);
          expect((e as Error).message).toMatch(/^loadSafetensorsWithMetadata: /);
        }
        expect(bytes).toEqual(before);
        // saveSafetensors refuses the empty name the format allows, so such a file is not re-saved
        if (loaded) count('mutatedFiles', 'ok');
        if (loaded && !('' in loaded.tensors)) {
          // what was accepted is a real file: it saves and loads back to the same tensors
          const again = loadSafetensorsWithMetadata(saveSafetensors(loaded.tensors, loaded.metadata));
          expect(Object.keys(again.tensors).sort()).toEqual(Object.keys(loaded.tensors).sort());
          expect(again.metadata).toEqual(loaded.metadata);
          for (const [k, t] of Object.entries(loaded.tensors)) {
            const u = again.tensors[k] as Tensor;
            expect([u.dtype, u.shape]).toEqual([t.dtype, t.shape]);
            expect(new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength)).toEqual(
              new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
            );
          }
        }
      },
    ),
    { numRuns: RUNS, seed: 37 },
  );
});
