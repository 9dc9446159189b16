// Smoke tests of the examples at reduced size: each asserts the outcome the example prints.
// Seeded, so the figures are exact for this code.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, type Tensor, tensor } from '@chainrule/core';
import { bceWithLogitsLoss } from '@chainrule/nn';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import {
  activationNames,
  chainRuleGraph,
  closedForm,
  confusionMatrix,
  contextsOf,
  derivativeCurves,
  derivatives,
  layerGradientNorms,
  loadAllDigits,
  mnistSplit,
  saveAndReload,
  saveLoadRoundTrip,
  shiftDigits,
  trainCritic,
  trainMnist,
  trainMoonsMlp,
  trainNames,
  trainPinn,
  trainXor,
  twoLayer,
  valueGraph,
  writeActivationPictures,
  writeGraphs,
  writeMnistPictures,
  writePenaltyPicture,
  writePinnPicture,
  XOR_SOLVED_SEED,
  XOR_STUCK_SEED,
  xorInputs,
  xorLabels,
} from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parses an SVG file as XML (throws on malformed XML) and returns its text for element checks. */
function svg(path: string): string {
  const text = readFileSync(path, 'utf8');
  expect(XMLValidator.validate(text)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false }).parse(text) as Record<string, unknown>;
  expect(doc.svg).toBeDefined();
  return text;
}
const count = (text: string, s: string) => text.split(s).length - 1;

describe('examples', () => {
  it('pinn: u″ and u′ of the network are its second and first input derivatives; trained, u ≈ sin x', async () => {
    const r = trainPinn({ steps: 400 });
    expect(r.losses[r.losses.length - 1] as number).toBeLessThan((r.losses[0] as number) / 100);
    expect(r.maxError).toBeLessThan(0.1);
    // the derivatives that the loss is built from, against central differences of u
    const x = tensor([[0.7], [2.1]], { dtype: 'float32', requiresGrad: true });
    const [u, du, d2u] = derivatives(r.model, x);
    const at = (v: number) => r.model.forward(tensor([[v]])).item();
    const h = 1e-2;
    for (let i = 0; i < 2; i++) {
      const v = x.data[i] as number;
      expect(du.data[i]).toBeCloseTo((at(v + h) - at(v - h)) / (2 * h), 2);
      expect(d2u.data[i]).toBeCloseTo((at(v + h) - 2 * (u.data[i] as number) + at(v - h)) / (h * h), 1);
    }
    const text = svg(await writePinnPicture(dir, r));
    expect(text).toContain('sin x (exact)');
  });

  it("gradient penalty: the critic's gradient norm goes to 1 with λ = 10 and grows without the penalty", async () => {
    const penalised = trainCritic({ steps: 150 });
    const unpenalised = trainCritic({ steps: 150, lambda: 0 });
    const last = (r: typeof penalised) => (r.trace[r.trace.length - 1] as { gradNorm: number }).gradNorm;
    expect(penalised.trace[0]?.gradNorm ?? 0).toBeGreaterThan(3);
    expect(Math.abs(last(penalised) - 1)).toBeLessThan(0.2);
    expect(last(unpenalised)).toBeGreaterThan(10);
    const text = svg(await writePenaltyPicture(dir, { penalised, unpenalised }));
    expect(text).toContain('with the penalty');
  });

  it('moons: the MLP reaches ≥ 97% on held-out points and its loss falls', () => {
    const r = trainMoonsMlp();
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.losses[r.losses.length - 1] as number).toBeLessThan((r.losses[0] as number) / 10);
  });

  it('xor (§5: 2 ReLU hidden units, sigmoid output, BCE): one seed solves it, the other is stuck with a dead unit', () => {
    const solved = trainXor(XOR_SOLVED_SEED);
    expect(solved.probabilities.map((p) => Number(p > 0.5))).toEqual([0, 1, 1, 0]);
    expect(solved.losses[solved.losses.length - 1]).toBeLessThan(0.01);
    expect(solved.deadUnits).toEqual([]);
    const stuck = trainXor(XOR_STUCK_SEED);
    expect(stuck.accuracy).toBe(0.75);
    expect(stuck.deadUnits).toHaveLength(1);
    // the dead unit's activation is 0 on all four inputs, so it contributes nothing
    const dead = stuck.deadUnits[0] as number;
    expect(stuck.hidden.map((row) => row[dead])).toEqual([0, 0, 0, 0]);
    // the loss has stopped moving: a plateau, not slow progress
    const l = stuck.losses;
    expect(Math.abs((l[l.length - 1] as number) - (l[l.length - 500] as number))).toBeLessThan(1e-3);
  });

  it('xor worked example: the one-step gradients of docs/backprop.md (F11, F5, F9, F3, F4) are autodiff’s', () => {
    const f64 = { dtype: 'float64', requiresGrad: true } as const;
    const W1 = tensor(
      [
        [1, 1],
        [1, 1],
      ],
      f64,
    );
    const b1 = tensor([0, -1], f64);
    const w2 = tensor([[1, -2]], f64);
    const b2 = tensor([0], f64);
    const x = tensor(xorInputs, { dtype: 'float64' });
    const t = tensor(
      xorLabels.map((v) => [v]),
      { dtype: 'float64' },
    );
    const logits = x.matmul(W1.T).add(b1).relu().matmul(w2.T).add(b2);
    const loss = bceWithLogitsLoss(logits, t);
    loss.backward();
    const s1 = 1 / (1 + Math.exp(-1));
    const d = (s1 - 1) / 4; // δ⁽²⁾ of (0, 1) and (1, 0); (0, 0) and (1, 1) have δ⁽²⁾ = 0.5 / 4
    expect(loss.item()).toBeCloseTo((2 * Math.log(2) - 2 * Math.log(s1)) / 4, 14);
    expect((b2.grad as Tensor).toArray()).toEqual([expect.closeTo(0.25 + 2 * d, 14)]);
    const gw2 = w2.grad?.toArray() as number[][];
    expect(gw2[0]?.[0]).toBeCloseTo(2 * d + 2 * 0.125, 14);
    expect(gw2[0]?.[1]).toBeCloseTo(0.125, 14);
    const gW1 = W1.grad?.toArray() as number[][];
    expect(gW1[0]?.[0]).toBeCloseTo(d + 0.125, 14);
    expect(gW1[0]?.[1]).toBeCloseTo(d + 0.125, 14);
    expect(gW1[1]).toEqual([-0.25, -0.25]);
    const gb1 = b1.grad?.toArray() as number[];
    expect(gb1[0]).toBeCloseTo(2 * d + 0.125, 14);
    expect(gb1[1]).toBe(-0.25);
    // the rounded figures quoted in the doc
    expect((0.25 + 2 * d).toFixed(4)).toBe('0.1155');
    expect((d + 0.125).toFixed(4)).toBe('0.0578');
    expect((2 * d + 0.125).toFixed(4)).toBe('-0.0095');
    expect(loss.item().toFixed(4)).toBe('0.5032');
  });

  it('two-layer: the hand formulas of docs/backprop.md and autodiff agree to < 1e-12', () => {
    const r = twoLayer();
    expect(r.maxDifference).toBeLessThan(1e-12);
    expect(r.hand.W1).toHaveLength(4);
    expect(r.hand.W1[0]).toHaveLength(3);
    const bigger = twoLayer(5, 7, 3, 1);
    expect(bigger.maxDifference).toBeLessThan(1e-12);
  });

  it('mnist data: 10,000 digits, a fixed 8,000 / 2,000 split', () => {
    expect(loadAllDigits().labels.length).toBe(10000);
    const a = mnistSplit();
    const b = mnistSplit();
    expect(a.train.images.shape).toEqual([8000, 784]);
    expect(a.test.labels.shape).toEqual([2000]);
    expect(a.train.labels.dtype).toBe('int32');
    expect(Array.from(a.test.labels.data.subarray(0, 50))).toEqual(Array.from(b.test.labels.data.subarray(0, 50)));
    const max = a.train.images.max().item();
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    // every class is there, about 10% each
    const perClass = new Array<number>(10).fill(0);
    for (const y of a.train.labels.data) perClass[y] = (perClass[y] as number) + 1;
    for (const c of perClass) expect(c).toBeGreaterThan(600);
  });

  it('mnist: shifting a digit moves its pixels by whole rows and columns', () => {
    const img = new Float32Array(784);
    img[10 * 28 + 10] = 1;
    const shifted = shiftDigits(tensor(img, { shape: [1, 784] }), new Rng(0), 2);
    const at = shifted.data.indexOf(1);
    expect(Array.from(shifted.data).reduce((s, v) => s + v, 0)).toBe(1);
    expect(Math.abs(Math.floor(at / 28) - 10)).toBeLessThanOrEqual(2);
    expect(Math.abs((at % 28) - 10)).toBeLessThanOrEqual(2);
  });

  it('mnist: the MLP on a 2,000-digit subset reaches ≥ 90%; saved and reloaded it scores the same; pictures', async () => {
    const r = trainMnist({
      model: 'mlp',
      trainSize: 2000,
      testSize: 1000,
      epochs: 4,
      lr: 4e-3,
      shift: 0,
      progress: false,
    });
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.losses[r.losses.length - 1] as number).toBeLessThan(r.losses[0] as number);
    const counts = confusionMatrix(r.test.labels, r.predictions);
    expect(counts.flat().reduce((s, v) => s + v, 0)).toBe(1000);
    expect(counts.reduce((s, row, i) => s + (row[i] as number), 0) / 1000).toBeCloseTo(r.testAccuracy, 12);
    const saved = saveAndReload(r, join(dir, 'mlp.safetensors'));
    expect(saved.accuracy).toBe(r.testAccuracy);
    const [loss, confusion, wrong] = (await writeMnistPictures(dir, [r], r)).map(svg) as string[];
    expect(count(loss as string, 'class="mark-line role-mark')).toBe(1);
    expect(count(confusion as string, 'role-mark')).toBe(2); // the cells and their counts
    expect(confusion).toContain('predicted digit');
    const errors = Math.round((1 - r.testAccuracy) * 1000);
    const captions = (wrong as string).match(/>\d+\. \d read as \d</g) ?? []; // one caption per digit drawn
    expect(captions).toHaveLength(Math.min(24, errors));
    expect(count(wrong as string, 'class="mark-rect')).toBeGreaterThan(0);
  }, 60_000);

  it('mnist: the CNN learns: on 400 digits its loss more than halves in six epochs, ≥ 70% on held-out digits', () => {
    const r = trainMnist({
      model: 'cnn',
      trainSize: 400,
      testSize: 300,
      epochs: 6,
      lr: 5e-3,
      shift: 0,
      progress: false,
    });
    expect(r.losses[5] as number).toBeLessThan((r.losses[0] as number) / 2);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.7);
  }, 60_000);

  it('names: the language model beats the uniform baseline', () => {
    const names = contextsOf(['emma'], 3);
    expect(names.x.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 5],
      [0, 5, 13],
      [5, 13, 13],
      [13, 13, 1],
    ]);
    expect(Array.from(names.y.data)).toEqual([5, 13, 13, 1, 0]);
    const r = trainNames({ steps: 300, names: 3000, hidden: 64 });
    expect(r.uniformLoss).toBeCloseTo(Math.log(27), 12);
    expect(r.validLoss).toBeLessThan(r.uniformLoss - 0.6);
  }, 30_000);

  it('activations: the derivatives by autodiff equal their closed forms F7–F9; sigmoid gradients vanish, ReLU’s do not', async () => {
    const curves = derivativeCurves(121);
    for (const name of activationNames) expect(curves.maxError[name]).toBeLessThan(1e-15);
    expect(closedForm.sigmoid(0)).toBe(0.25);
    expect(curves.autodiff.relu[60]).toBe(0); // z = 0: ReLU′ taken as 0
    const sigmoid = layerGradientNorms('sigmoid');
    const relu = layerGradientNorms('relu');
    expect(sigmoid.norms).toHaveLength(10);
    // each sigmoid layer multiplies δ by σ′ ≤ 1/4 (F5, F7): the first layer's gradient is tiny
    expect((sigmoid.norms[0] as number) / (sigmoid.norms[9] as number)).toBeLessThan(1e-4);
    expect((relu.norms[0] as number) / (relu.norms[9] as number)).toBeGreaterThan(0.1);
    const [derivatives, vanishing] = (await writeActivationPictures(dir, curves, [sigmoid, relu])).map(svg) as string[];
    expect(count(derivatives as string, 'class="mark-line role-mark')).toBe(3); // one line per activation
    expect(derivatives).toContain('σ′(z)');
    expect(vanishing).toContain('relu');
  }, 30_000);

  it('graph: the chain-rule example e = a·b, d = e + a, L = d²: ∂L/∂a = 6 (two paths add), ∂L/∂b = −18', () => {
    const { L, a, b, e, d } = chainRuleGraph();
    expect([e.data, d.data, L.data]).toEqual([-6, -3, 9]);
    expect([L.grad, d.grad, e.grad, a.grad, b.grad]).toEqual([1, -6, -6, 6, -18]);
  });

  it('graph: the neuron’s graph has its data and gradients and renders to SVG with Graphviz (WebAssembly)', async () => {
    const { leaves, y } = valueGraph();
    expect(y.data).toBeCloseTo(Math.SQRT1_2, 12);
    // ∂y/∂w₁ = (1 − y²)·x₁ = 0.5·2, ∂y/∂x₁ = 0.5·w₁
    expect(leaves.w1?.grad).toBeCloseTo(1, 12);
    expect(leaves.x1?.grad).toBeCloseTo(-1.5, 12);
    const [chain, value, tensorSvg] = (await writeGraphs(dir)).map(svg) as string[];
    expect(count(chain as string, 'class="node"')).toBe(8); // a, b and three ops, each with its op node
    expect(chain).toContain('>grad 6<');
    expect(chain).toContain('>grad &#45;18<'); // Graphviz writes − as &#45;
    expect(count(value as string, 'class="node"')).toBe(15);
    expect(value).toContain('grad 1.000');
    expect(tensorSvg).toContain('matmul');
  });

  it('save-load: the reloaded model gives identical outputs', () => {
    const r = saveLoadRoundTrip(dir, 2);
    expect(r.identical).toBe(true);
    expect(r.after).toEqual(r.before);
    expect(r.fresh).not.toEqual(r.before);
  });
});
