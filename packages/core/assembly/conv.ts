// WebAssembly kernels of the convolution layers (AssemblyScript): the forward convolution (im2col
// and gemm in this memory), a per-channel bias and its gradient over [batch, channels, inner]
// tensors, and max pooling with the window index map of a pool plan (src/plans/conv.ts), in
// float32 and float64 on byte addresses. Each mirrors its TypeScript reference in
// src/kernels/conv.ts.
import { gemmF32, gemmF64 } from './gemm';
import { col2imAdd, im2col } from './windows';

/** y[n, c, i] += bias[c]. */
@inline
function addChannelBias<T>(batch: i32, channels: i32, inner: i32, bias: usize, y: usize): void {
  const es = sizeof<T>();
  const lanes = 16 / <i32>es;
  let at = y;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const b = load<T>(bias + <usize>c * es);
      const vb = v128.splat<T>(b);
      let i = 0;
      for (; i + lanes <= inner; i += lanes, at += 16) v128.store(at, v128.add<T>(v128.load(at), vb));
      for (; i < inner; i++, at += es) store<T>(at, load<T>(at) + b);
    }
  }
}

/**
 * gb[c] (+)= Σ_{n,i} gy[n, c, i]: each image's run summed in float64, then added to gb[c] and
 * rounded once, as the reference.
 */
@inline
function sumChannels<T>(batch: i32, channels: i32, inner: i32, gy: usize, gb: usize, accumulate: bool): void {
  const es = sizeof<T>();
  if (!accumulate) memory.fill(gb, 0, <usize>channels * es);
  let at = gy;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      let s: f64 = 0;
      for (let i = 0; i < inner; i++, at += es) s += <f64>load<T>(at);
      store<T>(gb + <usize>c * es, <T>(<f64>load<T>(gb + <usize>c * es) + s));
    }
  }
}

/**
 * y[q, o] = the largest tap of window o in plane q (NaN if any tap is NaN, the first one then),
 * arg[q, o] = its flat index in x; padding taps (index −1) are skipped. In float32, four windows at
 * a time and without branches (random data would mispredict every other comparison): a tap
 * replaces the best so far if it is larger, or NaN where the best is not, or the window's first.
 */
@inline
function maxPool<T>(
  planes: i32, inSize: i32, outSize: i32, kSize: i32, index: usize, x: usize, y: usize, arg: usize,
): void {
  const es = sizeof<T>();
  for (let q = 0; q < planes; q++) {
    const xq = q * inSize;
    const yq = q * outSize;
    let o = 0;
    if (es == 4) {
      const none = i32x4.splat(-1);
      const base = i32x4.splat(xq);
      for (; o + 4 <= outSize; o += 4) {
        let best = f32x4.splat(-Infinity);
        let at = none;
        for (let t = 0; t < kSize; t++) {
          const idx = v128.load(index + <usize>(t * outSize + o) * 4);
          const valid = v128.not(i32x4.eq(idx, none));
          const safe = v128.and(idx, valid); // a padding tap reads x[xq] and is masked out
          const p = x + <usize>xq * 4;
          let v = f32x4.splat(load<f32>(p + <usize>i32x4.extract_lane(safe, 0) * 4));
          v = f32x4.replace_lane(v, 1, load<f32>(p + <usize>i32x4.extract_lane(safe, 1) * 4));
          v = f32x4.replace_lane(v, 2, load<f32>(p + <usize>i32x4.extract_lane(safe, 2) * 4));
          v = f32x4.replace_lane(v, 3, load<f32>(p + <usize>i32x4.extract_lane(safe, 3) * 4));
          const nanOverNumber = v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best));
          const take = v128.and(v128.or(v128.or(f32x4.gt(v, best), nanOverNumber), i32x4.eq(at, none)), valid);
          best = v128.bitselect(v, best, take);
          at = v128.bitselect(i32x4.add(safe, base), at, take);
        }
        v128.store(y + <usize>(yq + o) * 4, best);
        v128.store(arg + <usize>(yq + o) * 4, at);
      }
    }
    for (; o < outSize; o++) {
      let best: T = <T>-Infinity;
      let at = -1;
      for (let t = 0; t < kSize; t++) {
        const i = load<i32>(index + <usize>(t * outSize + o) * 4);
        if (i < 0) continue;
        const v = load<T>(x + <usize>(xq + i) * es);
        if (v > best || at < 0 || v != v) {
          best = v;
          at = xq + i;
          if (v != v) break;
        }
      }
      store<T>(y + <usize>(yq + o) * es, best);
      store<i32>(arg + <usize>(yq + o) * 4, at);
    }
  }
}

/**
 * maxPool's results for the 2×2 window of stride 2 without padding (PoolPlan.twoByTwo), float32,
 * without the index map, for rows of at least four windows (outW ≥ 4): window (oh, ow) reads
 * inputs 2ow and 2ow + 1 of rows 2oh and 2oh + 1.
 * Four windows at a time, their taps taken apart from two vectors of each row, and compared in the
 * map's tap order (0,0) (0,1) (1,0) (1,1) by the same rule as maxPool: a tap replaces the best so
 * far if it is larger, or NaN where the best is not.
 */
export function maxPool2x2F32(planes: i32, inH: i32, inW: i32, outH: i32, outW: i32, x: usize, y: usize, arg: usize): void {
  const steps = i32x4(0, 2, 4, 6); // the four windows' first inputs, from the first one's
  for (let q = 0; q < planes; q++) {
    for (let oh = 0; oh < outH; oh++) {
      const r0 = (q * inH + 2 * oh) * inW; // flat index of the window row's first input
      const r1 = r0 + inW;
      const yo = (q * outH + oh) * outW;
      // four windows from ow, the row's last four as one more vector overlapping the one before
      // (the same windows computed twice, the same results: no branchy tail)
      for (let next = 0; ; next += 4) {
        const ow = min(next, outW - 4);
        const first = r0 + 2 * ow;
        const a = x + <usize>first * 4;
        const b = x + <usize>(r1 + 2 * ow) * 4;
        const a0 = v128.load(a);
        const a1 = v128.load(a, 16);
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        let best = i32x4.shuffle(a0, a1, 0, 2, 4, 6);
        let at = i32x4.add(i32x4.splat(first), steps);
        let v = i32x4.shuffle(a0, a1, 1, 3, 5, 7);
        let take = v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best)));
        best = v128.bitselect(v, best, take);
        at = v128.bitselect(i32x4.add(i32x4.splat(first + 1), steps), at, take);
        v = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
        take = v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best)));
        best = v128.bitselect(v, best, take);
        at = v128.bitselect(i32x4.add(i32x4.splat(first + inW), steps), at, take);
        v = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
        take = v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best)));
        best = v128.bitselect(v, best, take);
        at = v128.bitselect(i32x4.add(i32x4.splat(first + inW + 1), steps), at, take);
        v128.store(y + <usize>(yo + ow) * 4, best);
        v128.store(arg + <usize>(yo + ow) * 4, at);
        if (ow == outW - 4) break;
      }
    }
  }
}

/** gx[arg[j]] += gy[j]: each window's gradient goes to its maximum. */
@inline
function maxPoolBackward<T>(n: i32, arg: usize, gy: usize, gx: usize): void {
  const es = sizeof<T>();
  for (let j = 0; j < n; j++) {
    const d = gx + <usize>load<i32>(arg + <usize>j * 4) * es;
    store<T>(d, load<T>(d) + load<T>(gy + <usize>j * es));
  }
}

export function addChannelBiasF32(batch: i32, channels: i32, inner: i32, bias: usize, y: usize): void {
  addChannelBias<f32>(batch, channels, inner, bias, y);
}
export function addChannelBiasF64(batch: i32, channels: i32, inner: i32, bias: usize, y: usize): void {
  addChannelBias<f64>(batch, channels, inner, bias, y);
}
export function sumChannelsF32(batch: i32, channels: i32, inner: i32, gy: usize, gb: usize, accumulate: bool): void {
  sumChannels<f32>(batch, channels, inner, gy, gb, accumulate);
}
export function sumChannelsF64(batch: i32, channels: i32, inner: i32, gy: usize, gb: usize, accumulate: bool): void {
  sumChannels<f64>(batch, channels, inner, gy, gb, accumulate);
}
export function maxPoolF32(
  planes: i32, inSize: i32, outSize: i32, kSize: i32, index: usize, x: usize, y: usize, arg: usize,
): void {
  maxPool<f32>(planes, inSize, outSize, kSize, index, x, y, arg);
}
export function maxPoolF64(
  planes: i32, inSize: i32, outSize: i32, kSize: i32, index: usize, x: usize, y: usize, arg: usize,
): void {
  maxPool<f64>(planes, inSize, outSize, kSize, index, x, y, arg);
}
export function maxPoolBackwardF32(n: i32, arg: usize, gy: usize, gx: usize): void {
  maxPoolBackward<f32>(n, arg, gy, gx);
}
export function maxPoolBackwardF64(n: i32, arg: usize, gy: usize, gx: usize): void {
  maxPoolBackward<f64>(n, arg, gy, gx);
}

/** gemm on byte addresses, by a call (not inlined: one copy of the kernel in the module). */
@inline
function gemm<T>(
  m: i32, n: i32, k: i32, a: usize, lda: i32, transA: bool, b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool, work: usize,
): void {
  if (sizeof<T>() == 4) gemmF32(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, work);
  else gemmF64(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, work);
}

/**
 * Convolution forward of images n0 … n1−1 without bias: for each image n and group g, the windows
 * of x[n, g] gathered into cols ([colRows, outSize], through the plan's window table; 0 in the
 * padding), then Y[n, g] = W[g] · cols by gemm, all in this memory. `cols` holds colRows·outSize
 * elements and `work` gemm's scratch for outSize columns.
 */
@inline
function convForward<T>(
  n0: i32, n1: i32, groups: i32, inPerGroup: i32, inSize: i32, outPerGroup: i32, outSize: i32, kSize: i32,
  x: usize, table: usize, w: usize, y: usize, cols: usize, work: usize,
): void {
  const es = sizeof<T>();
  const colRows = inPerGroup * kSize;
  const inChannels = groups * inPerGroup;
  const outChannels = groups * outPerGroup;
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < groups; g++) {
      im2col<T>(n, g, inChannels, inPerGroup, inSize, outSize, kSize, x, table, cols);
      const wg = w + <usize>(g * outPerGroup * colRows) * es;
      const yg = y + <usize>((n * outChannels + g * outPerGroup) * outSize) * es;
      gemm<T>(outPerGroup, outSize, colRows, wg, colRows, false, cols, outSize, false, yg, outSize, false, work);
    }
  }
}

/**
 * Convolution backward of images n0 … n1−1, for each image n and group g:
 * gw[g] += gY[n, g] · cols(x[n, g])ᵀ (the windows gathered again), and, where `gx` is not 0,
 * gx[n, g] += col2im(W[g]ᵀ · gY[n, g]). `cols` holds colRows·outSize elements, `work` gemm's
 * scratch for max(outSize, colRows) columns.
 */
@inline
function convBackward<T>(
  n0: i32, n1: i32, groups: i32, inPerGroup: i32, inSize: i32, outPerGroup: i32, outSize: i32, kSize: i32,
  x: usize, table: usize, w: usize, gy: usize, gw: usize, gx: usize, cols: usize, work: usize,
): void {
  const es = sizeof<T>();
  const colRows = inPerGroup * kSize;
  const inChannels = groups * inPerGroup;
  const outChannels = groups * outPerGroup;
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < groups; g++) {
      const gyg = gy + <usize>((n * outChannels + g * outPerGroup) * outSize) * es;
      const wOffset = <usize>(g * outPerGroup * colRows) * es;
      if (gw != 0) {
        im2col<T>(n, g, inChannels, inPerGroup, inSize, outSize, kSize, x, table, cols);
        gemm<T>(outPerGroup, colRows, outSize, gyg, outSize, false, cols, outSize, true, gw + wOffset, colRows, true, work);
      }
      if (gx != 0) {
        gemm<T>(colRows, outSize, outPerGroup, w + wOffset, colRows, true, gyg, outSize, false, cols, outSize, false, work);
        col2imAdd<T>(n, g, inChannels, inPerGroup, inSize, outSize, kSize, cols, table, gx);
      }
    }
  }
}

export function convBackwardF32(
  n0: i32, n1: i32, groups: i32, inPerGroup: i32, inSize: i32, outPerGroup: i32, outSize: i32, kSize: i32,
  x: usize, table: usize, w: usize, gy: usize, gw: usize, gx: usize, cols: usize, work: usize,
): void {
  convBackward<f32>(n0, n1, groups, inPerGroup, inSize, outPerGroup, outSize, kSize, x, table, w, gy, gw, gx, cols, work);
}
export function convBackwardF64(
  n0: i32, n1: i32, groups: i32, inPerGroup: i32, inSize: i32, outPerGroup: i32, outSize: i32, kSize: i32,
  x: usize, table: usize, w: usize, gy: usize, gw: usize, gx: usize, cols: usize, work: usize,
): void {
  convBackward<f64>(n0, n1, groups, inPerGroup, inSize, outPerGroup, outSize, kSize, x, table, w, gy, gw, gx, cols, work);
}

export function convForwardF32(
  n0: i32, n1: i32, groups: i32, inPerGroup: i32, inSize: i32, outPerGroup: i32, outSize: i32, kSize: i32,
  x: usize, table: usize, w: usize, y: usize, cols: usize, work: usize,
): void {
  convForward<f32>(n0, n1, groups, inPerGroup, inSize, outPerGroup, outSize, kSize, x, table, w, y, cols, work);
}
export function convForwardF64(
  n0: i32, n1: i32, groups: i32, inPerGroup: i32, inSize: i32, outPerGroup: i32, outSize: i32, kSize: i32,
  x: usize, table: usize, w: usize, y: usize, cols: usize, work: usize,
): void {
  convForward<f64>(n0, n1, groups, inPerGroup, inSize, outPerGroup, outSize, kSize, x, table, w, y, cols, work);
}
