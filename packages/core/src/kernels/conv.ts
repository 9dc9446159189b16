// Convolution and pooling kernels, driven by the window plans of plans/conv.ts. A convolution is
// im2col (gather each window into a column) followed by gemm; its input gradient is gemm
// followed by col2im (scatter-add each column back, so overlapping windows accumulate).
import type { ConvPlan, PoolPlan, SlidingPlan } from '../plans/conv';
import { elementwiseInWasm, sameFloatType } from './dispatch';
import { gemm, WASM_MIN_FLOPS } from './gemm';
import type { Buf } from './index';
import {
  addChannelBiasWasm,
  convBackwardWasm,
  convBytes,
  convForwardWasm,
  maxPoolBackwardWasm,
  maxPoolWasm,
  sumChannelsWasm,
  WEIGHT_CHUNKS,
} from './wasm/conv';
import { getNumThreads } from './wasm/pool';
import { fitsWasm, useWasm } from './wasm/runtime';

/**
 * Whether a convolution kernel takes the WebAssembly path: one image's product of WASM_MIN_FLOPS
 * or more, and a layout (every thread's scratch and weight partial included) that fits.
 */
function convInWasm(p: ConvPlan, a: Buf, b: Buf, c: Buf): boolean {
  if (p.outPerGroup * p.colRows * p.outSize < WASM_MIN_FLOPS || !useWasm() || !sameFloatType(a, b, c)) return false;
  return fitsWasm(convBytes(p, c.BYTES_PER_ELEMENT, getNumThreads(), WEIGHT_CHUNKS));
}

/** A zeroed scratch buffer of `out`'s float type. */
function scratch(out: Buf, n: number): Buf {
  return out instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/**
 * cols[(c·kSize + t)·outSize + o] = x[xOffset + c·inSize + index[t·outSize + o]], 0 in the padding,
 * for c < channels: column o of `cols` is the window of output position o.
 */
export function im2col(p: SlidingPlan, channels: number, x: Buf, xOffset: number, cols: Buf): void {
  const { index, inSize, outSize, kSize } = p;
  for (let c = 0; c < channels; c++) {
    const xc = xOffset + c * inSize;
    for (let t = 0; t < kSize; t++) {
      const row = (c * kSize + t) * outSize;
      const map = t * outSize;
      for (let o = 0; o < outSize; o++) {
        const i = index[map + o]!;
        cols[row + o] = i < 0 ? 0 : x[xc + i]!;
      }
    }
  }
}

/** gx[gxOffset + c·inSize + index[t·outSize + o]] += cols[(c·kSize + t)·outSize + o]: the adjoint of im2col. */
export function col2imAdd(p: SlidingPlan, channels: number, cols: Buf, gx: Buf, gxOffset: number): void {
  const { index, inSize, outSize, kSize } = p;
  for (let c = 0; c < channels; c++) {
    const gc = gxOffset + c * inSize;
    for (let t = 0; t < kSize; t++) {
      const row = (c * kSize + t) * outSize;
      const map = t * outSize;
      for (let o = 0; o < outSize; o++) {
        const i = index[map + o]!;
        if (i >= 0) gx[gc + i]! += cols[row + o]!;
      }
    }
  }
}

/**
 * y = conv(x, w), then + bias[c] in every channel c where a bias is given: for each image n and
 * group g, Y[n,g] = W[g] · cols(x[n,g]), with W[g] the [outPerGroup, colRows] block of the weight
 * and cols the [colRows, outSize] im2col matrix. One gemm per image and group.
 */
export function convForward(p: ConvPlan, x: Buf, w: Buf, y: Buf, bias: Buf | null = null): void {
  if (convInWasm(p, x, w, y) && (bias === null || sameFloatType(bias, y, y))) {
    convForwardWasm(p, x, w, y, bias);
    return;
  }
  const cols = scratch(y, p.colRows * p.outSize);
  for (let n = 0; n < p.batch; n++) {
    for (let g = 0; g < p.groups; g++) {
      im2col(p, p.inPerGroup, x, (n * p.inChannels + g * p.inPerGroup) * p.inSize, cols);
      const yOffset = (n * p.outChannels + g * p.outPerGroup) * p.outSize;
      gemm(
        p.outPerGroup,
        p.outSize,
        p.colRows,
        w,
        false,
        cols,
        false,
        y,
        false,
        g * p.outPerGroup * p.colRows,
        0,
        yOffset,
      );
    }
  }
  if (bias) addChannelBias(p.batch, p.outChannels, p.outSize, bias, y);
}

/** gw += Σₙ gY[n,g] · cols(x[n,g])ᵀ for each group (the windows are gathered again, not stored). */
export function convBackwardWeight(p: ConvPlan, x: Buf, gy: Buf, gw: Buf): void {
  if (convInWasm(p, x, gy, gw)) {
    convBackwardWasm(p, gy, { x, gw }, null);
    return;
  }
  const cols = scratch(gw, p.colRows * p.outSize);
  for (let n = 0; n < p.batch; n++) {
    for (let g = 0; g < p.groups; g++) {
      im2col(p, p.inPerGroup, x, (n * p.inChannels + g * p.inPerGroup) * p.inSize, cols);
      const gyOffset = (n * p.outChannels + g * p.outPerGroup) * p.outSize;
      gemm(
        p.outPerGroup,
        p.colRows,
        p.outSize,
        gy,
        false,
        cols,
        true,
        gw,
        true,
        gyOffset,
        0,
        g * p.outPerGroup * p.colRows,
      );
    }
  }
}

/** gx += col2im(W[g]ᵀ · gY[n,g]) for each image and group. */
export function convBackwardInput(p: ConvPlan, w: Buf, gy: Buf, gx: Buf): void {
  if (convInWasm(p, w, gy, gx)) {
    convBackwardWasm(p, gy, null, { w, gx });
    return;
  }
  const cols = scratch(gx, p.colRows * p.outSize);
  for (let n = 0; n < p.batch; n++) {
    for (let g = 0; g < p.groups; g++) {
      const gyOffset = (n * p.outChannels + g * p.outPerGroup) * p.outSize;
      gemm(
        p.colRows,
        p.outSize,
        p.outPerGroup,
        w,
        true,
        gy,
        false,
        cols,
        false,
        g * p.outPerGroup * p.colRows,
        gyOffset,
        0,
      );
      col2imAdd(p, p.inPerGroup, cols, gx, (n * p.inChannels + g * p.inPerGroup) * p.inSize);
    }
  }
}

/** y[n, c, i] += bias[c] for y [batch, channels, inner]. */
export function addChannelBias(batch: number, channels: number, inner: number, bias: Buf, y: Buf): void {
  if (elementwiseInWasm(y.length, bias, y)) {
    addChannelBiasWasm(batch, channels, inner, bias, y);
    return;
  }
  for (let n = 0, i = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const b = bias[c]!;
      for (let j = 0; j < inner; j++, i++) y[i]! += b;
    }
  }
}

/** gb[c] += Σ_{n,i} gy[n, c, i] for gy [batch, channels, inner]: the adjoint of addChannelBias. */
export function sumChannels(batch: number, channels: number, inner: number, gy: Buf, gb: Buf, accumulate = true): void {
  if (elementwiseInWasm(gy.length, gy, gb)) {
    sumChannelsWasm(batch, channels, inner, gy, gb, accumulate);
    return;
  }
  if (!accumulate) gb.fill(0, 0, channels);
  for (let n = 0, i = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      let s = 0;
      for (let j = 0; j < inner; j++, i++) s += gy[i]!;
      gb[c]! += s;
    }
  }
}

/**
 * y[plane, o] = max over the window's taps inside the input (the padding is −∞, as PyTorch), and
 * arg[plane·outSize + o] = the input offset of the maximum (the first one on ties, NaN wins), where
 * arg is given (a graph will need it).
 */
export function maxPool(p: PoolPlan, x: Buf, y: Buf, arg: Int32Array | null): void {
  if (elementwiseInWasm(x.length, x, y)) {
    maxPoolWasm(p, x, y, arg);
    return;
  }
  const { index, inSize, outSize, kSize } = p;
  for (let q = 0; q < p.planes; q++) {
    const xq = q * inSize;
    const yq = q * outSize;
    for (let o = 0; o < outSize; o++) {
      let best = Number.NEGATIVE_INFINITY;
      let at = -1;
      for (let t = 0; t < kSize; t++) {
        const i = index[t * outSize + o]!;
        if (i < 0) continue;
        const v = x[xq + i]!;
        if (v > best || at < 0 || Number.isNaN(v)) {
          best = v;
          at = xq + i;
          if (Number.isNaN(v)) break;
        }
      }
      y[yq + o] = best;
      if (arg) arg[yq + o] = at;
    }
  }
}

/**
 * gx[arg[j]] += gy[j]: each window's gradient goes to its maximum. Without `accumulate`, gx is
 * zeroed first (what it held is not read).
 */
export function maxPoolBackward(arg: Int32Array, gy: Buf, gx: Buf, accumulate = true): void {
  if (elementwiseInWasm(gx.length, gy, gx)) {
    maxPoolBackwardWasm(arg, gy, gx, accumulate);
    return;
  }
  if (!accumulate) gx.fill(0);
  for (let j = 0; j < arg.length; j++) gx[arg[j]!]! += gy[j]!;
}

/** y[plane, o] = (Σ of the window's taps) / kSize, the padding counted as zeros (count_include_pad). */
export function avgPool(p: PoolPlan, x: Buf, y: Buf): void {
  const { index, inSize, outSize, kSize } = p;
  const scale = 1 / kSize;
  for (let q = 0; q < p.planes; q++) {
    const xq = q * inSize;
    const yq = q * outSize;
    for (let o = 0; o < outSize; o++) {
      let s = 0;
      for (let t = 0; t < kSize; t++) {
        const i = index[t * outSize + o]!;
        if (i >= 0) s += x[xq + i]!;
      }
      y[yq + o] = s * scale;
    }
  }
}

/** gx[window taps of o] += gy[o] / kSize: the adjoint of avgPool. */
export function avgPoolBackward(p: PoolPlan, gy: Buf, gx: Buf): void {
  const { index, inSize, outSize, kSize } = p;
  const scale = 1 / kSize;
  for (let q = 0; q < p.planes; q++) {
    const xq = q * inSize;
    const yq = q * outSize;
    for (let t = 0; t < kSize; t++) {
      const map = t * outSize;
      for (let o = 0; o < outSize; o++) {
        const i = index[map + o]!;
        if (i >= 0) gx[xq + i]! += gy[yq + o]! * scale;
      }
    }
  }
}
