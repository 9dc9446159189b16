// The 2-D toy data sets of the playground, each a seeded function of (n, noise, seed), so a seed
// in the URL gives the same points on every visit. Labels are 0 and 1, half of the points each.
import { Rng } from '@chainrule/core';

/** The data sets the page offers. */
export const DATASETS = ['moons', 'circles', 'xor', 'spiral'] as const;
/** The name of one of them (the URL's `data`). */
export type DatasetName = (typeof DATASETS)[number];

/** Points in the plane (`x[i] = [x₁, x₂]`) and their labels `y[i] ∈ {0, 1}`. */
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
    const label = i % 2;
    const [px, py] = POINT[name](label, i, n, rng);
    x.push([px + noise * rng.normal(), py + noise * rng.normal()]);
    y.push(label);
  }
  return { x, y };
}

type PointMaker = (label: number, i: number, n: number, rng: Rng) => [number, number];

const POINT: Record<DatasetName, PointMaker> = {
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

/** The bounding box `[x₁ min, x₁ max, x₂ min, x₂ max]` of the points, widened by `margin`. */
export function domainOf(points: Points, margin = 0.25): [number, number, number, number] {
  const xs = points.x.map((p) => p[0]);
  const ys = points.x.map((p) => p[1]);
  return [Math.min(...xs) - margin, Math.max(...xs) + margin, Math.min(...ys) - margin, Math.max(...ys) + margin];
}
