// WebAssembly SIMD kernels (AssemblyScript, compiled by `asc` at build time; see CONTRIBUTING.md):
// gemm in float32 and float64. The TypeScript side copies the operands into this module's memory
// and passes byte addresses and leading dimensions (row pitches, in elements), so that a thread can
// compute a block of rows or columns of C in place; nothing here allocates. One source, two builds: with
// `--enable relaxed-simd` the multiply-adds are fused (`relaxed_madd`), without it they are a
// multiply then an add.
//
// Blocking as in GotoBLAS/BLIS: k in blocks of KC, rows in blocks of MC; op(B)'s block is packed
// into column panels of NR, op(A)'s into row panels of 4, both laid out so that the micro-kernel
// reads them with unit stride whatever the transpose flags were: Aᵀ·B and A·Bᵀ cost what A·B costs.
// The micro-kernel keeps a 4×NR tile of C in 8 v128 accumulators (4 rows × 8 float32, or
// 4 rows × 4 float64) and takes one k step per iteration: unrolling k or widening the tile runs
// out of V8's 15 SIMD registers and spills.

/** k block: an A panel (4·KC) and a B panel (NR·KC) stay in L1 while the micro-kernel runs. */
export const KC: i32 = 256;
/** row block: a packed MC×KC block of A stays in L2 while the B panels stream past it. */
export const MC: i32 = 64;

/** c + a·b lane by lane: fused (relaxed_madd) in the relaxed-SIMD build, a multiply then an add otherwise. */
@inline
function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (sizeof<T>() == 4) return f32x4.relaxed_madd(a, b, c);
    return f64x2.relaxed_madd(a, b, c);
  }
  return v128.add<T>(c, v128.mul<T>(a, b));
}

/**
 * Packs rows i0..i0+rows of op(A), columns p0..p0+kc, into panels of 4 rows: panel r holds
 * op(A)[i0+4r+q, p0+p] at (r·kc + p)·4 + q, rows past the end padded with zeros.
 * op(A)[i, p] = a[i·lda + p], or a[p·lda + i] when transposed.
 */
@inline
function packA<T>(lda: i32, a: usize, transA: bool, i0: i32, rows: i32, p0: i32, kc: i32, dst: usize): void {
  const es = sizeof<T>();
  for (let r = 0; r < rows; r += 4) {
    const panel = dst + <usize>(r * kc) * es;
    if (es == 4 && r + 4 <= rows) {
      if (transA) packRows4(a + <usize>(p0 * lda + i0 + r) * 4, <usize>lda * 4, kc, panel);
      else packTranspose4(a + <usize>((i0 + r) * lda + p0) * 4, <usize>lda * 4, kc, panel, 16);
      continue;
    }
    for (let q = 0; q < 4; q++) {
      const i = i0 + r + q;
      let d = panel + <usize>q * es;
      if (r + q >= rows) {
        for (let p = 0; p < kc; p++, d += 4 * es) store<T>(d, 0);
      } else if (transA) {
        let s = a + <usize>(p0 * lda + i) * es;
        for (let p = 0; p < kc; p++, d += 4 * es, s += <usize>lda * es) store<T>(d, load<T>(s));
      } else {
        let s = a + <usize>(i * lda + p0) * es;
        for (let p = 0; p < kc; p++, d += 4 * es, s += es) store<T>(d, load<T>(s));
      }
    }
  }
}

/** float32: kc rows of 4 contiguous elements, `pitch` bytes apart, to 16-byte rows of dst. */
@inline
function packRows4(s: usize, pitch: usize, kc: i32, dst: usize): void {
  for (let p = 0; p < kc; p++, s += pitch, dst += 16) v128.store(dst, v128.load(s));
}

/**
 * float32: 4 rows (`pitch` bytes apart) of kc contiguous elements, transposed: element p of row q
 * goes to dst + p·stride + 4q. Four columns at a time, as 4×4 transposes in registers.
 */
@inline
function packTranspose4(s: usize, pitch: usize, kc: i32, dst: usize, stride: usize): void {
  const s1 = s + pitch;
  const s2 = s1 + pitch;
  const s3 = s2 + pitch;
  let p = 0;
  for (; p + 4 <= kc; p += 4, dst += 4 * stride) {
    const o = <usize>p * 4;
    const r0 = v128.load(s + o);
    const r1 = v128.load(s1 + o);
    const r2 = v128.load(s2 + o);
    const r3 = v128.load(s3 + o);
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
    const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7); // r0[2] r1[2] r0[3] r1[3]
    const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5)); // column p: r0[0] r1[0] r2[0] r3[0]
    v128.store(dst + stride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
    v128.store(dst + 2 * stride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
    v128.store(dst + 3 * stride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
  }
  for (; p < kc; p++, dst += stride) {
    const o = <usize>p * 4;
    store<f32>(dst, load<f32>(s + o));
    store<f32>(dst, load<f32>(s1 + o), 4);
    store<f32>(dst, load<f32>(s2 + o), 8);
    store<f32>(dst, load<f32>(s3 + o), 12);
  }
}

/**
 * Packs columns 0..n of op(B), rows p0..p0+kc, into panels of nr columns: panel j holds
 * op(B)[p0+p, nr·j+q] at (j·kc + p)·nr + q, columns past the end padded with zeros.
 * op(B)[p, j] = b[p·ldb + j], or b[j·ldb + p] when transposed.
 */
@inline
function packB<T>(n: i32, ldb: i32, b: usize, transB: bool, p0: i32, kc: i32, nr: i32, dst: usize): void {
  const es = sizeof<T>();
  for (let j0 = 0; j0 < n; j0 += nr) {
    const panel = dst + <usize>(j0 * kc) * es;
    if (!transB && j0 + nr <= n) {
      // whole rows of a panel are contiguous in B: copy them 16 bytes at a time
      let s = b + <usize>(p0 * ldb + j0) * es;
      let d = panel;
      const rowBytes = <usize>nr * es;
      for (let p = 0; p < kc; p++, s += <usize>ldb * es, d += rowBytes) {
        for (let o: usize = 0; o < rowBytes; o += 16) v128.store(d + o, v128.load(s + o));
      }
      continue;
    }
    if (es == 4 && transB && j0 + nr <= n) {
      // columns j0..j0+8 of op(B) are rows of B: two 4×4-transposed halves of each panel row
      const s = b + <usize>(j0 * ldb + p0) * 4;
      packTranspose4(s, <usize>ldb * 4, kc, panel, 32);
      packTranspose4(s + <usize>(4 * ldb) * 4, <usize>ldb * 4, kc, panel + 16, 32);
      continue;
    }
    for (let q = 0; q < nr; q++) {
      const j = j0 + q;
      let d = panel + <usize>q * es;
      if (j >= n) {
        for (let p = 0; p < kc; p++, d += <usize>nr * es) store<T>(d, 0);
      } else if (transB) {
        let s = b + <usize>(j * ldb + p0) * es;
        for (let p = 0; p < kc; p++, d += <usize>nr * es, s += es) store<T>(d, load<T>(s));
      } else {
        let s = b + <usize>(p0 * ldb + j) * es;
        for (let p = 0; p < kc; p++, d += <usize>nr * es, s += <usize>ldb * es) store<T>(d, load<T>(s));
      }
    }
  }
}

/**
 * The micro-kernel: C[4×nr] (+)= Ã·B̃ over kc packed steps, nr = 8 float32 or 4 float64 columns
 * (two v128 per row); ldc is C's row pitch in bytes. Each step reads one column of the A panel
 * (4 values, each splat across a vector) and one row of the B panel (2 vectors).
 */
function tile<T>(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, add: bool): void {
  const es = sizeof<T>();
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0), c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0), c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  for (let p = 0; p < kc; p++, ap += 4 * es, bp += 32) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load_splat<T>(ap);
    c00 = madd<T>(x, b0, c00);
    c01 = madd<T>(x, b1, c01);
    x = v128.load_splat<T>(ap, es);
    c10 = madd<T>(x, b0, c10);
    c11 = madd<T>(x, b1, c11);
    x = v128.load_splat<T>(ap, 2 * es);
    c20 = madd<T>(x, b0, c20);
    c21 = madd<T>(x, b1, c21);
    x = v128.load_splat<T>(ap, 3 * es);
    c30 = madd<T>(x, b0, c30);
    c31 = madd<T>(x, b1, c31);
  }
  if (add) {
    c00 = v128.add<T>(c00, v128.load(c));
    c01 = v128.add<T>(c01, v128.load(c, 16));
    c10 = v128.add<T>(c10, v128.load(c + ldc));
    c11 = v128.add<T>(c11, v128.load(c + ldc, 16));
    c20 = v128.add<T>(c20, v128.load(c + 2 * ldc));
    c21 = v128.add<T>(c21, v128.load(c + 2 * ldc, 16));
    c30 = v128.add<T>(c30, v128.load(c + 3 * ldc));
    c31 = v128.add<T>(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/**
 * C[m×n] (+)= op(A)·op(B), all row-major at byte addresses a, b, c with row pitches lda, ldb, ldc
 * (in elements, of the matrices as stored). `work` is scratch of workBytes(n, sizeof<T>()) bytes.
 * Tiles that overhang C's edge are computed into a scratch tile and only their inside is added to
 * C, so every size is exact.
 */
@inline
function gemm<T>(
  m: i32, n: i32, k: i32, a: usize, lda: i32, transA: bool, b: usize, ldb: i32, transB: bool,
  c: usize, ldcElements: i32, accumulate: bool, work: usize,
): void {
  const es = sizeof<T>();
  const nr: i32 = es == 4 ? 8 : 4;
  const edge = work;
  const aPack = edge + <usize>(4 * nr) * es;
  const bPack = aPack + <usize>(MC * KC) * es;
  const ldc = <usize>ldcElements * es;
  if (k == 0 && !accumulate) {
    for (let i = 0; i < m; i++) memory.fill(c + <usize>i * ldc, 0, <usize>n * es);
  }
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    // the first k block writes C (or adds to it when accumulating), the later ones add
    const add = accumulate || p0 > 0;
    packB<T>(n, ldb, b, transB, p0, kc, nr, bPack);
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      packA<T>(lda, a, transA, i0, mc, p0, kc, aPack);
      for (let j = 0; j < n; j += nr) {
        const bp = bPack + <usize>(j * kc) * es;
        for (let i = 0; i < mc; i += 4) {
          const ap = aPack + <usize>(i * kc) * es;
          const ct = c + <usize>(i0 + i) * ldc + <usize>j * es;
          const full = i + 4 <= mc && j + nr <= n;
          if (full) {
            tile<T>(kc, ap, bp, ct, ldc, add);
            continue;
          }
          tile<T>(kc, ap, bp, edge, <usize>nr * es, false);
          const rows = min(4, mc - i);
          const cols = min(nr, n - j);
          for (let r = 0; r < rows; r++) {
            for (let q = 0; q < cols; q++) {
              const d = ct + <usize>r * ldc + <usize>q * es;
              const v = load<T>(edge + <usize>(r * nr + q) * es);
              store<T>(d, add ? load<T>(d) + v : v);
            }
          }
        }
      }
    }
  }
}

/** Scratch bytes gemm needs for C's width n and element size es (edge tile, A block, B block). */
export function workBytes(n: i32, es: i32): i32 {
  const nr = es == 4 ? 8 : 4;
  const panels = (n + nr - 1) / nr;
  return (4 * nr + MC * KC + panels * nr * KC) * es;
}

/** float32 gemm on byte addresses (see `gemm`); flags are 0 or 1. */
export function gemmF32(
  m: i32, n: i32, k: i32, a: usize, lda: i32, transA: bool, b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool, work: usize,
): void {
  gemm<f32>(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, work);
}

/** float64 gemm on byte addresses (see `gemm`); flags are 0 or 1. */
export function gemmF64(
  m: i32, n: i32, k: i32, a: usize, lda: i32, transA: bool, b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool, work: usize,
): void {
  gemm<f64>(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, work);
}

/**
 * `count` products C_t (+)= op(A_t)·op(B_t) in order, as if gemm were called once per t: offs holds
 * `count` triples of i32 element offsets (A_t, B_t, C_t) from a, b, c. One call into WebAssembly
 * for a whole batched matmul; a C_t that repeats accumulates when `accumulate` is set.
 */
@inline
function gemmBatch<T>(
  m: i32, n: i32, k: i32, count: i32, a: usize, transA: bool, b: usize, transB: bool, c: usize, accumulate: bool,
  offs: usize, work: usize,
): void {
  const es = sizeof<T>();
  for (let t = 0; t < count; t++, offs += 12) {
    const at = a + <usize>load<i32>(offs) * es;
    const bt = b + <usize>load<i32>(offs, 4) * es;
    const ct = c + <usize>load<i32>(offs, 8) * es;
    gemm<T>(m, n, k, at, transA ? m : k, transA, bt, transB ? k : n, transB, ct, n, accumulate, work);
  }
}

/** float32 batched gemm on byte addresses (see `gemmBatch`). */
export function gemmBatchF32(
  m: i32, n: i32, k: i32, count: i32, a: usize, transA: bool, b: usize, transB: bool, c: usize, accumulate: bool,
  offs: usize, work: usize,
): void {
  gemmBatch<f32>(m, n, k, count, a, transA, b, transB, c, accumulate, offs, work);
}

/** float64 batched gemm on byte addresses (see `gemmBatch`). */
export function gemmBatchF64(
  m: i32, n: i32, k: i32, count: i32, a: usize, transA: bool, b: usize, transB: bool, c: usize, accumulate: bool,
  offs: usize, work: usize,
): void {
  gemmBatch<f64>(m, n, k, count, a, transA, b, transB, c, accumulate, offs, work);
}
