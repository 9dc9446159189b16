// The 2-D toy data sets of the playground, each a seeded function of (n, noise, seed), so a seed
// in the URL gives the same points on every visit. Labels are 0 and 1, half of the points each.
import { Rng } from '@chainrule/core';

/** The two kinds of problem: labels 0 and 1, or a real target in [−1, 1]. */
export const PROBLEMS = ['classification', 'regression'] as const;
/** One of PROBLEMS (the URL's `problem`). */
export type Problem = (typeof PROBLEMS)[number];
/** The classification data sets (labels 0 and 1). */
export const CLASSIFICATION_SETS = ['moons', 'circles', 'xor', 'spiral', 'gauss'] as const;
/** The regression data sets (targets in [−1, 1]). */
export const REGRESSION_SETS = ['plane', 'bumps'] as const;
/** The data sets the page offers. */
export const DATASETS = [...CLASSIFICATION_SETS, ...REGRESSION_SETS] as const;
/** The name of one of them (the URL's `data`). */
export type DatasetName = (typeof DATASETS)[number];

/** The problem a data set poses. */
export function problemOf(name: DatasetName): Problem {
  return (REGRESSION_SETS as readonly string[]).includes(name) ? 'regression' : 'classification';
}

/** Points in the plane (`x[i] = [x₁, x₂]`) and their labels `y[i] ∈ {0, 1}` (regression: targets in [−1, 1]). */
export interface Points {
  x: [number, number][];
  y: number[];
}

/** `n` points of the named set with Gaussian noise of standard deviation `noise`. */
export function makeDataset(name: DatasetName, n: number, noise: number, seed: number): Points {
  const rng = new Rng(seed);
  const x: [number, number][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    if (name === 'plane' || name === 'bumps') {
      // uniform in [−1, 1]²; the target is a function of the point before the noise
      const [px, py] = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
      x.push([px + noise * rng.normal(), py + noise * rng.normal()]);
      y.push(TARGET[name](px, py));
      continue;
    }
    const label = i % 2;
    const [px, py] = POINT[name](label, i, n, rng);
    x.push([px + noise * rng.normal(), py + noise * rng.normal()]);
    y.push(label);
  }
  return { x, y };
}

type PointMaker = (label: number, i: number, n: number, rng: Rng) => [number, number];

const POINT: Record<(typeof CLASSIFICATION_SETS)[number], PointMaker> = {
  // two Gaussian blobs of standard deviation 0.25, about (−0.5, −0.5) (label 0) and (0.5, 0.5)
  gauss: (label, _i, _n, rng) => {
    const c = label === 0 ? -0.5 : 0.5;
    return [c + 0.25 * rng.normal(), c + 0.25 * rng.normal()];
  },
  // scikit-learn's make_moons (as @chainrule/examples' makeMoons), shifted by (−0.5, −0.25) to
  // centre it on the origin
  moons: (label, _i, _n, rng) => {
    const t = Math.PI * rng.next();
    return label === 0 ? [Math.cos(t) - 0.5, Math.sin(t) - 0.25] : [0.5 - Math.cos(t), 0.25 - Math.sin(t)];
  },
  // scikit-learn's make_circles: label 0 on the unit circle, label 1 on the circle of radius 0.5
  circles: (label, _i, _n, rng) => {
    const t = 2 * Math.PI * rng.next();
    const r = label === 0 ? 1 : 0.5;
    return [r * Math.cos(t), r * Math.sin(t)];
  },
  // uniform in [−1, 1]², kept 0.1 away from the axes so that the four quadrants are separable;
  // label 1 where x₁·x₂ < 0
  xor: (label, _i, _n, rng) => {
    const u = 0.1 + 0.9 * rng.next();
    const v = 0.1 + 0.9 * rng.next();
    const flip = rng.next() < 0.5 ? 1 : -1;
    return label === 0 ? [flip * u, flip * v] : [flip * u, -flip * v];
  },
  // two interleaved arms of 1.75 turns; arm 1 is arm 0 turned by π
  spiral: (label, i, n, _rng) => {
    const r = Math.floor(i / 2) / Math.ceil(n / 2);
    const t = 1.75 * 2 * Math.PI * r + label * Math.PI;
    return [r * Math.sin(t), r * Math.cos(t)];
  },
};

/** The regression targets, in [−1, 1]. */
const TARGET: Record<(typeof REGRESSION_SETS)[number], (x: number, y: number) => number> = {
  // a tilted plane
  plane: (x, y) => (x + y) / 2,
  // a positive bump about (−0.4, 0.4) and a negative one about (0.4, −0.4)
  bumps: (x, y) =>
    Math.exp(-((x + 0.4) ** 2 + (y - 0.4) ** 2) / 0.18) - Math.exp(-((x - 0.4) ** 2 + (y + 0.4) ** 2) / 0.18),
};

/**
 * The square `[x₁ min, x₁ max, x₂ min, x₂ max]` about the points' bounding box, widened by
 * `margin`: both axes span the same length, so the plot keeps the plane's proportions.
 */
export function domainOf(points: Points, margin = 0.25): [number, number, number, number] {
  let [x0, x1, y0, y1] = [
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (const [x, y] of points.x) {
    [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
  }
  const half = Math.max(x1 - x0, y1 - y0) / 2 + margin;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  return [cx - half, cx + half, cy - half, cy + half];
}
