// WebAssembly kernels of the convolutions (AssemblyScript): im2col, the windows of an image
// gathered into the columns of a matrix, and its adjoint col2im, through a plan's window table
// (src/plans/conv.ts). Building blocks of conv.ts, not exports of the module; called, not inlined,
// so that the forward and the backward share one copy of each.

/**
 * A plan's window table in memory, as the wrappers (src/kernels/wasm/conv.ts) lay it out: one i32
 * header, outH, then the plan's row runs (SlidingPlan.rows) of kSize·outH triples; or a header of 0,
 * then its index map (SlidingPlan.index) of kSize·outSize offsets.
 */
@inline
function tableRows(table: usize): i32 {
  return load<i32>(table);
}

/** cols = the windows of x[n, g] ([colRows, outSize]; 0 in the padding), through the window table. */
export function im2col<T>(
  n: i32, g: i32, inChannels: i32, inPerGroup: i32, inSize: i32, outSize: i32, kSize: i32, x: usize, table: usize,
  cols: usize,
): void {
  const es = sizeof<T>();
  const outRows = tableRows(table);
  for (let c = 0; c < inPerGroup; c++) {
    const xc = x + <usize>((n * inChannels + g * inPerGroup + c) * inSize) * es;
    for (let t = 0; t < kSize; t++) {
      const row = cols + <usize>((c * kSize + t) * outSize) * es;
      if (outRows > 0) {
        copyRuns<T>(outRows, outSize / outRows, table + 4 + <usize>(3 * t * outRows) * 4, xc, row);
        continue;
      }
      const map = table + 4 + <usize>(t * outSize) * 4;
      for (let o = 0; o < outSize; o++) {
        const i = load<i32>(map + <usize>o * 4);
        store<T>(row + <usize>o * es, i < 0 ? <T>0 : load<T>(xc + <usize>i * es));
      }
    }
  }
}

/** One tap's row of cols from its runs: per output row, zeros, the run copied a vector at a time, zeros. */
@inline
function copyRuns<T>(outRows: i32, outW: i32, runs: usize, xc: usize, row: usize): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  for (let oh = 0; oh < outRows; oh++, runs += 12, row += <usize>outW * es) {
    const src = xc + <usize>load<i32>(runs) * es; // + ow·es ≥ xc for every ow of the run
    const lo = load<i32>(runs, 4);
    const hi = load<i32>(runs, 8);
    let ow = 0;
    for (; ow < lo; ow++) store<T>(row + <usize>ow * es, 0);
    for (; ow + lanes <= hi; ow += lanes) v128.store(row + <usize>ow * es, v128.load(src + <usize>ow * es));
    for (; ow < hi; ow++) store<T>(row + <usize>ow * es, load<T>(src + <usize>ow * es));
    for (; ow < outW; ow++) store<T>(row + <usize>ow * es, 0);
  }
}

/** gx[n, g] += col2im(cols): each column's taps added back to the input positions they came from. */
export function col2imAdd<T>(
  n: i32, g: i32, inChannels: i32, inPerGroup: i32, inSize: i32, outSize: i32, kSize: i32, cols: usize,
  table: usize, gx: usize,
): void {
  const es = sizeof<T>();
  const outRows = tableRows(table);
  for (let c = 0; c < inPerGroup; c++) {
    const gc = gx + <usize>((n * inChannels + g * inPerGroup + c) * inSize) * es;
    for (let t = 0; t < kSize; t++) {
      const row = cols + <usize>((c * kSize + t) * outSize) * es;
      if (outRows > 0) {
        addRuns<T>(outRows, outSize / outRows, table + 4 + <usize>(3 * t * outRows) * 4, row, gc);
        continue;
      }
      const map = table + 4 + <usize>(t * outSize) * 4;
      for (let o = 0; o < outSize; o++) {
        const i = load<i32>(map + <usize>o * 4);
        if (i >= 0) {
          const d = gc + <usize>i * es;
          store<T>(d, load<T>(d) + load<T>(row + <usize>o * es));
        }
      }
    }
  }
}

/** The adjoint of copyRuns: each run of one tap's row of cols added to the inputs it was copied from. */
@inline
function addRuns<T>(outRows: i32, outW: i32, runs: usize, row: usize, gc: usize): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  for (let oh = 0; oh < outRows; oh++, runs += 12, row += <usize>outW * es) {
    const dst = gc + <usize>load<i32>(runs) * es;
    const hi = load<i32>(runs, 8);
    let ow = load<i32>(runs, 4);
    for (; ow + lanes <= hi; ow += lanes) {
      const d = dst + <usize>ow * es;
      v128.store(d, v128.add<T>(v128.load(d), v128.load(row + <usize>ow * es)));
    }
    for (; ow < hi; ow++) {
      const d = dst + <usize>ow * es;
      store<T>(d, load<T>(d) + load<T>(row + <usize>ow * es));
    }
  }
}
