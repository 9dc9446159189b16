// The two-moons toy set (as scikit-learn's make_moons): two interleaving half circles with
// Gaussian noise, generated from a seeded Rng so every run sees the same points.
import { Rng } from '@chainrule/core';

export interface Points {
  x: number[][];
  y: number[];
}

/** `n` points, half per moon; label 0 for the upper moon, 1 for the lower one. */
export function makeMoons(n: number, noise: number, seed: number): Points {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * rng.next();
    const px = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const py = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    x.push([px + noise * rng.normal(), py + noise * rng.normal()]);
    y.push(label);
  }
  return { x, y };
}
