// GEMM, the naive reference loop (the blocked, measured kernel replaces it).
import type { Buf } from './index';

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
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[aOffset + p * m + i]! : a[aOffset + i * k + p]!;
        const bv = transB ? b[bOffset + j * k + p]! : b[bOffset + p * n + j]!;
        s += av * bv;
      }
      c[cOffset + i * n + j] = accumulate ? c[cOffset + i * n + j]! + s : s;
    }
}
