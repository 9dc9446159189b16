// The playground's logic in Node: URL state, data sets, the expression parser, the backward
// stepper, training and the inspector's formulas. The page (browser.test.ts) is these plus drawing.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChainruleError, topoSort, type Value } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../src/datasets';
import { C0, C1 } from '../src/draw';
import { buildExpression, parseVars } from '../src/expression';
import { deltaByFormula, neuronFormulas, num, zByFormula } from '../src/formula';
import { Series } from '../src/series';
import {
  DEFAULT_STATE,
  type PlaygroundState,
  parseFeatures,
  parseHidden,
  parseState,
  split,
  toSearch,
} from '../src/state';
import { BackwardStepper } from '../src/stepper';
import { slug, TOUR } from '../src/tours';
import { Trainer } from '../src/trainer';

describe('URL state', () => {
  const run: PlaygroundState = {
    problem: 'regression',
    data: 'bumps',
    noise: 0.23,
    ratio: 70,
    seed: 12345,
    features: ['x1', 'x1x2', 'sinx2'],
    hidden: [5, 3, 7],
    act: 'relu',
    opt: 'rmsprop',
    lr: 0.004,
    batch: 17,
    reg: 'l1',
    regRate: 0.003,
    pace: 5,
    showTest: true,
    discretize: true,
    hide: ['lr', 'features'],
    tour: 'vanishing',
    expr: 'exp(-x^2) / (1 + y)',
    vars: 'x = 0.5, y = 2',
  };

  it('round-trips every field through the query string', () => {
    expect(parseState(toSearch(run))).toEqual({ state: run, warnings: [] });
  });

  it('fills missing keys with the defaults', () => {
    expect(parseState('?seed=9')).toEqual({ state: { ...DEFAULT_STATE, seed: 9 }, warnings: [] });
  });

  it('keeps the default of an invalid value and says why', () => {
    const { state, warnings } = parseState(
      '?data=rings&noise=0.9&ratio=95&seed=1.5&features=x1,x3&hidden=4,0&act=gelu&lr=-1&batch=999&reg=l3&regRate=11&pace=7&showTest=yes&hide=start&tour=spiral',
    );
    expect(state).toEqual(DEFAULT_STATE);
    expect(warnings).toEqual([
      'data=rings ignored: expected for classification, one of moons, circles, xor, spiral, gauss',
      'noise=0.9 ignored: expected a number in [0, 0.5]',
      'ratio=95 ignored: expected an integer percentage in [10, 90]',
      'seed=1.5 ignored: expected an integer in [0, 2147483647]',
      'features=x1,x3 ignored: expected 1 to 7 of x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2, comma-separated',
      'hidden=4,0 ignored: expected 0 to 6 comma-separated widths, each 1 to 16',
      'act=gelu ignored: expected one of tanh, relu, sigmoid',
      'lr=-1 ignored: expected a number in [0.00001, 10]',
      'batch=999 ignored: expected an integer in [1, 400]',
      'reg=l3 ignored: expected one of none, l1, l2',
      'regRate=11 ignored: expected a number in [0, 10]',
      'pace=7 ignored: expected 1, 2, 5, 10, 30, 100, 300, 1000, 0',
      'showTest=yes ignored: expected 1 or 0',
      'hide=start ignored: expected comma-separated controls among problem, data, noise, test-ratio, seed, features, hidden, act, opt, lr, batch, regularization, reg-rate, pace, show-test, discretize, layers, trace, presets, stepper',
      'tour=spiral ignored: expected one of xor, vanishing, chain-rule',
    ]);
    // a data set of the other problem is refused too
    expect(parseState('?problem=regression&data=moons').warnings).toEqual([
      'data=moons ignored: expected for regression, one of plane, bumps',
    ]);
    expect(parseState('?problem=regression').state.data).toBe('plane');
  });

  it('parses hidden widths, none meaning no hidden layer', () => {
    expect(parseHidden(' 8, 4 ')).toEqual([8, 4]);
    expect(parseHidden('16')).toEqual([16]);
    expect(parseHidden('')).toEqual([]);
    for (const bad of ['8,,4', '17', '2.5', '1,1,1,1,1,1,1', 'a', ',']) expect(parseHidden(bad), bad).toBeNull();
  });

  it('parses features into the network order, refusing repeats', () => {
    expect(parseFeatures('sinx2, x1')).toEqual(['x1', 'sinx2']);
    for (const bad of ['', 'x1,x1', 'x3', 'x1,']) expect(parseFeatures(bad), bad).toBeNull();
  });
});

describe('data sets', () => {
  it('are a function of the seed, with half of the points in each class', () => {
    for (const name of ['moons', 'circles', 'xor', 'spiral'] as const) {
      const a = makeDataset(name, 100, 0.1, 4);
      expect(makeDataset(name, 100, 0.1, 4)).toEqual(a);
      expect(makeDataset(name, 100, 0.1, 5).x).not.toEqual(a.x);
      expect(a.y.filter((t) => t === 1)).toHaveLength(50);
    }
  });

  it('lie on their shapes when there is no noise', () => {
    const moons = makeDataset('moons', 50, 0, 1);
    moons.x.forEach(([x, y], i) => {
      // upper moon: unit half circle about (−0.5, −0.25), y ≥ −0.25; lower: about (0.5, 0.25), y ≤ 0.25
      const [cx, cy] = moons.y[i] === 0 ? [-0.5, -0.25] : [0.5, 0.25];
      expect(Math.hypot(x - cx, y - cy)).toBeCloseTo(1, 12);
      expect(moons.y[i] === 0 ? y >= -0.25 : y <= 0.25).toBe(true);
    });
    const circles = makeDataset('circles', 50, 0, 1);
    circles.x.forEach(([x, y], i) => {
      expect(Math.hypot(x, y)).toBeCloseTo(circles.y[i] === 0 ? 1 : 0.5, 12);
    });
    const xor = makeDataset('xor', 50, 0, 1);
    xor.x.forEach(([x, y], i) => {
      expect(Math.sign(x * y)).toBe(xor.y[i] === 1 ? -1 : 1);
      expect(Math.min(Math.abs(x), Math.abs(y))).toBeGreaterThanOrEqual(0.1);
    });
    const spiral = makeDataset('spiral', 50, 0, 1);
    // arm 1 is arm 0 turned by π: consecutive points i (arm 0) and i + 1 (arm 1) are opposite
    for (let i = 0; i < 50; i += 2) {
      const [p, q] = [spiral.x[i], spiral.x[i + 1]] as [[number, number], [number, number]];
      expect(q[0]).toBeCloseTo(-p[0], 12);
      expect(q[1]).toBeCloseTo(-p[1], 12);
    }
  });
});

describe('expressions', () => {
  it('builds tanh(a*b + c) * a as Values, with the hand-derived gradients', () => {
    const [a, b, c] = [1.5, -0.8, 0.4];
    const { root, leaves } = buildExpression('tanh(a*b + c) * a', parseVars('a = 1.5, b = -0.8; c=0.4'));
    const t = Math.tanh(a * b + c);
    expect(root.data).toBeCloseTo(t * a, 15);
    root.backward();
    const grad = Object.fromEntries(leaves.map((v) => [v.label, v.grad]));
    // ∂/∂a = tanh(ab + c) + a(1 − t²)b (a is used twice: F16), ∂/∂b = a(1 − t²)a, ∂/∂c = a(1 − t²)
    expect(grad.a).toBeCloseTo(t + a * (1 - t * t) * b, 14);
    expect(grad.b).toBeCloseTo(a * (1 - t * t) * a, 14);
    expect(grad.c).toBeCloseTo(a * (1 - t * t), 14);
  });

  it('reads ^ as a right-associative power above *, and unary minus', () => {
    const v = parseVars('x = 1.1');
    expect(buildExpression('2*x^2^3', v).root.data).toBeCloseTo(2 * 1.1 ** 8, 12);
    expect(buildExpression('-x^-1 + -(x - 3)', v).root.data).toBeCloseTo(-(1.1 ** -1) + 1.9, 12);
    expect(buildExpression('sigmoid(x) - relu(-x) + log(exp(x))', v).root.data).toBeCloseTo(
      1 / (1 + Math.exp(-1.1)) + 1.1,
      12,
    );
  });

  it('names what is wrong', () => {
    const bad: [string, string, RegExp][] = [
      ['a +', 'a = 1', /^expression: /],
      ['a * q', 'a = 1', /'q' has no value/],
      ['sinh(a)', 'a = 1', /unknown function \(tanh, exp, log, sigmoid, relu\)/],
      ['a ^ a', 'a = 1', /exponent after \^ must be a number/],
      ['tanh(a, a)', 'a = 1', /tanh\(\) takes one argument, got 2/],
      ['a.b', 'a = 1', /unsupported syntax \(MemberExpression\)/],
    ];
    for (const [expr, vars, message] of bad) {
      expect(() => buildExpression(expr, parseVars(vars)), expr).toThrow(ChainruleError);
      expect(() => buildExpression(expr, parseVars(vars)), expr).toThrow(message);
    }
    expect(() => parseVars('a = 1, b = two')).toThrow("variables: expected 'name = number', got 'b = two'");
  });
});

describe('the backward stepper', () => {
  it("visits nodes in reverse topological order and ends with Value.backward()'s gradients", () => {
    const expr = 'tanh(a*b + c) * a + a*a';
    const vars = parseVars('a = 0.7, b = 2, c = -1');
    const reference = buildExpression(expr, vars).root;
    reference.backward();
    const stepper = new BackwardStepper(buildExpression(expr, vars).root);
    const n = stepper.order.length;
    const visited: number[] = [];
    for (let s = stepper.next(); s !== null; s = stepper.next()) {
      visited.push(s.node);
      // a node's grad is complete when reached (F16): it never changes afterwards
      expect(s.grad).toBe((stepper.order[s.node] as Value).grad);
    }
    expect(visited).toEqual([...Array(n).keys()].reverse());
    expect(stepper.done).toBe(true);
    const expected = topoSort(reference) as Value[];
    expect(stepper.order.map((v) => v.grad)).toEqual(expected.map((v) => v.grad));
  });

  it('reports what each operand received and the local derivative used', () => {
    const stepper = new BackwardStepper(buildExpression('a*b + a*a', parseVars('a = 3, b = -2')).root);
    const first = stepper.next(); // +: local derivatives 1
    expect(first?.contributions.map((c) => [c.local, c.added])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const records = [first, ...Array.from({ length: stepper.order.length - 1 }, () => stepper.next())];
    const square = records.find((r) => r?.op === '*' && r.contributions.length === 1);
    // a·a sends 2a to a, once, with both formulas named
    expect(square?.contributions[0]).toMatchObject({ local: 6, added: 6 });
    expect(square?.contributions[0]?.formula).toBe('∂(a·b)/∂a = b and ∂(a·b)/∂b = a');
    const product = records.find((r) => r?.op === '*' && r.contributions.length === 2);
    expect(product?.contributions.map((c) => c.local)).toEqual([-2, 3]);
    expect(stepper.next()).toBeNull();
  });
});

describe('training and the inspector', () => {
  it('reaches 95 % held-out accuracy on two moons within 300 steps, the same run for the same seed', () => {
    const a = new Trainer(DEFAULT_STATE);
    const b = new Trainer(DEFAULT_STATE);
    let steps = 0;
    while (a.accuracy(a.test) < 0.95 && steps < 300) {
      expect(a.step()).toBe(b.step());
      steps++;
    }
    expect(a.accuracy(a.test)).toBeGreaterThanOrEqual(0.95);
    expect(a.snapshot()).toEqual(b.snapshot());
    expect(a.grid(8)).toHaveLength(64);
  });

  it.each(['tanh', 'relu', 'sigmoid'] as const)(
    'δ by autodiff equals F2/F5 (and z equals F1) for every %s neuron',
    (act) => {
      const trainer = new Trainer({ ...DEFAULT_STATE, act, hidden: [4, 3] });
      for (let s = 0; s < 20; s++) trainer.step();
      const layers = trainer.snapshot();
      for (const index of [0, 7, 101]) {
        const trace = trainer.trace(index);
        trace.layers.forEach((layer, l) => {
          layer.delta.forEach((delta, j) => {
            expect(deltaByFormula(layers, trace, l, j, act)).toBeCloseTo(delta, 6);
            expect(zByFormula(layers, trace, l, j)).toBeCloseTo(layer.z[j] as number, 5);
          });
        });
        // the output: δ = σ(z) − t (F11, one example)
        const out = trace.layers[2];
        expect(out?.delta[0]).toBeCloseTo((out?.a[0] as number) - trace.t, 6);
      }
    },
  );

  it('writes the formulas with the numbers substituted', () => {
    const trainer = new Trainer({ ...DEFAULT_STATE, hidden: [2] });
    const layers = trainer.snapshot();
    const trace = trainer.trace(3);
    const f = neuronFormulas(layers, trace, 0, 1, 'tanh');
    const w = layers[0]?.weight[1] as number[];
    expect(f.z.tex).toContain(`${num(w[0] as number, true)}\\cdot${num(trace.x[0], true)}`);
    expect(f.a.tex).toBe(`a_{2}^{(1)} = \\tanh(z_{2}^{(1)}) = \\tanh(${num(f.z.value)}) = ${num(f.a.value)}`);
    expect(f.delta.refs).toBe('F5, F8');
    expect(neuronFormulas(layers, trace, 1, 0, 'tanh').delta.refs).toBe('F2, F11 (N = 1)');
    expect(num(-0.000123456)).toBe('-1.23\\times 10^{-4}');
    expect(num(-2.5, true)).toBe('(-2.5)');
  });
});

describe('colours', () => {
  it('are at least 3:1 against white, as WCAG asks of graphics (dots, edges)', () => {
    // WCAG 2 relative luminance and contrast ratio
    const lum = (c: readonly number[]) =>
      c
        .map((v) => v / 255)
        .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
        .reduce((s, v, i) => s + v * ([0.2126, 0.7152, 0.0722][i] as number), 0);
    const contrast = (c: readonly number[]) => 1.05 / (lum(c) + 0.05);
    expect(contrast(C0)).toBeGreaterThanOrEqual(3);
    expect(contrast(C1)).toBeGreaterThanOrEqual(3);
    expect(contrast([245, 147, 34])).toBeLessThan(3); // the first edition's orange: 2.3:1
  });
});

describe('the downsampled series', () => {
  it('keeps at most `capacity` buckets, each the exact mean of its steps', () => {
    const s = new Series(8);
    const value = (step: number) => Math.sin(step) + step / 100;
    for (let step = 1; step <= 1000; step++) s.push(step, value(step));
    expect(s.points.length).toBeLessThanOrEqual(8);
    expect(s.width).toBe(128);
    let total = 0;
    for (const b of s.points) {
      const steps = Array.from({ length: b.count }, (_, i) => Math.max(1, b.first) + i);
      expect(b.mean).toBeCloseTo(steps.reduce((a, k) => a + value(k), 0) / b.count, 10);
      total += b.count;
    }
    expect(total).toBe(1000);
  });

  it('finds its range without spreading the history (a million steps)', () => {
    const s = new Series(512);
    for (let step = 1; step <= 1_000_000; step++) s.push(step, step === 500_000 ? 1e6 : 1);
    expect(s.points.length).toBeLessThanOrEqual(512);
    const [lo, hi] = s.range as [number, number];
    expect(lo).toBe(1);
    // the spike is averaged into its bucket of `width` steps
    expect(hi).toBeCloseTo(1 + (1e6 - 1) / s.width, 6);
  });

  it('refuses a step that is not after the last one', () => {
    const s = new Series();
    s.push(3, 1);
    expect(() => s.push(3, 1)).toThrow('Series.push: step 3 is not after the last one (3)');
  });
});

describe('features, regression and regularization', () => {
  it('feeds the chosen features of each point to the first layer', () => {
    const trainer = new Trainer({ ...DEFAULT_STATE, features: ['x1sq', 'x1x2', 'sinx2'], hidden: [3] });
    const trace = trainer.trace(5);
    const [x1, x2] = trace.x;
    expect(trace.input).toEqual([x1 * x1, x1 * x2, Math.sin(x2)]);
    expect(trainer.model.layers[0]?.inFeatures).toBe(3);
    expect(zByFormula(trainer.snapshot(), trace, 0, 2)).toBeCloseTo(trace.layers[0]?.z[2] as number, 5);
  });

  it('splits the points by the ratio', () => {
    expect(split(70)).toEqual({ train: 280, test: 120 });
    const trainer = new Trainer({ ...DEFAULT_STATE, ratio: 30 });
    expect([trainer.train.x.length, trainer.test.x.length]).toEqual([120, 280]);
  });

  it('regresses with a linear output and mean squared error: δ = 2(y − t) (F10, N = 1)', () => {
    const state: PlaygroundState = { ...DEFAULT_STATE, problem: 'regression', data: 'plane', hidden: [4] };
    const trainer = new Trainer(state);
    const first = trainer.loss(trainer.train);
    for (let s = 0; s < 200; s++) trainer.step();
    expect(trainer.loss(trainer.train)).toBeLessThan(first / 10);
    expect(Number.isNaN(trainer.accuracy(trainer.test))).toBe(true);
    const trace = trainer.trace(2);
    const out = trace.layers[1] as { z: number[]; a: number[]; delta: number[] };
    expect(out.a[0]).toBe(out.z[0]);
    expect(trace.loss).toBeCloseTo(((out.a[0] as number) - trace.t) ** 2, 6);
    expect(out.delta[0]).toBeCloseTo(2 * ((out.a[0] as number) - trace.t), 6);
    const layers = trainer.snapshot();
    expect(deltaByFormula(layers, trace, 1, 0, 'tanh', true)).toBeCloseTo(out.delta[0] as number, 6);
    expect(deltaByFormula(layers, trace, 0, 3, 'tanh', true)).toBeCloseTo(trace.layers[0]?.delta[3] as number, 6);
    expect(neuronFormulas(layers, trace, 1, 0, 'tanh', { regression: true }).delta.refs).toBe('F2, F10 (N = 1)');
    // the targets: (x + y)/2 before the noise
    const clean = makeDataset('plane', 20, 0, 3);
    for (const [i, [x, y]] of clean.x.entries()) expect(clean.y[i]).toBeCloseTo((x + y) / 2, 12);
  });

  it('adds λ Σ|W| or λ Σ W² to the loss it differentiates, not to the loss it reports', () => {
    const base: PlaygroundState = { ...DEFAULT_STATE, hidden: [3], opt: 'sgd', lr: 0.1 };
    const plain = new Trainer(base);
    const l2 = new Trainer({ ...base, reg: 'l2', regRate: 0.1 });
    const w0 = plain.snapshot()[0]?.weight as number[][];
    // the same data loss on the first step (same weights), different gradients
    expect(l2.step()).toBe(plain.step());
    const g = plain.snapshot()[0]?.weightGrad as number[][];
    const gl2 = l2.snapshot()[0]?.weightGrad as number[][];
    gl2.forEach((row, j) => {
      row.forEach((v, i) => {
        // ∂(λ Σ W²)/∂W = 2λW
        expect(v).toBeCloseTo((g[j]?.[i] as number) + 2 * 0.1 * (w0[j]?.[i] as number), 6);
      });
    });
    const l1 = new Trainer({ ...base, reg: 'l1', regRate: 0.05 });
    l1.step();
    const gl1 = l1.snapshot()[0]?.weightGrad as number[][];
    gl1.forEach((row, j) => {
      row.forEach((v, i) => {
        expect(v).toBeCloseTo((g[j]?.[i] as number) + 0.05 * Math.sign(w0[j]?.[i] as number), 6);
      });
    });
  });

  it('changes the learning rate live', () => {
    const a = new Trainer({ ...DEFAULT_STATE, opt: 'sgd', lr: 0.1 });
    const b = new Trainer({ ...DEFAULT_STATE, opt: 'sgd', lr: 0.1 });
    a.step();
    b.step();
    b.setLr(0.5);
    a.step();
    b.step();
    expect(b.snapshot()).not.toEqual(a.snapshot());
    const c = new Trainer({ ...DEFAULT_STATE, opt: 'sgd', lr: 0.1 });
    c.step();
    c.setLr(0.5);
    c.step();
    expect(c.snapshot()).toEqual(b.snapshot());
  });

  it('trains a network with no hidden layer', () => {
    const trainer = new Trainer({ ...DEFAULT_STATE, data: 'gauss', hidden: [] });
    for (let s = 0; s < 100; s++) trainer.step();
    expect(trainer.accuracy(trainer.test)).toBeGreaterThan(0.95);
    expect(trainer.neuronMaps(4).map((c) => c.length)).toEqual([2, 1]);
  });

  it("maps every neuron's value over the grid: the output map is the grid's output", () => {
    const trainer = new Trainer({ ...DEFAULT_STATE, features: ['x1', 'x1x2'], hidden: [3, 2] });
    for (let s = 0; s < 5; s++) trainer.step();
    const maps = trainer.neuronMaps(6);
    expect(maps.map((c) => c.length)).toEqual([2, 3, 2, 1]);
    expect(Array.from(maps[3]?.[0] as Float32Array)).toEqual(Array.from(trainer.grid(6)));
    const centres = trainer.centres(6);
    centres.forEach(([x1, x2], k) => {
      expect(maps[0]?.[1]?.[k]).toBeCloseTo(x1 * x2, 6);
    });
    // a first-layer map is F1 at each centre: tanh(Σ W_ji x_i + b_j) with x = (x₁, x₁x₂)
    const { weight, bias } = trainer.snapshot()[0] as { weight: number[][]; bias: number[] };
    centres.forEach(([x1, x2], k) => {
      for (let j = 0; j < 3; j++) {
        const row = weight[j] as number[];
        const z = (row[0] as number) * x1 + (row[1] as number) * x1 * x2 + (bias[j] as number);
        expect(maps[1]?.[j]?.[k]).toBeCloseTo(Math.tanh(z), 5);
      }
    });
  });
});

describe('gradient flow', () => {
  it('F23: in six sigmoid layers the first gets orders of magnitude less gradient than the sixth; far less so with ReLU', () => {
    const stop = TOUR.vanishing.stops;
    const ratio = (patch: Partial<PlaygroundState>) => {
      const trainer = new Trainer({ ...DEFAULT_STATE, ...patch });
      trainer.step();
      const norms = trainer.gradNorms();
      expect(norms).toHaveLength(7);
      return (norms[0] as number) / (norms[5] as number);
    };
    const sigmoid = ratio(stop[0]?.state ?? {});
    const relu = ratio(stop[1]?.state ?? {});
    expect(sigmoid).toBeLessThan(1e-3); // measured 1.1e-5: about 1/7 per layer
    expect(relu).toBeGreaterThan(100 * sigmoid); // measured 0.016
  });
});

describe('tours', () => {
  it("link to headings that docs/backprop.md has, and every stop's state is valid", () => {
    const md = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/backprop.md'), 'utf8');
    const anchors = new Set([...md.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] as string)));
    expect(slug('Worked example: XOR with two ReLU units')).toBe('worked-example-xor-with-two-relu-units');
    for (const [name, tour] of Object.entries(TOUR)) {
      let state = { ...DEFAULT_STATE, tour: name as PlaygroundState['tour'] };
      for (const stop of tour.stops) {
        expect(anchors.has(slug(stop.section)), `${name}: ${stop.section}`).toBe(true);
        state = { ...state, ...stop.state };
        expect(parseState(toSearch(state))).toEqual({ state, warnings: [] });
      }
    }
  });
});
