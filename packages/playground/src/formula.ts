// The neuron inspector's math: the formulas of docs/backprop.md that produce a neuron's z, a and
// δ, written in TeX with the current step's numbers substituted, and evaluated from those same
// numbers, so the page can set each formula's value beside the one autodiff computed.
import { FEATURE, type FeatureName } from './features';
import type { HiddenActivation } from './state';
import type { ExampleTrace, LayerSnapshot } from './trainer';

/** σ'(z) written from the activation's output a, as the backward passes compute it (F7–F9). */
export function activationDerivative(act: HiddenActivation, z: number, a: number): number {
  switch (act) {
    case 'sigmoid':
      return a * (1 - a); // F7
    case 'tanh':
      return 1 - a * a; // F8
    case 'relu':
      return z > 0 ? 1 : 0; // F9
  }
}

/**
 * δⱼ⁽ˡ⁾ evaluated by hand from the trace of one example (layers numbered from 0 here, the last
 * one is the output): for the output, F11 with N = 1, δ = σ(z) − t, or for regression F10 with
 * N = 1, δ = 2(y − t); F5 for a hidden layer,
 * δⱼ⁽ˡ⁾ = (Σₖ W⁽ˡ⁺¹⁾ₖⱼ δₖ⁽ˡ⁺¹⁾) σ'(zⱼ⁽ˡ⁾), reading δ⁽ˡ⁺¹⁾ from the trace (autodiff's values).
 */
export function deltaByFormula(
  layers: readonly LayerSnapshot[],
  trace: ExampleTrace,
  l: number,
  j: number,
  act: HiddenActivation,
  regression = false,
): number {
  const here = trace.layers[l] as ExampleTrace['layers'][number];
  if (l === layers.length - 1) return (regression ? 2 : 1) * ((here.a[j] as number) - trace.t);
  const next = trace.layers[l + 1] as ExampleTrace['layers'][number];
  const w = (layers[l + 1] as LayerSnapshot).weight;
  const back = next.delta.reduce((s, dk, k) => s + ((w[k] as number[])[j] as number) * dk, 0);
  return back * activationDerivative(act, here.z[j] as number, here.a[j] as number);
}

/** zⱼ⁽ˡ⁾ = Σᵢ Wⱼᵢ aᵢ⁽ˡ⁻¹⁾ + bⱼ (F1), from the snapshot's weights and the trace's inputs. */
export function zByFormula(layers: readonly LayerSnapshot[], trace: ExampleTrace, l: number, j: number): number {
  const input = l === 0 ? trace.input : (trace.layers[l - 1] as ExampleTrace['layers'][number]).a;
  const layer = layers[l] as LayerSnapshot;
  const row = layer.weight[j] as number[];
  return row.reduce((s, w, i) => s + w * (input[i] as number), layer.bias[j] as number);
}

/** A number for a formula: 4 significant digits, a proper minus sign, negatives in parentheses. */
export function num(x: number, wrap = false): string {
  const s = Math.abs(x) >= 1e-3 || x === 0 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
  const tex = s.replace(/e([+-]?)(\d+)/, (_, sign, e) => `\\times 10^{${sign === '-' ? '-' : ''}${e}}`);
  return x < 0 ? (wrap ? `(-${tex.slice(1)})` : `-${tex.slice(1)}`) : tex;
}

/** Up to `max` terms of a sum, then "+ ⋯" for the rest. */
function sumTex(terms: string[], max = 3): string {
  return terms.length <= max ? terms.join(' + ') : `${terms.slice(0, max).join(' + ')} + \\cdots`;
}

const SIGMA_TEX: Record<HiddenActivation, string> = {
  tanh: '\\tanh',
  sigmoid: '\\sigma',
  relu: '\\operatorname{relu}',
};
const DERIV_TEX: Record<HiddenActivation, (z: number, a: number) => string> = {
  tanh: (_z, a) => `(1 - ${num(a, true)}^2)`,
  sigmoid: (_z, a) => `${num(a, true)}(1 - ${num(a, true)})`,
  relu: (z) => `[${num(z)} > 0]`,
};
const DERIV_F: Record<HiddenActivation, string> = { sigmoid: 'F7', tanh: 'F8', relu: 'F9' };

/** The three formulas of neuron j of layer l (0-based; the last layer is the output), as TeX. */
export interface NeuronFormulas {
  z: { tex: string; value: number };
  a: { tex: string; value: number };
  delta: { tex: string; value: number; refs: string };
}

/** `lhs = first = second = …`, one equals sign per line, aligned on the signs. */
function aligned(lhs: string, ...steps: string[]): string {
  return `\\begin{aligned}${lhs} &= ${steps.join(' \\\\ &= ')}\\end{aligned}`;
}

/** z, a and δ of one neuron with this step's numbers substituted (F1, F5 or F11/F10, F7–F9). */
export function neuronFormulas(
  layers: readonly LayerSnapshot[],
  trace: ExampleTrace,
  l: number,
  j: number,
  act: HiddenActivation,
  opts: { regression?: boolean; features?: readonly FeatureName[] } = {},
): NeuronFormulas {
  const L = layers.length - 1;
  const sup = `^{(${l + 1})}`;
  const here = trace.layers[l] as ExampleTrace['layers'][number];
  const z = here.z[j] as number;
  const a = here.a[j] as number;
  const input = l === 0 ? trace.input : (trace.layers[l - 1] as ExampleTrace['layers'][number]).a;
  const layer = layers[l] as LayerSnapshot;
  const row = layer.weight[j] as number[];
  const zTerms = row.map((w, i) => `${num(w, true)}\\cdot${num(input[i] as number, true)}`);
  const prev = l === 0 ? 'x' : `a^{(${l})}`;
  const features = opts.features ?? ['x1', 'x2'];
  const prevNames = l === 0 ? `\\quad x = (${features.map((f) => FEATURE[f].tex).join(', ')})` : '';
  const zTex = aligned(
    `z_{${j + 1}}${sup}`,
    `\\textstyle\\sum_i W_{${j + 1}i}${sup} ${prev}_i + b_{${j + 1}}${sup}${prevNames}`,
    sumTex([...zTerms, num(layer.bias[j] as number, true)]),
    num(z),
  );
  const regression = opts.regression === true;
  const outAct = l === L ? '\\sigma' : SIGMA_TEX[act];
  const aTex =
    l === L && regression
      ? `y = z${sup} = ${num(a)}`
      : `a_{${j + 1}}${sup} = ${outAct}(z_{${j + 1}}${sup}) = ${outAct}(${num(z)}) = ${num(a)}`;
  const delta = here.delta[j] as number;
  let dTex: string;
  let refs: string;
  if (l === L && regression) {
    refs = 'F2, F10 (N = 1)';
    dTex = `\\delta${sup} = 2(y - t) = 2(${num(a)} - ${num(trace.t, true)}) = ${num(delta)}`;
  } else if (l === L) {
    refs = 'F2, F11 (N = 1)';
    dTex = `\\delta${sup} = \\sigma(z${sup}) - t = ${num(a)} - ${trace.t} = ${num(delta)}`;
  } else {
    refs = `F5, ${DERIV_F[act]}`;
    const next = trace.layers[l + 1] as ExampleTrace['layers'][number];
    const w = (layers[l + 1] as LayerSnapshot).weight;
    const terms = next.delta.map((dk, k) => `${num((w[k] as number[])[j] as number, true)}\\cdot${num(dk, true)}`);
    dTex = aligned(
      `\\delta_{${j + 1}}${sup}`,
      `\\Big(\\textstyle\\sum_k W_{k${j + 1}}^{(${l + 2})} \\delta_k^{(${l + 2})}\\Big)\\, ${SIGMA_TEX[act]}'(z_{${j + 1}}${sup})`,
      `(${sumTex(terms, 2)})\\cdot ${DERIV_TEX[act](z, a)}`,
      num(delta),
    );
  }
  return {
    z: { tex: zTex, value: z },
    a: { tex: aTex, value: a },
    delta: { tex: dTex, value: delta, refs },
  };
}
