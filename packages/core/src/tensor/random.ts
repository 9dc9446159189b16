// Sampling factories: randint randperm multinomial. Each draws from its `rng` option or, when
// none is given, from the global generator that manualSeed seeds (torch.manual_seed's rule).
// Indices and counts are int32, the integer dtype chainrule has (PyTorch returns int64).
import { check, fmtShape, show } from '../errors';
import { checkNumber, checkOptionsObject, checkShape, sizeOf } from '../plans/shape';
import { Rng } from '../rng';
import { globalRng } from './create';
import { Tensor } from './tensor';

/** Options of the sampling factories: the random source (default: the global generator, see manualSeed). */
export interface SamplingOptions {
  rng?: Rng;
}
/** Options of `multinomial`. */
export interface MultinomialOptions extends SamplingOptions {
  /** Draw with replacement (default false: each category at most once per row). */
  replacement?: boolean;
}

function rngOf(op: string, opts: SamplingOptions | undefined, keys: readonly string[]): Rng {
  const o = checkOptionsObject(op, opts ?? {});
  for (const k of Object.keys(o)) {
    check(keys.includes(k), () => `${op}: unknown option ${show(k)} (expected one of ${keys.join(', ')})`);
  }
  check(o.rng === undefined || o.rng instanceof Rng, () => `${op}: rng must be an Rng, got ${show(o.rng)}`);
  return o.rng ?? globalRng();
}

/**
 * Integers drawn uniformly from [low, high) in `shape`, int32 (torch.randint).
 * @throws ChainruleError unless low < high are integers within int32, or for a bad shape.
 * @example
 * randint(0, 10, [2, 3]); // six digits
 */
export function randint(low: number, high: number, shape: readonly number[], opts?: SamplingOptions): Tensor {
  checkNumber('randint', 'low', low, { integer: true, min: -(2 ** 31) });
  checkNumber('randint', 'high', high, { integer: true, min: -(2 ** 31) });
  check(
    low < high && high <= 2 ** 31,
    () => `randint: expects low < high within int32 (high ≤ 2³¹), got low ${show(low)} and high ${show(high)}`,
  );
  checkShape('randint', shape);
  const rng = rngOf('randint', opts, ['rng']);
  const out = new Int32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = low + rng.int(high - low);
  return new Tensor(out, shape);
}

/**
 * A uniformly random permutation of 0..n−1, int32 (torch.randperm): Fisher–Yates.
 * @throws ChainruleError unless n is a non-negative integer.
 */
export function randperm(n: number, opts?: SamplingOptions): Tensor {
  checkNumber('randperm', 'n', n, { integer: true, min: 0 });
  check(n <= 2 ** 31 - 1, () => `randperm: n ${show(n)} is too large (at most 2³¹ − 1)`);
  const rng = rngOf('randperm', opts, ['rng']);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return new Tensor(out, [n]);
}

/**
 * `numSamples` category indices per row of `probs` (1-D [C] or 2-D [N, C] non-negative weights,
 * not necessarily normalised), int32 of shape [numSamples] or [N, numSamples], as
 * torch.multinomial. Without replacement each category is drawn at most once per row, each draw
 * from the weights left.
 * @throws ChainruleError for probs that are not a 1-D or 2-D float tensor of finite non-negative
 *   weights with a positive sum per row, numSamples < 1, or (without replacement) more samples
 *   than categories of non-zero weight.
 * @example
 * multinomial(tensor([0.1, 0.2, 0.7]), 4, { replacement: true }); // e.g. tensor([2, 2, 1, 2])
 */
export function multinomial(probs: Tensor, numSamples: number, opts?: MultinomialOptions): Tensor {
  const op = 'multinomial';
  check(
    probs instanceof Tensor &&
      (probs.dtype === 'float32' || probs.dtype === 'float64') &&
      probs.ndim >= 1 &&
      probs.ndim <= 2,
    () =>
      `${op}: probs must be a 1-D or 2-D float tensor, got ${probs instanceof Tensor ? `${probs.dtype} of shape ${fmtShape(probs.shape)}` : show(probs)}`,
  );
  checkNumber(op, 'numSamples', numSamples, { integer: true, min: 1 });
  const replacement = opts?.replacement ?? false;
  check(typeof replacement === 'boolean', () => `${op}: replacement must be true or false, got ${show(replacement)}`);
  const rng = rngOf(op, opts, ['rng', 'replacement']);
  const c = probs.shape[probs.ndim - 1] as number;
  const rows = probs.size / Math.max(c, 1);
  const p = probs.data;
  for (let r = 0; r < rows; r++) {
    let total = 0;
    let positive = 0;
    for (let j = 0; j < c; j++) {
      const w = p[r * c + j] as number;
      check(
        Number.isFinite(w) && w >= 0,
        () => `${op}: probs must be finite and non-negative, got ${show(w)} at row ${r}, category ${j}`,
      );
      total += w;
      if (w > 0) positive++;
    }
    check(total > 0, () => `${op}: the weights of row ${r} sum to 0`);
    check(
      replacement || numSamples <= positive,
      () =>
        `${op}: cannot draw ${numSamples} samples without replacement from row ${r}, which has ${positive} categories of non-zero weight`,
    );
  }
  const out = new Int32Array(rows * numSamples);
  const w = new Float64Array(c);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let j = 0; j < c; j++) total += w[j] = p[r * c + j] as number;
    for (let s = 0; s < numSamples; s++) {
      // inverse CDF: the first category whose running sum passes u·total (skipping zero weights)
      const u = rng.next() * total;
      let acc = 0;
      let pick = -1;
      for (let j = 0; j < c; j++) {
        if ((w[j] as number) <= 0) continue;
        pick = j;
        acc += w[j] as number;
        if (u < acc) break;
      }
      out[r * numSamples + s] = pick;
      if (!replacement) {
        total -= w[pick] as number;
        w[pick] = 0;
      }
    }
  }
  return new Tensor(out, probs.ndim === 1 ? [numSamples] : [rows, numSamples]);
}
