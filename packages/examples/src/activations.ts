// Why deep sigmoid networks learn slowly. (1) The chart of the second source document, §7: σ′, tanh′
// and ReLU′ over z ∈ [−6, 6], each computed by autodiff (backward() through the activation) and
// checked against its closed form (F7–F9). (2) Its §6, measured: the gradient norm ‖∂L/∂W⁽ˡ⁾‖ and
// the error term ‖δ⁽ˡ⁾‖ of each layer of a 10-layer sigmoid network and of a 10-layer ReLU network.
// By F5 every layer multiplies δ by Wᵀ (a gain near 1 at Xavier initialisation) and by σ′(z) ≤ 1/4,
// so the sigmoid network's first layers get almost no gradient (F23); ReLU′ is 1 on its active side
// and the norms stay level. (3) The exploding case: ReLU with twice Kaiming's weights doubles δ per
// layer, and clipGradNorm rescales the whole gradient (F24).
import { join } from 'node:path';
import { grad, linear, Rng, randn, type Tensor, tensor } from '@chainrule/core';
import { clipGradNorm, crossEntropyLoss, kaimingNormal, MLP, xavierNormal } from '@chainrule/nn';
import { isMain, outDir } from './main';
import { lineChart, writeSvg } from './plot';

/** The activations whose derivatives the chart compares. */
export type ActivationName = 'sigmoid' | 'tanh' | 'relu';
/** In the chart's order. */
export const activationNames: ActivationName[] = ['sigmoid', 'tanh', 'relu'];

/** The closed forms: F7 σ′ = σ(1 − σ), F8 tanh′ = 1 − tanh², F9 ReLU′ = 1 if z > 0 else 0. */
export const closedForm: Record<ActivationName, (z: number) => number> = {
  sigmoid: (z) => {
    const s = 1 / (1 + Math.exp(-z));
    return s * (1 - s);
  },
  tanh: (z) => 1 - Math.tanh(z) ** 2,
  relu: (z) => (z > 0 ? 1 : 0),
};

/** f′ on a grid of z, by autodiff, with its largest error against the closed form. */
export interface DerivativeCurves {
  z: number[];
  /** f′(z) by autodiff: z.grad after f(z).sum().backward(), since ∂(Σ f(zᵢ))/∂zᵢ = f′(zᵢ). */
  autodiff: Record<ActivationName, number[]>;
  /** max |autodiff − closed form| over the grid, per activation. */
  maxError: Record<ActivationName, number>;
}

/** The three derivatives on `points` evenly spaced z in [−6, 6] (float64). */
export function derivativeCurves(points = 241): DerivativeCurves {
  const autodiff = {} as Record<ActivationName, number[]>;
  const maxError = {} as Record<ActivationName, number>;
  const grid = Array.from({ length: points }, (_, i) => -6 + (12 * i) / (points - 1));
  for (const name of activationNames) {
    const z = tensor(grid, { dtype: 'float64', requiresGrad: true });
    z[name]().sum().backward();
    const d = Array.from((z.grad as Tensor).data);
    autodiff[name] = d;
    maxError[name] = Math.max(...d.map((v, i) => Math.abs(v - closedForm[name](grid[i] as number))));
  }
  return { z: grid, autodiff, maxError };
}

/** The per-layer gradient norms of one network. */
export interface LayerNorms {
  activation: 'sigmoid' | 'relu';
  /** The factor on the recommended initialisation's weights (1: Xavier or Kaiming as is). */
  weightScale: number;
  /** ‖∂L/∂W⁽ˡ⁾‖ (Frobenius) for l = 1…depth, input side first. */
  norms: number[];
  /** ‖δ⁽ˡ⁾‖ = ‖∂L/∂z⁽ˡ⁾‖ over the batch (Frobenius) for l = 1…depth, from grad(loss, [z⁽¹⁾, …]). */
  deltaNorms: number[];
  /** ‖W⁽ˡ⁾‖ (Frobenius) for l = 1…depth+1 (the read-out last): F23's bound is ¼‖W⁽ˡ⁺¹⁾‖ per sigmoid layer. */
  weightNorms: number[];
  /** ‖∂L/∂θ‖ over every parameter, and after clipGradNorm(parameters, 1) (F24). */
  totalNorm: number;
  clippedNorm: number;
}

const frobenius = (t: Tensor) => Math.sqrt((t.data as Float64Array).reduce((s, v) => s + v * v, 0));

/**
 * One backward pass through a `depth`-layer network of width `width` (plus a linear read-out to 10
 * classes, cross-entropy on random labels), each with its recommended initialisation: Xavier for
 * sigmoid, Kaiming for ReLU, so that only the activation's derivative differs. `weightScale`
 * multiplies those weights (above 1: the exploding case, F24).
 */
export function layerGradientNorms(
  activation: 'sigmoid' | 'relu',
  depth = 10,
  width = 64,
  seed = 0,
  weightScale = 1,
): LayerNorms {
  const rng = new Rng(seed);
  const net = new MLP(width, [...new Array<number>(depth).fill(width), 10], { activation, rng, dtype: 'float64' });
  for (const layer of net.layers) {
    if (activation === 'sigmoid') xavierNormal(layer.weight, { rng, gain: weightScale });
    else kaimingNormal(layer.weight, { nonlinearity: 'relu', rng });
    const w = layer.weight.data;
    if (activation === 'relu') for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) * weightScale;
    layer.bias?.data.fill(0);
  }
  const x = randn([128, width], { rng, dtype: 'float64' });
  const labels = Array.from({ length: 128 }, () => rng.int(10));
  // net.forward(x), written out to keep each pre-activation z⁽ˡ⁾ = a⁽ˡ⁻¹⁾W⁽ˡ⁾ᵀ + b⁽ˡ⁾ (F1, F14)
  const zs: Tensor[] = [];
  let a = x;
  for (const [l, layer] of net.layers.entries()) {
    const z = linear(a, layer.weight, layer.bias);
    if (l < depth) zs.push(z);
    a = l < depth ? z[activation]() : z;
  }
  const loss = crossEntropyLoss(a, labels);
  const deltaNorms = grad(loss, zs, { retainGraph: true }).map(frobenius);
  loss.backward();
  const norms = net.layers.slice(0, depth).map((layer) => frobenius(layer.weight.grad as Tensor));
  const weightNorms = net.layers.map((layer) => frobenius(layer.weight));
  const params = net.parameters();
  const totalNorm = clipGradNorm(params, 1);
  const clippedNorm = Math.sqrt(params.reduce((s, p) => s + frobenius(p.grad as Tensor) ** 2, 0));
  return { activation, weightScale, norms, deltaNorms, weightNorms, totalNorm, clippedNorm };
}

/** Writes activation-derivatives.svg and vanishing-gradients.svg into `dir`; returns the paths. */
export async function writeActivationPictures(
  dir: string,
  curves: DerivativeCurves,
  layers: LayerNorms[],
): Promise<string[]> {
  const label: Record<ActivationName, string> = { sigmoid: 'σ′(z)', tanh: 'tanh′(z)', relu: 'ReLU′(z)' };
  return Promise.all([
    writeSvg(
      join(dir, 'activation-derivatives.svg'),
      lineChart({
        title: 'Activation derivatives by autodiff: σ′ and tanh′ vanish for large |z|',
        xTitle: 'z',
        yTitle: 'derivative',
        points: activationNames.flatMap((name) =>
          curves.z.map((x, i) => ({ x, y: curves.autodiff[name][i] as number, series: label[name] })),
        ),
      }),
    ),
    writeSvg(
      join(dir, 'vanishing-gradients.svg'),
      lineChart({
        title: 'Per-layer gradient norm ‖∂L/∂W⁽ˡ⁾‖ in a 10-layer network (log scale)',
        xTitle: 'layer l (1 = next to the input)',
        yTitle: '‖∂L/∂W⁽ˡ⁾‖',
        logY: true,
        dots: true,
        points: layers.flatMap((l) => l.norms.map((y, i) => ({ x: i + 1, y, series: l.activation }))),
      }),
    ),
  ]);
}

/** The weight scale of the exploding case (F24): ReLU with twice Kaiming's standard deviation. */
export const EXPLODING_SCALE = 2;

/** Prints the derivative check, the per-layer norms and the exploding case with its clipping. */
export function runActivations(log: (line: string) => void = console.log): {
  curves: DerivativeCurves;
  layers: LayerNorms[];
  exploding: LayerNorms;
} {
  const curves = derivativeCurves();
  const errors = activationNames.map((n) => `${n} ${curves.maxError[n].toExponential(1)}`).join(', ');
  log(
    `derivatives on ${curves.z.length} points of [−6, 6] by autodiff, largest difference from the closed form: ${errors}`,
  );
  const at = (name: ActivationName, z: number) => closedForm[name](z).toFixed(4);
  log(
    `at z = 0: σ′ ${at('sigmoid', 0)}, tanh′ ${at('tanh', 0)}; at z = 5: σ′ ${at('sigmoid', 5)}, tanh′ ${at('tanh', 5)}, ReLU′ 1`,
  );
  const layers = [layerGradientNorms('sigmoid'), layerGradientNorms('relu')];
  const exploding = layerGradientNorms('relu', 10, 64, 0, EXPLODING_SCALE);
  const name = (l: LayerNorms) => (l.weightScale === 1 ? l.activation : `${l.activation} ×${l.weightScale}`);
  const row = (label: string, v: number[]) =>
    log(`${label.padEnd(12)} ${v.map((x) => x.toExponential(1).padStart(8)).join('')}`);
  log(`‖∂L/∂W⁽ˡ⁾‖, layer ${layers[0]?.norms.map((_, i) => String(i + 1).padStart(8)).join('')}`);
  for (const l of [...layers, exploding]) row(name(l), l.norms);
  for (const l of layers) {
    const ratio = (l.norms[0] as number) / (l.norms[l.norms.length - 1] as number);
    log(`${l.activation}: layer 1's gradient norm is ${ratio.toPrecision(2)} × layer 10's`);
  }
  log(`‖δ⁽ˡ⁾‖,     layer ${layers[0]?.norms.map((_, i) => String(i + 1).padStart(8)).join('')}`);
  for (const l of [...layers, exploding]) row(name(l), l.deltaNorms);
  for (const l of [...layers, exploding]) {
    const ratios = l.deltaNorms.slice(0, -1).map((d, i) => d / (l.deltaNorms[i + 1] as number));
    const wn = l.weightNorms.slice(1, -1);
    log(
      `${name(l)}: ‖δ⁽ˡ⁾‖/‖δ⁽ˡ⁺¹⁾‖ from ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}; ` +
        `‖W⁽ˡ⁾‖ from ${Math.min(...wn).toFixed(1)} to ${Math.max(...wn).toFixed(1)}; ` +
        `‖∂L/∂θ‖ = ${l.totalNorm.toPrecision(3)}, after clipGradNorm(…, 1): ${l.clippedNorm.toFixed(4)}`,
    );
  }
  return { curves, layers, exploding };
}

if (isMain('activations')) {
  const { curves, layers } = runActivations();
  for (const file of await writeActivationPictures(outDir(), curves, layers)) console.log(`wrote ${file}`);
}
