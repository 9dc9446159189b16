// GEMM: C (+)= op(A)·op(B) on row-major typed arrays, BLAS-style, with transpose flags so that
// matmul's backward never materialises a transpose. `gemm` dispatches to WebAssembly SIMD
// (wasm/) or to the TypeScript loops below: two loop nests, chosen by where op(B)'s
// rows lie in memory; both keep a small tile of values in registers (locals).
// biome-ignore-all format: the register tiles read best laid out as the 4×4 grids they are
import { sameFloatType } from './dispatch';
import type { Buf } from './index';
import { addRowVector } from './reduce';
import { gemmWasm } from './wasm/gemm';
import { useWasm, WASM_MAX_BYTES } from './wasm/runtime';

/**
 * C[m×n] = op(A)[m×k] · op(B)[k×n], or C += … when `accumulate`. op(A) = Aᵀ when `transA` (A is
 * then stored k×m), likewise for B. The offsets address one matrix inside a larger buffer
 * (a batch of a batched matmul) without copying.
 *
 * Runs the WebAssembly SIMD kernel (wasm/gemm.ts) when it is loaded and selected (`setKernels`)
 * and the three buffers share one float type. Products under WASM_MIN_FLOPS multiply-adds stay in
 * TypeScript, where the copies in and out would cost more than the kernel saves, and so do operands
 * over WASM_MAX_BYTES.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: Buf,
  transA: boolean,
  b: Buf,
  transB: boolean,
  c: Buf,
  accumulate: boolean,
  aOffset = 0,
  bOffset = 0,
  cOffset = 0,
): void {
  const inWasm = m * n * k >= WASM_MIN_FLOPS && (m * k + k * n + m * n) * c.BYTES_PER_ELEMENT <= WASM_MAX_BYTES;
  if (inWasm && useWasm() && sameFloatType(a, b, c)) {
    gemmWasm(m, n, k, a, transA, b, transB, c, accumulate, aOffset, bOffset, cOffset);
  } else gemmTs(m, n, k, a, transA, b, transB, c, accumulate, aOffset, bOffset, cOffset);
}

/**
 * The definition `gemm` implements, as the most obvious triple loop (docs/backprop.md F13): read it
 * first, then the tiled loops below, which compute the same sums in a cache- and register-friendly
 * order. op(A)[i, p] is `a[p·m + i]` when transA (A stored k×m), else `a[i·k + p]`; likewise op(B).
 * Not used by the ops; the gemm tests check it by hand and check `gemm` against it.
 */
export function gemmReference(
  m: number, n: number, k: number, a: Buf, transA: boolean, b: Buf, transB: boolean, c: Buf, accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = accumulate ? c[i * n + j]! : 0;
      for (let p = 0; p < k; p++) sum += a[transA ? p * m + i : i * k + p]! * b[transB ? j * k + p : p * n + j]!;
      c[i * n + j] = sum;
    }
  }
}

/**
 * C[m×n] = op(A)·op(B) + 1·biasᵀ: `gemm` with `bias` (n elements) added to every row of C, the
 * forward of `linear`. In WebAssembly C starts as the bias and the product is added to it, which
 * saves a pass over C; in TypeScript the bias is added after the product.
 */
export function gemmBias(
  m: number, n: number, k: number, a: Buf, transA: boolean, b: Buf, transB: boolean, bias: Buf, c: Buf,
): void {
  const inWasm = m * n * k >= WASM_MIN_FLOPS && (m * k + k * n + m * n + n) * c.BYTES_PER_ELEMENT <= WASM_MAX_BYTES;
  if (inWasm && useWasm() && sameFloatType(a, b, c) && sameFloatType(bias, bias, c)) {
    gemmWasm(m, n, k, a, transA, b, transB, c, false, 0, 0, 0, bias);
    return;
  }
  gemmTs(m, n, k, a, transA, b, transB, c, false);
  addRowVector(m, n, bias, c);
}

/**
 * m·n·k below which TypeScript is faster than the copies of the WebAssembly path. WebAssembly's
 * speed over TypeScript's, measured in float32: 0.6× at 8×8×8, 1.8× at 16×16×16, 5× at 32×32×32,
 * 8× at the shapes of an MLP step.
 */
export const WASM_MIN_FLOPS = 2048;

/**
 * The TypeScript gemm with `gemm`'s contract: the reference the WebAssembly kernel is tested
 * against, and the fallback where WebAssembly SIMD is unavailable.
 *
 * Measured here (Node 20, float32, N = 256…1024, `pnpm bench matmul`): 2.1–2.6 GFLOP/s against
 * 0.5–1.1 for the naive triple loop. Cache blocking of k or n (64…256 × 256…1024) changed
 * nothing measurable at these sizes, so the loops are unblocked.
 */
export function gemmTs(
  m: number,
  n: number,
  k: number,
  a: Buf,
  transA: boolean,
  b: Buf,
  transB: boolean,
  c: Buf,
  accumulate: boolean,
  aOffset = 0,
  bOffset = 0,
  cOffset = 0,
): void {
  if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
  if (m === 0 || n === 0 || k === 0) return;
  // op(A)[i, p] = a[aOffset + i·ai + p·ap]: a transpose is only a change of strides.
  const ai = transA ? 1 : k;
  const ap = transA ? m : 1;
  if (transB) gemmDot(m, n, k, a, aOffset, ai, ap, b, bOffset, c, cOffset);
  else gemmRows(m, n, k, a, aOffset, ai, ap, b, bOffset, c, cOffset);
}

/**
 * op(B) = B, rows of B contiguous. Loop order i-k-j: the inner loop walks a row of B and rows of
 * C contiguously. Four rows of C and four steps of k at a time: sixteen entries of A sit in
 * locals, and each C element loaded in the inner loop receives four products before it is stored.
 */
function gemmRows(
  m: number,
  n: number,
  k: number,
  a: Buf,
  aOffset: number,
  ai: number,
  ap: number,
  b: Buf,
  bOffset: number,
  c: Buf,
  cOffset: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = cOffset + i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    const r0 = aOffset + i * ai;
    const r1 = r0 + ai;
    const r2 = r1 + ai;
    const r3 = r2 + ai;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const q0 = p * ap;
      const q1 = q0 + ap;
      const q2 = q1 + ap;
      const q3 = q2 + ap;
      const a00 = a[r0 + q0]!, a01 = a[r0 + q1]!, a02 = a[r0 + q2]!, a03 = a[r0 + q3]!;
      const a10 = a[r1 + q0]!, a11 = a[r1 + q1]!, a12 = a[r1 + q2]!, a13 = a[r1 + q3]!;
      const a20 = a[r2 + q0]!, a21 = a[r2 + q1]!, a22 = a[r2 + q2]!, a23 = a[r2 + q3]!;
      const a30 = a[r3 + q0]!, a31 = a[r3 + q1]!, a32 = a[r3 + q2]!, a33 = a[r3 + q3]!;
      const b0 = bOffset + p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        const x0 = b[b0 + j]!, x1 = b[b1 + j]!, x2 = b[b2 + j]!, x3 = b[b3 + j]!;
        c[c0 + j]! += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3;
        c[c1 + j]! += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3;
        c[c2 + j]! += a20 * x0 + a21 * x1 + a22 * x2 + a23 * x3;
        c[c3 + j]! += a30 * x0 + a31 * x1 + a32 * x2 + a33 * x3;
      }
    }
    for (; p < k; p++) {
      const q = p * ap;
      const a0 = a[r0 + q]!, a1 = a[r1 + q]!, a2 = a[r2 + q]!, a3 = a[r3 + q]!;
      const b0 = bOffset + p * n;
      for (let j = 0; j < n; j++) {
        const x = b[b0 + j]!;
        c[c0 + j]! += a0 * x;
        c[c1 + j]! += a1 * x;
        c[c2 + j]! += a2 * x;
        c[c3 + j]! += a3 * x;
      }
    }
  }
  // the last m mod 4 rows (all of them for a row vector): one row, four steps of k per pass over
  // the row of C, which halves the time of a 1×1 pass (measured 1.2 vs 0.6 GFLOP/s at m = 1)
  for (; i < m; i++) {
    const c0 = cOffset + i * n;
    const r0 = aOffset + i * ai;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const q0 = r0 + p * ap;
      const a0 = a[q0]!, a1 = a[q0 + ap]!, a2 = a[q0 + 2 * ap]!, a3 = a[q0 + 3 * ap]!;
      const b0 = bOffset + p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) c[c0 + j]! += a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
    }
    for (; p < k; p++) {
      const a0 = a[r0 + p * ap]!;
      const b0 = bOffset + p * n;
      for (let j = 0; j < n; j++) c[c0 + j]! += a0 * b[b0 + j]!;
    }
  }
}

/**
 * op(B) = Bᵀ: column j of op(B) is row j of B, contiguous, so each C entry is a dot product of
 * two runs. A 4×4 tile of C accumulates in sixteen locals while p walks four rows of B.
 */
function gemmDot(
  m: number,
  n: number,
  k: number,
  a: Buf,
  aOffset: number,
  ai: number,
  ap: number,
  b: Buf,
  bOffset: number,
  c: Buf,
  cOffset: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = aOffset + i * ai;
    const r1 = r0 + ai;
    const r2 = r1 + ai;
    const r3 = r2 + ai;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const s0 = bOffset + j * k;
      const s1 = s0 + k;
      const s2 = s1 + k;
      const s3 = s2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0, q = 0; p < k; p++, q += ap) {
        const x0 = b[s0 + p]!, x1 = b[s1 + p]!, x2 = b[s2 + p]!, x3 = b[s3 + p]!;
        let v = a[r0 + q]!;
        c00 += v * x0; c01 += v * x1; c02 += v * x2; c03 += v * x3;
        v = a[r1 + q]!;
        c10 += v * x0; c11 += v * x1; c12 += v * x2; c13 += v * x3;
        v = a[r2 + q]!;
        c20 += v * x0; c21 += v * x1; c22 += v * x2; c23 += v * x3;
        v = a[r3 + q]!;
        c30 += v * x0; c31 += v * x1; c32 += v * x2; c33 += v * x3;
      }
      let o = cOffset + i * n + j;
      c[o]! += c00; c[o + 1]! += c01; c[o + 2]! += c02; c[o + 3]! += c03;
      o += n;
      c[o]! += c10; c[o + 1]! += c11; c[o + 2]! += c12; c[o + 3]! += c13;
      o += n;
      c[o]! += c20; c[o + 1]! += c21; c[o + 2]! += c22; c[o + 3]! += c23;
      o += n;
      c[o]! += c30; c[o + 1]! += c31; c[o + 2]! += c32; c[o + 3]! += c33;
    }
    // the last n mod 4 columns of these four rows
    for (; j < n; j++) {
      const s0 = bOffset + j * k;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0, q = 0; p < k; p++, q += ap) {
        const x = b[s0 + p]!;
        c0 += a[r0 + q]! * x;
        c1 += a[r1 + q]! * x;
        c2 += a[r2 + q]! * x;
        c3 += a[r3 + q]! * x;
      }
      const o = cOffset + i * n + j;
      c[o]! += c0;
      c[o + n]! += c1;
      c[o + 2 * n]! += c2;
      c[o + 3 * n]! += c3;
    }
  }
  // the last m mod 4 rows (x·Wᵀ at batch size 1): four columns at a time share each A load
  // (measured 1.5 vs 0.7 GFLOP/s for one dot product at a time), then one per leftover column
  for (; i < m; i++) {
    const r0 = aOffset + i * ai;
    const o = cOffset + i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const s0 = bOffset + j * k;
      const s1 = s0 + k;
      const s2 = s1 + k;
      const s3 = s2 + k;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0, q = r0; p < k; p++, q += ap) {
        const v = a[q]!;
        c0 += v * b[s0 + p]!; c1 += v * b[s1 + p]!; c2 += v * b[s2 + p]!; c3 += v * b[s3 + p]!;
      }
      c[o + j]! += c0; c[o + j + 1]! += c1; c[o + j + 2]! += c2; c[o + j + 3]! += c3;
    }
    for (; j < n; j++) {
      const s0 = bOffset + j * k;
      let s = 0;
      for (let p = 0, q = r0; p < k; p++, q += ap) s += a[q]! * b[s0 + p]!;
      c[o + j]! += s;
    }
  }
}
