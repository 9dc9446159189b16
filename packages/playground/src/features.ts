// The network's inputs, as TensorFlow Playground offers them: each a function of a point
// (x₁, x₂) of the plane. The trainer feeds the chosen ones, in this order, to the first layer.

/** Every feature the page offers, in the order the network takes them. */
export const FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
/** One of FEATURES (a name in the URL's `features`). */
export type FeatureName = (typeof FEATURES)[number];

/** Each feature's value at (x₁, x₂), its name as text and as TeX. */
export const FEATURE: Record<FeatureName, { f: (x1: number, x2: number) => number; text: string; tex: string }> = {
  x1: { f: (x1) => x1, text: 'x₁', tex: 'x_1' },
  x2: { f: (_x1, x2) => x2, text: 'x₂', tex: 'x_2' },
  x1sq: { f: (x1) => x1 * x1, text: 'x₁²', tex: 'x_1^2' },
  x2sq: { f: (_x1, x2) => x2 * x2, text: 'x₂²', tex: 'x_2^2' },
  x1x2: { f: (x1, x2) => x1 * x2, text: 'x₁x₂', tex: 'x_1 x_2' },
  sinx1: { f: (x1) => Math.sin(x1), text: 'sin x₁', tex: '\\sin x_1' },
  sinx2: { f: (_x1, x2) => Math.sin(x2), text: 'sin x₂', tex: '\\sin x_2' },
};

/** The input row of point `p` for the chosen features. */
export function featureRow(features: readonly FeatureName[], p: readonly [number, number]): number[] {
  return features.map((name) => FEATURE[name].f(p[0], p[1]));
}
