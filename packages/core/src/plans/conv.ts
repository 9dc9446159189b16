// plans: convolution and pooling windows. Pure index logic from shapes and options to output
// sizes and the im2col index map; no tensors. A 1-D window is a 2-D one of height 1, so one
// plan serves conv1d, conv2d and the 2-D pools.
import { check, fmtShape } from '../errors';

/** A size per spatial dim: one number for all of them, or one each. */
export type SpatialArg = number | readonly number[];
/** Convolution padding: zeros added on both sides, or 'same' (output size = input size) or 'valid' (none). */
export type ConvPadding = SpatialArg | 'same' | 'valid';

/** Options of conv1d and conv2d, as torch.nn.functional.conv1d/conv2d. */
export interface ConvOptions {
  /** Step between windows (default 1). */
  stride?: SpatialArg;
  /** Default 0. 'same' needs stride 1 and pads (dilation·(k − 1)) / 2 before, the rest after, as PyTorch. */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialArg;
  /** Channel groups: group g maps input channels g·(in/groups)… to output channels g·(out/groups)… (default 1). */
  groups?: number;
}

/** Options of maxPool2d and avgPool2d, as torch.nn.functional.max_pool2d/avg_pool2d. */
export interface PoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SpatialArg;
  /** Implicit padding on both sides, at most half the kernel (default 0). */
  padding?: SpatialArg;
}

/**
 * Where each window reads in one input plane of `inH × inW`. Taps are numbered row-major over
 * the kernel (t = i·kW + j, the order of a conv weight's last dims) and output positions
 * row-major over the output plane.
 */
export interface SlidingPlan {
  readonly inH: number;
  readonly inW: number;
  readonly outH: number;
  readonly outW: number;
  readonly kH: number;
  readonly kW: number;
  /** Elements of one input plane: inH·inW. */
  readonly inSize: number;
  /** Positions of one output plane: outH·outW. */
  readonly outSize: number;
  /** Taps of one window: kH·kW. */
  readonly kSize: number;
  /** index[t·outSize + o] is the offset in the input plane that tap t of window o reads, or −1 in the padding. */
  readonly index: Int32Array;
  /**
   * The same map as runs, where the stride along the width is 1 (else null): in output row oh of
   * tap t, windows lo ≤ ow < hi read the consecutive inputs start + ow, the others the padding;
   * rows[3·(t·outH + oh) + 0, 1, 2] = start, lo, hi (lo = hi: the whole row is padding). The
   * WebAssembly im2col copies runs a vector at a time instead of gathering through the map.
   */
  readonly rows: Int32Array | null;
}

/** A convolution of x [batch, inChannels, …] with weight [outChannels, inPerGroup, …kernel]. */
export interface ConvPlan extends SlidingPlan {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly inPerGroup: number;
  readonly outPerGroup: number;
  /** Rows of one group's im2col matrix (its columns are the outSize windows): inPerGroup·kSize. */
  readonly colRows: number;
  readonly outShape: readonly number[];
}

/** A pooling of `planes` independent planes (batch·channels). */
export interface PoolPlan extends SlidingPlan {
  readonly planes: number;
  readonly outShape: readonly number[];
  /**
   * Whether the window is 2×2 with stride 2 and no padding: window (oh, ow) then reads inputs
   * 2ow, 2ow + 1 of rows 2oh, 2oh + 1, which a kernel can compute without the index map.
   */
  readonly twoByTwo: boolean;
}

/** Output length of a sliding window: ⌊(in + padding − dilation·(k − 1) − 1) / stride⌋ + 1. */
export function windowOutputLength(
  inLen: number,
  k: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
): number {
  return Math.floor((inLen + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1;
}

/** The window map of one plane, for explicit per-side paddings. */
export function windowPlan(
  op: string,
  [inH, inW]: readonly [number, number],
  [kH, kW]: readonly [number, number],
  [sH, sW]: readonly [number, number],
  [padTop, padLeft, padBottom, padRight]: readonly [number, number, number, number],
  [dH, dW]: readonly [number, number],
): SlidingPlan {
  const outH = windowOutputLength(inH, kH, sH, padTop, padBottom, dH);
  const outW = windowOutputLength(inW, kW, sW, padLeft, padRight, dW);
  check(
    outH >= 1 && outW >= 1,
    () =>
      `${op}: the padded input [${inH + padTop + padBottom},${inW + padLeft + padRight}] is smaller than the ` +
      `dilated kernel [${dH * (kH - 1) + 1},${dW * (kW - 1) + 1}]`,
  );
  const outSize = outH * outW;
  const kSize = kH * kW;
  const index = new Int32Array(kSize * outSize);
  for (let i = 0; i < kH; i++) {
    for (let j = 0; j < kW; j++) {
      const row = (i * kW + j) * outSize;
      for (let oh = 0; oh < outH; oh++) {
        const h = oh * sH - padTop + i * dH;
        for (let ow = 0; ow < outW; ow++) {
          const w = ow * sW - padLeft + j * dW;
          index[row + oh * outW + ow] = h >= 0 && h < inH && w >= 0 && w < inW ? h * inW + w : -1;
        }
      }
    }
  }
  const rows = sW === 1 ? windowRows(inH, inW, outH, outW, kH, kW, sH, padTop, padLeft, dH, dW) : null;
  return { inH, inW, outH, outW, kH, kW, inSize: inH * inW, outSize, kSize, index, rows };
}

/** SlidingPlan.rows for a stride of 1 along the width: each output row of a tap as one run of inputs. */
function windowRows(
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  kH: number,
  kW: number,
  sH: number,
  padTop: number,
  padLeft: number,
  dH: number,
  dW: number,
): Int32Array {
  const rows = new Int32Array(3 * kH * kW * outH);
  for (let i = 0; i < kH; i++) {
    for (let j = 0; j < kW; j++) {
      const w0 = j * dW - padLeft; // window ow reads column ow + w0
      for (let oh = 0; oh < outH; oh++) {
        const at = 3 * ((i * kW + j) * outH + oh);
        const h = oh * sH - padTop + i * dH;
        if (h < 0 || h >= inH) continue; // a padding row: lo = hi = 0
        const lo = Math.min(outW, Math.max(0, -w0));
        rows[at] = h * inW + w0;
        rows[at + 1] = lo;
        rows[at + 2] = Math.max(lo, Math.min(outW, inW - w0));
      }
    }
  }
  return rows;
}

/** A SpatialArg as one positive (or, with min 0, non-negative) integer per spatial dim. */
function perDim(op: string, name: string, v: unknown, nd: number, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(nd).fill(v) : v;
  check(
    Array.isArray(list) && list.length === nd && list.every((d) => Number.isInteger(d) && d >= min),
    () =>
      `${op}: ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer` +
      `${nd > 1 ? ` or ${nd} of them` : ''}, got ${JSON.stringify(v)}`,
  );
  return list as number[];
}

/** A 1-D spatial list as 2-D with a leading dim of `fill` (height 1 for sizes, 0 for paddings). */
function as2d(v: readonly number[], fill: number): [number, number] {
  return v.length === 1 ? [fill, v[0] as number] : [v[0] as number, v[1] as number];
}

/**
 * The plan of conv1d (nd = 1: x [N, C, L] or [C, L]) or conv2d (nd = 2: x [N, C, H, W] or
 * [C, H, W]) with weight [out, in/groups, …kernel] and an optional bias [out].
 * @throws ChainruleError naming `op` for shapes or options that do not fit.
 */
export function convPlan(
  op: string,
  nd: 1 | 2,
  xShape: readonly number[],
  wShape: readonly number[],
  biasShape: readonly number[] | null,
  opts: ConvOptions,
): ConvPlan {
  const layout = nd === 1 ? '[N, C, L] or [C, L]' : '[N, C, H, W] or [C, H, W]';
  check(
    xShape.length === nd + 1 || xShape.length === nd + 2,
    () => `${op}: expects input ${layout}, got ${fmtShape(xShape)}`,
  );
  check(
    wShape.length === nd + 2,
    () => `${op}: expects weight [out, in/groups, ${nd === 1 ? 'k' : 'kH, kW'}], got ${fmtShape(wShape)}`,
  );
  const batched = xShape.length === nd + 2;
  const batch = batched ? (xShape[0] as number) : 1;
  const [inChannels, ...spatial] = batched ? xShape.slice(1) : xShape;
  const [outChannels, inPerGroup, ...kernel] = wShape as number[];
  const groups = opts.groups ?? 1;
  check(
    Number.isInteger(groups) && groups >= 1,
    () => `${op}: groups must be a positive integer, got ${JSON.stringify(groups)}`,
  );
  check(
    (inChannels as number) % groups === 0 && (outChannels as number) % groups === 0,
    () =>
      `${op}: groups ${groups} must divide both the input channels ${inChannels} and the output channels ${outChannels}`,
  );
  check(
    inPerGroup === (inChannels as number) / groups,
    () =>
      `${op}: weight ${fmtShape(wShape)} expects ${(inPerGroup as number) * groups} input channels ` +
      `(${inPerGroup} per group × ${groups} groups), got input ${fmtShape(xShape)} with ${inChannels}`,
  );
  check(
    kernel.every((k) => k >= 1),
    () => `${op}: the kernel size must be positive, got weight ${fmtShape(wShape)}`,
  );
  if (biasShape !== null) {
    check(
      biasShape.length === 1 && biasShape[0] === outChannels,
      () => `${op}: bias ${fmtShape(biasShape)} should have shape [${outChannels}] for weight ${fmtShape(wShape)}`,
    );
  }
  const stride = perDim(op, 'stride', opts.stride ?? 1, nd, 1);
  const dilation = perDim(op, 'dilation', opts.dilation ?? 1, nd, 1);
  const padding = opts.padding ?? 0;
  let before: number[];
  let after: number[];
  if (padding === 'valid') {
    before = after = new Array<number>(nd).fill(0);
  } else if (padding === 'same') {
    check(
      stride.every((s) => s === 1),
      () => `${op}: padding 'same' needs stride 1, got stride [${stride.join(',')}]`,
    );
    // total padding dilation·(k − 1): half before, the odd one out after (as PyTorch)
    const total = kernel.map((k, d) => (dilation[d] as number) * (k - 1));
    before = total.map((t) => Math.floor(t / 2));
    after = total.map((t, d) => t - (before[d] as number));
  } else {
    before = after = perDim(op, "padding (or 'same' / 'valid')", padding, nd, 0);
  }
  const [padTop, padLeft] = as2d(before, 0);
  const [padBottom, padRight] = as2d(after, 0);
  const w = windowPlan(
    op,
    as2d(spatial, 1),
    as2d(kernel, 1),
    as2d(stride, 1),
    [padTop, padLeft, padBottom, padRight],
    as2d(dilation, 1),
  );
  const outSpatial = nd === 1 ? [w.outW] : [w.outH, w.outW];
  return {
    ...w,
    batch,
    inChannels: inChannels as number,
    outChannels: outChannels as number,
    groups,
    inPerGroup: inPerGroup as number,
    outPerGroup: (outChannels as number) / groups,
    colRows: (inPerGroup as number) * w.kSize,
    outShape: batched ? [batch, outChannels as number, ...outSpatial] : [outChannels as number, ...outSpatial],
  };
}

/**
 * The plan of maxPool2d / avgPool2d over x [N, C, H, W] or [C, H, W].
 * @throws ChainruleError naming `op` for shapes or options that do not fit.
 */
export function poolPlan(op: string, xShape: readonly number[], kernelSize: SpatialArg, opts: PoolOptions): PoolPlan {
  check(
    xShape.length === 3 || xShape.length === 4,
    () => `${op}: expects input [N, C, H, W] or [C, H, W], got ${fmtShape(xShape)}`,
  );
  const kernel = perDim(op, 'kernelSize', kernelSize, 2, 1);
  const stride = perDim(op, 'stride', opts.stride ?? kernel, 2, 1);
  const padding = perDim(op, 'padding', opts.padding ?? 0, 2, 0);
  check(
    padding.every((p, d) => 2 * p <= (kernel[d] as number)),
    () => `${op}: padding [${padding.join(',')}] should be at most half the kernel size [${kernel.join(',')}]`,
  );
  const [h, w] = xShape.slice(-2) as [number, number];
  const [pH, pW] = padding as [number, number];
  const plan = windowPlan(op, [h, w], kernel as [number, number], stride as [number, number], [pH, pW, pH, pW], [1, 1]);
  const lead = xShape.slice(0, -2);
  return {
    ...plan,
    planes: lead.reduce((a, b) => a * b, 1),
    outShape: [...lead, plan.outH, plan.outW],
    twoByTwo: [...kernel, ...stride].every((v) => v === 2) && pH === 0 && pW === 0,
  };
}
