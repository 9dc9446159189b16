// kernels/wasm: derives the shared-memory variant of a kernel build from its plain bytes, so that
// the package embeds two builds rather than four. The only difference between them is the limits
// of the imported memory: a plain import declares its initial size (flags 0x00), a shared one its
// initial and maximum sizes (flags 0x03). This rewrites that one import entry and the import
// section's length, and copies every other byte.
// Binary format: https://webassembly.github.io/threads/core/binary/modules.html (sections, imports,
// limits; integers as unsigned LEB128).

/** An unsigned LEB128 integer at `at`: its value and the offset just past it. */
function readU32(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    const byte = bytes[pos++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, pos];
    shift += 7;
  }
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    const byte = v & 0x7f;
    v = Math.floor(v / 128);
    out.push(v > 0 ? byte | 0x80 : byte);
  } while (v > 0);
  return out;
}

/** The offset just past a name (a length, then that many bytes) at `at`. */
function skipName(bytes: Uint8Array, at: number): number {
  const [length, pos] = readU32(bytes, at);
  return pos + length;
}

/** The offset just past limits at `at` (flags, the initial size, and a maximum if flagged). */
function skipLimits(bytes: Uint8Array, at: number): number {
  const flags = bytes[at] as number;
  const [, pos] = readU32(bytes, at + 1);
  return flags & 1 ? readU32(bytes, pos)[1] : pos;
}

/**
 * `module` with its imported memory declared shared, of at most `maximumPages` pages; null if the
 * module imports no unshared memory (nothing to rewrite).
 */
export function withSharedMemory(module: Uint8Array, maximumPages: number): Uint8Array | null {
  let pos = 8; // past the magic number and the version
  while (pos < module.length) {
    const id = module[pos] as number;
    const [size, payload] = readU32(module, pos + 1);
    const end = payload + size;
    if (id === 2) {
      let [count, at] = readU32(module, payload);
      for (; count > 0; count--) {
        at = skipName(module, skipName(module, at)); // module name, field name
        const kind = module[at++] as number;
        if (kind === 0x02) {
          const limits = at;
          const flags = module[limits] as number;
          if (flags !== 0x00) return null;
          const [initial, after] = readU32(module, limits + 1);
          const shared = [0x03, ...writeU32(initial), ...writeU32(maximumPages)];
          const body = [...module.subarray(payload, limits), ...shared, ...module.subarray(after, end)];
          return Uint8Array.from([
            ...module.subarray(0, pos),
            2,
            ...writeU32(body.length),
            ...body,
            ...module.subarray(end),
          ]);
        }
        if (kind === 0x00)
          at = readU32(module, at)[1]; // a function: its type index
        else if (kind === 0x01)
          at = skipLimits(module, at + 1); // a table: element type, limits
        else at += 2; // a global: value type, mutability
      }
      return null;
    }
    pos = end;
  }
  return null;
}
