// The page: reads the run from the URL, hands training to the worker, draws its frames (one at a
// time: the worker waits for 'drawn'), and runs the scalar-graph stepper on the main thread (a
// few dozen Values at most). KaTeX and Graphviz load when first needed.
import { CLASSIFICATION_SETS, type Points, PROBLEMS, problemOf, REGRESSION_SETS } from './datasets';
import { LineChart, NetworkView, PlanePlot, type SeriesStyle } from './draw';
import { buildExpression, parseVars } from './expression';
import { FEATURE, FEATURES } from './features';
import { deltaByFormula, neuronFormulas, zByFormula } from './formula';
import type { Command, Frame, Report } from './protocol';
import { Series } from './series';
import {
  ACTIVATIONS,
  HIDEABLE,
  MAX_LAYERS,
  MAX_UNITS,
  OPTIMIZERS,
  PACES,
  type PlaygroundState,
  parseState,
  REGULARIZATIONS,
  toSearch,
} from './state';
import { BackwardStepper, type StepRecord } from './stepper';
import { slug, TOUR, type TourStop } from './tours';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const parsed = parseState(location.search);
let state: PlaygroundState = parsed.state;
const warnings = $<HTMLParagraphElement>('warnings');
function warn(lines: string[]): void {
  warnings.hidden = lines.length === 0;
  warnings.textContent = lines.join('; ');
}
warn(parsed.warnings);

/**
 * docs/backprop.md, at a heading: in the built documentation site the playground sits in
 * `site/playground/`, beside the guide's page `site/documents/Backpropagation.html` (whose
 * anchors are the same slugs as GitHub's); in development, the file through Vite's /@fs/.
 */
const DOCS = import.meta.env.DEV ? `/@fs${__REPO_ROOT__}/docs/backprop.md` : '../documents/Backpropagation.html';
const docsLink = (heading: string) => `${DOCS}#${slug(heading)}`;
$<HTMLAnchorElement>('f23-link').href = docsLink('Vanishing gradients');

// KaTeX (its script and fonts) loads with the first formula shown
type Katex = typeof import('katex').default;
let katexModule: Promise<Katex> | null = null;
function katex(): Promise<Katex> {
  katexModule ??= import('./katex').then((m) => m.default);
  return katexModule;
}

/** Renders TeX into `div` and shrinks it until it fits its box (down to 60 %; then it scrolls). */
async function renderTex(div: HTMLElement, tex: string): Promise<void> {
  (await katex()).render(tex, div, { displayMode: true, throwOnError: false });
  fit(div);
}
function fit(div: HTMLElement): void {
  shrink(div);
  // KaTeX's fonts may arrive after the first layout, and widen the formula
  void document.fonts.ready.then(() => shrink(div));
}
function shrink(div: HTMLElement): void {
  div.style.fontSize = '';
  for (let size = 100; size > 60 && div.scrollWidth > div.clientWidth + 1; size -= 5) {
    div.style.fontSize = `${size - 5}%`;
  }
}

// ---- 1. the settings -----------------------------------------------------------------------

const controls = {
  problem: $<HTMLSelectElement>('problem'),
  data: $<HTMLSelectElement>('data'),
  noise: $<HTMLInputElement>('noise'),
  ratio: $<HTMLInputElement>('ratio'),
  seed: $<HTMLInputElement>('seed'),
  hidden: $<HTMLInputElement>('hidden'),
  act: $<HTMLSelectElement>('act'),
  opt: $<HTMLSelectElement>('opt'),
  batch: $<HTMLInputElement>('batch'),
};
/** Settings the running worker takes from its next step on, without a restart. */
const live = {
  lr: $<HTMLInputElement>('lr'),
  reg: $<HTMLSelectElement>('reg'),
  regRate: $<HTMLSelectElement>('reg-rate'),
  pace: $<HTMLSelectElement>('pace'),
};
const view = { showTest: $<HTMLInputElement>('show-test'), discretize: $<HTMLInputElement>('discretize') };
const featureBoxes = new Map<string, HTMLInputElement>();
for (const name of FEATURES) {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.dataset.feature = name;
  label.append(box, ` ${FEATURE[name].text}`);
  $('features').append(label);
  featureBoxes.set(name, box);
}
const fill = (select: HTMLSelectElement, options: readonly (string | number)[], text = (o: string) => o) => {
  select.replaceChildren();
  for (const o of options) select.add(new Option(text(String(o)), String(o)));
};
fill(controls.problem, PROBLEMS);
fill(controls.act, ACTIVATIONS);
fill(controls.opt, OPTIMIZERS);
fill(live.reg, REGULARIZATIONS, (o) => (o === 'none' ? 'none' : o.toUpperCase()));
fill(live.regRate, [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]);
fill(live.pace, PACES, (o) => (o === '0' ? 'full speed' : `${o} step${o === '1' ? '' : 's'}/s`));

function showState(s: PlaygroundState): void {
  controls.problem.value = s.problem;
  fill(controls.data, s.problem === 'classification' ? CLASSIFICATION_SETS : REGRESSION_SETS);
  controls.data.value = s.data;
  controls.noise.value = String(s.noise);
  $('noise-value').textContent = s.noise.toFixed(2);
  controls.ratio.value = String(s.ratio);
  $('ratio-value').textContent = `${s.ratio} %`;
  controls.seed.value = String(s.seed);
  controls.hidden.value = s.hidden.join(',');
  controls.act.value = s.act;
  controls.opt.value = s.opt;
  controls.batch.value = String(s.batch);
  live.lr.value = String(s.lr);
  live.reg.value = s.reg;
  if (![...live.regRate.options].some((o) => o.value === String(s.regRate))) {
    live.regRate.add(new Option(String(s.regRate), String(s.regRate)));
  }
  live.regRate.value = String(s.regRate);
  live.pace.value = String(s.pace);
  view.showTest.checked = s.showTest;
  view.discretize.checked = s.discretize;
  for (const [name, box] of featureBoxes) box.checked = s.features.includes(name as never);
  exprInput.value = s.expr;
  varsInput.value = s.vars;
  $('layer-count').textContent = String(s.hidden.length);
  // classroom mode: the controls named in `hide` are not shown
  for (const name of HIDEABLE) {
    for (const e of document.querySelectorAll<HTMLElement>(`[data-control="${name}"]`)) {
      (e.closest('label') ?? e).hidden = s.hide.includes(name);
    }
  }
  layerButtons(s.hidden);
}

/** The state the controls describe, checked by the URL's own parser; null (with a warning) if invalid. */
function readControls(): PlaygroundState | null {
  const q = new URLSearchParams(toSearch(state));
  for (const [key, input] of Object.entries({ ...controls, ...live })) q.set(key, input.value);
  if (problemOf(controls.data.value as never) !== controls.problem.value) {
    q.set('data', controls.problem.value === 'classification' ? CLASSIFICATION_SETS[0] : REGRESSION_SETS[0]);
  }
  q.set(
    'features',
    [...featureBoxes]
      .filter(([, b]) => b.checked)
      .map(([n]) => n)
      .join(','),
  );
  q.set('showTest', view.showTest.checked ? '1' : '0');
  q.set('discretize', view.discretize.checked ? '1' : '0');
  q.set('expr', exprInput.value);
  q.set('vars', varsInput.value);
  const next = parseState(`?${q}`);
  warn(next.warnings);
  return next.warnings.length === 0 ? next.state : null;
}

function saveState(): void {
  history.replaceState(null, '', toSearch(state));
}

// ---- 2. the worker and its frames -----------------------------------------------------------

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (cmd: Command) => worker.postMessage(cmd);

const plot = new PlanePlot(
  $<HTMLCanvasElement>('boundary'),
  document.getElementById('boundary-axes') as unknown as SVGSVGElement,
);
const networkSvg = document.getElementById('network') as unknown as SVGSVGElement;
const network = new NetworkView(networkSvg, () => state.act);
const lossChart = new LineChart(document.getElementById('loss-chart') as unknown as SVGSVGElement, 'loss', false);
lossChart.setSeries([
  { name: 'train-loss', label: 'training', colour: '#555', width: 1.2 },
  { name: 'test-loss', label: 'held-out', colour: '#0877bd', width: 2, dash: '5 3' },
]);
const flowChart = new LineChart(
  document.getElementById('flow-chart') as unknown as SVGSVGElement,
  '‖∂L/∂W‖ per layer',
  true,
);
const inspector = $<HTMLDivElement>('inspector');
const playButton = $<HTMLButtonElement>('play');

let data: { train: Points; test: Points } | null = null;
const trainLoss = new Series(512);
const testLoss = new Series(512);
let flow: Series[] = [];
let last: Frame | null = null;
let pending: Frame | null = null;
let frames = 0;
let selected: { layer: number; unit: number } | null = null;
/** The number of the current run: reports of an earlier run still in flight are dropped. */
let run = 0;

const LAYER_COLOURS = ['#7b3294', '#c2185b', '#d96d00', '#8a6d00', '#2e7d32', '#00838f', '#0877bd'];

function reset(): void {
  last = null;
  pending = null;
  selected = null;
  trainLoss.clear();
  testLoss.clear();
  shownSteps = -1;
  flow = [...state.hidden, 1].map(() => new Series(256));
  flowChart.setSeries(
    flow.map(
      (_, l): SeriesStyle => ({
        name: `grad-norm-${l}`,
        label: l === flow.length - 1 ? 'output' : `layer ${l + 1}`,
        colour: LAYER_COLOURS[l % LAYER_COLOURS.length] as string,
      }),
    ),
  );
  inspector.innerHTML = '<p class="hint">No neuron selected.</p>';
  delete inspector.dataset.layer;
  playButton.textContent = 'start';
  run++;
  send({ kind: 'reset', state, run });
}

worker.onmessage = (e: MessageEvent<Report>) => {
  const r = e.data;
  if (r.run !== run) return;
  if (r.kind === 'data') data = { train: r.train, test: r.test };
  else if (r.kind === 'paused') showSteps(r.steps);
  else if (r.kind === 'error') {
    playButton.textContent = 'start';
    warn([`training stopped: ${r.message}`]);
  } else {
    // the worker sends the next frame only after 'drawn': at most one is pending
    pending = r.frame;
    requestAnimationFrame(drawPending);
  }
};
worker.onerror = (e) => warn([`the training worker failed: ${e.message}`]);

function drawPending(): void {
  const f = pending;
  if (f === null) return;
  pending = null;
  const runOfFrame = run;
  try {
    render(f);
  } finally {
    send({ kind: 'drawn', run: runOfFrame });
  }
}

const fmt = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const pct = (a: number) => (Number.isNaN(a) ? '–' : `${(100 * a).toFixed(1)}%`);

function render(f: Frame): void {
  const newSteps = last === null ? 0 : f.steps - last.steps;
  last = f;
  frames++;
  const first = f.steps - f.newLosses.length + 1;
  f.newLosses.forEach((loss, i) => {
    if (first + i > trainLoss.lastStep) trainLoss.push(first + i, loss);
  });
  if (f.steps > testLoss.lastStep) {
    testLoss.push(f.steps, f.testLoss);
    if (f.steps > 0) {
      for (const [l, g] of f.gradNorms.entries()) flow[l]?.push(f.steps, g);
    }
  }
  drawPlot();
  lossChart.update({ 'train-loss': trainLoss.points, 'test-loss': testLoss.points }, f.steps);
  flowChart.update(Object.fromEntries(flow.map((s, l) => [`grad-norm-${l}`, s.points])), f.steps);
  showSteps(f.steps);
  const lastLoss = f.newLosses[f.newLosses.length - 1];
  if (lastLoss !== undefined) setStat('loss-value', lastLoss.toFixed(4), lastLoss);
  else if (f.steps === 0) setStat('loss-value', '–', Number.NaN);
  setStat('train-loss', fmt(f.trainLoss), f.trainLoss);
  setStat('test-loss', fmt(f.testLoss), f.testLoss);
  setStat('train-accuracy', pct(f.trainAccuracy), f.trainAccuracy);
  setStat('test-accuracy', pct(f.testAccuracy), f.testAccuracy);
  setStat('rate', f.running ? f.stepsPerSecond.toFixed(0) : '–', f.stepsPerSecond);
  drawNetwork(f);
  // KaTeX is the costliest part of a frame: while training, the inspector follows at most 4 times a second
  if (!f.running || performance.now() - inspectorAt > 250) void renderInspector();
  if (f.running && newSteps > 0 && state.pace > 0 && state.pace <= 2) animateBackward(f.layers.length);
  document.body.dataset.trained = String(f.steps);
  document.body.dataset.frames = String(frames);
}

function drawPlot(): void {
  if (last === null) return;
  const v = { regression: state.problem === 'regression', discretize: state.discretize };
  const output = last.maps[last.maps.length - 1]?.[0] as Float32Array;
  plot.draw(
    output,
    last.res,
    last.domain,
    v,
    data?.train ?? null,
    state.showTest ? (data?.test ?? null) : null,
    last.trace.index,
  );
  plot.canvas.dataset.probe = String(last.trace.index);
}

function drawNetwork(f: Frame): void {
  const width = Math.max(280, Math.min(640, networkSvg.parentElement?.clientWidth ?? 520));
  network.view = { regression: state.problem === 'regression', discretize: state.discretize };
  network.build(
    [state.features.length, ...state.hidden, 1],
    state.features.map((n) => FEATURE[n].text),
    width,
  );
  network.update(
    { layers: f.layers, maps: f.maps, mapRes: f.res, values: [f.trace.input, ...f.trace.layers.map((l) => l.a)] },
    selected,
  );
  if (zoomed) showZoom(zoomed);
}

/** At one or two steps a second, the edges light up from the output back to the inputs: δ travelling backwards. */
function animateBackward(layers: number): void {
  const each = Math.min(300, 700 / layers);
  for (let l = layers - 1; l >= 0; l--) {
    const g = network.edgeGroup(l);
    if (!g) continue;
    setTimeout(() => g.classList.add('pulse'), (layers - 1 - l) * each);
    setTimeout(() => g.classList.remove('pulse'), (layers - l) * each);
  }
}

/**
 * The step counter moves forward only: a frame drawn after 'paused' (the one in flight) may be
 * older than the step training stopped at.
 */
let shownSteps = -1;
function showSteps(steps: number): void {
  if (steps <= shownSteps) return;
  shownSteps = steps;
  setStat('step-count', String(steps), steps);
}

function setStat(id: string, text: string, value: number): void {
  const dd = $(id);
  dd.textContent = text;
  dd.dataset.value = String(value);
}

function restart(): void {
  const next = readControls();
  if (next === null) return;
  state = next;
  showState(state);
  saveState();
  reset();
}
for (const input of [...Object.values(controls), ...featureBoxes.values()]) input.addEventListener('change', restart);
controls.noise.addEventListener('input', () => {
  $('noise-value').textContent = Number(controls.noise.value).toFixed(2);
});
controls.ratio.addEventListener('input', () => {
  $('ratio-value').textContent = `${controls.ratio.value} %`;
});

function applyLive(): void {
  const next = readControls();
  if (next === null) return;
  state = { ...state, lr: next.lr, reg: next.reg, regRate: next.regRate, pace: next.pace };
  saveState();
  send({ kind: 'live', lr: state.lr, reg: state.reg, regRate: state.regRate, pace: state.pace });
}
for (const input of Object.values(live)) input.addEventListener('change', applyLive);
for (const box of Object.values(view)) {
  box.addEventListener('change', () => {
    state = { ...state, showTest: view.showTest.checked, discretize: view.discretize.checked };
    saveState();
    drawPlot();
    if (last) drawNetwork(last);
  });
}

function play(on: boolean): void {
  playButton.textContent = on ? 'pause' : 'start';
  if (!on) document.body.dataset.pausedAtFrame = String(frames);
  send({ kind: on ? 'play' : 'pause' });
}
playButton.addEventListener('click', () => play(playButton.textContent === 'start'));
$('step').addEventListener('click', () => {
  playButton.textContent = 'start';
  send({ kind: 'step' });
});
$('reset').addEventListener('click', reset);

// a click on the plot traces the nearest training point; so does a number typed in 'traced example'
const traceInput = $<HTMLInputElement>('trace');
function probe(index: number): void {
  traceInput.value = String(index);
  send({ kind: 'probe', index });
}
plot.canvas.addEventListener('click', (e) => {
  if (data === null || last === null) return;
  const rect = plot.canvas.getBoundingClientRect();
  const px = ((e.clientX - rect.left) * plot.canvas.width) / rect.width;
  const py = ((e.clientY - rect.top) * plot.canvas.height) / rect.height;
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  data.train.x.forEach((p, i) => {
    const [cx, cy] = plot.toCanvas((last as Frame).domain, p);
    const d = (cx - px) ** 2 + (cy - py) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  });
  probe(best);
});
traceInput.addEventListener('change', () => {
  const n = data?.train.x.length ?? 0;
  const i = Number(traceInput.value);
  if (Number.isInteger(i) && i >= 0 && i < n) probe(i);
  else warn([`traced example ${traceInput.value} ignored: expected an integer in [0, ${n - 1}]`]);
});

// ---- 3. the network: layers, zoom, the neuron inspector -----------------------------------------

function setHidden(hidden: number[]): void {
  state = { ...state, hidden };
  showState(state);
  saveState();
  reset();
}
function layerButtons(hidden: readonly number[]): void {
  const box = $('unit-buttons');
  box.replaceChildren();
  hidden.forEach((n, l) => {
    const span = document.createElement('span');
    span.className = 'unit-group';
    const button = (text: string, name: string, delta: number, disabled: boolean) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.dataset.control = name;
      b.dataset.layer = String(l);
      b.disabled = disabled;
      b.setAttribute('aria-label', `${delta > 0 ? 'add a neuron to' : 'remove a neuron from'} hidden layer ${l + 1}`);
      b.addEventListener('click', () => setHidden(hidden.map((w, k) => (k === l ? w + delta : w))));
      return b;
    };
    span.append(
      `layer ${l + 1}: `,
      button('−', 'remove-neuron', -1, n <= 1),
      ` ${n} `,
      button('+', 'add-neuron', 1, n >= MAX_UNITS),
    );
    box.append(span);
  });
  const add = document.querySelector<HTMLButtonElement>('[data-control="add-layer"]');
  const remove = document.querySelector<HTMLButtonElement>('[data-control="remove-layer"]');
  if (add) add.disabled = hidden.length >= MAX_LAYERS;
  if (remove) remove.disabled = hidden.length === 0;
}
document.querySelector('[data-control="add-layer"]')?.addEventListener('click', () => {
  if (state.hidden.length < MAX_LAYERS) setHidden([...state.hidden, state.hidden[state.hidden.length - 1] ?? 4]);
});
document.querySelector('[data-control="remove-layer"]')?.addEventListener('click', () => {
  setHidden(state.hidden.slice(0, -1));
});

function select(target: Element | null): void {
  const g = target?.closest('[data-layer]');
  if (!g || !networkSvg.contains(g)) return;
  selected = { layer: Number(g.getAttribute('data-layer')), unit: Number(g.getAttribute('data-unit')) };
  if (last) drawNetwork(last);
  void renderInspector();
}
networkSvg.addEventListener('click', (e) => select(e.target as Element));
networkSvg.addEventListener('pointerover', (e) => {
  if (last && e.target instanceof SVGLineElement) NetworkView.edgeTitle(e.target, last.layers);
});
networkSvg.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  e.preventDefault();
  select(e.target as Element);
});

// the large view of a neuron's map, on hover or keyboard focus
const zoom = $<HTMLDivElement>('zoom');
const zoomCanvas = $<HTMLCanvasElement>('zoom-canvas');
let zoomed: Element | null = null;
function showZoom(g: Element): void {
  if (last === null) return;
  const canvas = g.querySelector('canvas');
  if (!canvas) return;
  zoomed = g;
  const ctx = zoomCanvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(canvas, 0, 0, zoomCanvas.width, zoomCanvas.height);
  $('zoom-caption').textContent = g.querySelector('title')?.textContent ?? '';
  const wrap = (zoom.parentElement as HTMLElement).getBoundingClientRect();
  const box = g.getBoundingClientRect();
  const left = Math.min(box.right - wrap.left + 8, wrap.width - 176);
  zoom.style.left = `${Math.max(0, left)}px`;
  zoom.style.top = `${Math.max(0, box.top - wrap.top - 60)}px`;
  zoom.hidden = false;
}
function hideZoom(): void {
  zoomed = null;
  zoom.hidden = true;
}
for (const [on, off] of [
  ['pointerover', 'pointerout'],
  ['focusin', 'focusout'],
] as const) {
  networkSvg.addEventListener(on, (e) => {
    const g = (e.target as Element).closest('.neuron, .feature');
    if (g) showZoom(g);
  });
  networkSvg.addEventListener(off, hideZoom);
}

let inspectorSerial = 0;
let inspectorAt = Number.NEGATIVE_INFINITY;
async function renderInspector(): Promise<void> {
  if (selected === null || last === null) return;
  inspectorAt = performance.now();
  const serial = ++inspectorSerial;
  const { layer: l, unit: j } = selected;
  if (l >= last.layers.length || j >= (last.layers[l]?.bias.length ?? 0)) {
    selected = null;
    inspector.innerHTML = '<p class="hint">No neuron selected.</p>';
    return;
  }
  const { layers, trace } = last;
  const regression = state.problem === 'regression';
  const f = neuronFormulas(layers, trace, l, j, state.act, { regression, features: state.features });
  const output = l === layers.length - 1;
  const byFormula = deltaByFormula(layers, trace, l, j, state.act, regression);
  Object.assign(inspector.dataset, {
    layer: String(l),
    unit: String(j),
    z: String(f.z.value),
    a: String(f.a.value),
    delta: String(f.delta.value),
    deltaFormula: String(byFormula),
    zFormula: String(zByFormula(layers, trace, l, j)),
  });
  const [x1, x2] = trace.x;
  const html = `
    <p><strong>${output ? 'output neuron' : `hidden layer ${l + 1}, neuron ${j + 1}`}</strong>
      for training example #${trace.index} x = (${x1.toFixed(3)}, ${x2.toFixed(3)}), ${regression ? 'target' : 'label'} t = ${regression ? trace.t.toFixed(3) : trace.t},
      its loss alone L = ${trace.loss.toPrecision(4)} (step ${last.steps}; click a dot of the plot for another example)</p>
    <div class="formula" data-part="z"></div><p class="hint">F1, the layer</p>
    <div class="formula" data-part="a"></div><p class="hint">F1, the activation</p>
    <div class="formula" data-part="delta"></div><p class="hint">${f.delta.refs}: the error term δ = ∂L/∂z</p>
    <p class="check">δ by autodiff (grad of L with respect to z): <span id="delta-autodiff">${f.delta.value.toPrecision(6)}</span>;
      the formula with the numbers above: <span id="delta-formula">${byFormula.toPrecision(6)}</span></p>`;
  const k = await katex();
  if (serial !== inspectorSerial) return; // a newer frame is being shown
  inspector.innerHTML = html;
  for (const part of ['z', 'a', 'delta'] as const) {
    const div = inspector.querySelector(`[data-part="${part}"]`) as HTMLElement;
    k.render(f[part].tex, div, { displayMode: true, throwOnError: false });
    fit(div);
  }
}

// ---- 4. gradient flow: the deep-network presets ---------------------------------------------------

function applyState(patch: Partial<PlaygroundState>, then?: 'play'): void {
  state = { ...state, ...patch };
  showState(state);
  saveState();
  reset();
  if (then === 'play') play(true);
}
document
  .querySelector('[data-control="preset-sigmoid"]')
  ?.addEventListener('click', () => applyState(TOUR.vanishing.stops[0]?.state ?? {}, 'play'));
document
  .querySelector('[data-control="preset-relu"]')
  ?.addEventListener('click', () => applyState(TOUR.vanishing.stops[1]?.state ?? {}, 'play'));

// ---- 5. the scalar graph, step by step ------------------------------------------------------

const exprInput = $<HTMLInputElement>('expr');
const varsInput = $<HTMLInputElement>('vars');
const graphDiv = $<HTMLDivElement>('graph');
const stepsLog = $<HTMLOListElement>('steps-log');
const exprError = $<HTMLParagraphElement>('expr-error');
const stepperSection = $<HTMLDetailsElement>('stepper');
// Graphviz (WebAssembly, embedded in @viz-js/viz's script) and toDot load in their own chunk,
// when the section is first opened
let graphviz: Promise<typeof import('./graphviz')> | null = null;
let stepper: BackwardStepper | null = null;
let records: StepRecord[] = [];

async function drawGraph(): Promise<void> {
  if (stepper === null) return;
  if (graphviz === null) {
    $('graph-loading').hidden = false;
    graphviz = import('./graphviz');
  }
  const narrow = graphDiv.clientWidth < 600;
  const svg = await (await graphviz).render(stepper.root, narrow ? 'TB' : 'LR');
  $('graph-loading').hidden = true;
  const doneFrom = stepper.order.length - stepper.processed;
  for (const g of svg.querySelectorAll('g.node')) {
    const m = /^n(\d+)$/.exec(g.querySelector('title')?.textContent ?? '');
    if (!m) continue;
    const i = Number(m[1]);
    g.setAttribute('data-node', String(i));
    if (i === doneFrom) g.classList.add('current');
    else if (i > doneFrom) g.classList.add('done');
  }
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `the graph of ${exprInput.value}`);
  graphDiv.replaceChildren(svg);
  document.body.dataset.graphReady = 'true';
}

function newStepper(): BackwardStepper | null {
  try {
    const s = new BackwardStepper(buildExpression(exprInput.value, parseVars(varsInput.value)).root);
    exprError.hidden = true;
    return s;
  } catch (err) {
    graphDiv.replaceChildren();
    exprError.hidden = false;
    exprError.textContent = (err as Error).message;
    return null;
  }
}

async function buildGraph(): Promise<void> {
  stepsLog.replaceChildren();
  records = [];
  stepper = newStepper();
  if (stepper === null) return;
  state = { ...state, expr: exprInput.value, vars: varsInput.value };
  saveState();
  await drawGraph();
}

function logStep(s: StepRecord): void {
  const li = document.createElement('li');
  li.dataset.node = String(s.node);
  li.dataset.grad = String(s.grad);
  const name = `n${s.node}${s.label ? ` (${s.label})` : ''}`;
  const what = s.op === '' ? 'leaf' : s.op;
  const sends = s.contributions
    .map(
      (c) =>
        `n${c.child} += ${s.grad.toPrecision(4)} × ${Number.isNaN(c.local) ? '?' : c.local.toPrecision(4)} ` +
        `= ${c.added.toPrecision(4)}  [${c.formula}]`,
    )
    .join('; ');
  li.textContent =
    `${name} ${what}: ∂L/∂${name} = ${s.grad.toPrecision(4)} is complete` +
    (s.node === (stepper as BackwardStepper).order.length - 1 ? ' (the seed, ∂L/∂L = 1)' : '') +
    (sends ? `; sends ${sends}` : '');
  stepsLog.appendChild(li);
}

async function stepGraph(all: boolean): Promise<void> {
  if (stepper === null) return;
  do {
    const s = stepper.next();
    if (s === null) break;
    records.push(s);
    logStep(s);
  } while (all);
  await drawGraph();
}

/** One node back: a fresh graph replays all but the last step (the walk is deterministic). */
async function stepBack(): Promise<void> {
  if (stepper === null || stepper.processed === 0) return;
  const keep = stepper.processed - 1;
  const fresh = newStepper();
  if (fresh === null) return;
  stepper = fresh;
  for (let k = 0; k < keep; k++) stepper.next();
  records = records.slice(0, keep);
  stepsLog.lastElementChild?.remove();
  await drawGraph();
}

$('build').addEventListener('click', () => void buildGraph());
for (const input of [exprInput, varsInput]) {
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void buildGraph();
  });
}
$('backward-step').addEventListener('click', () => void stepGraph(false));
$('backward-back').addEventListener('click', () => void stepBack());
$('backward-all').addEventListener('click', () => void stepGraph(true));
stepperSection.addEventListener('toggle', () => {
  if (stepperSection.open && stepper === null) void buildGraph();
});

// ---- 6. guided tours ------------------------------------------------------------------------

let stopIndex = 0;
async function showStop(i: number): Promise<void> {
  if (state.tour === '') return;
  const tour = TOUR[state.tour];
  stopIndex = Math.max(0, Math.min(tour.stops.length - 1, i));
  const stop = tour.stops[stopIndex] as TourStop;
  const panel = $('tour');
  panel.hidden = false;
  panel.dataset.tour = state.tour;
  panel.dataset.stop = String(stopIndex);
  $('tour-title').textContent = tour.title;
  $('tour-count').textContent = `(${stopIndex + 1} of ${tour.stops.length})`;
  $('tour-stop').textContent = stop.title;
  $('tour-text').innerHTML = stop.text;
  $('tour-refs').textContent = stop.refs;
  const link = $<HTMLAnchorElement>('tour-link');
  link.href = docsLink(stop.section);
  link.textContent = `docs/backprop.md › ${stop.section}`;
  $<HTMLButtonElement>('tour-back').disabled = stopIndex === 0;
  $<HTMLButtonElement>('tour-next').disabled = stopIndex === tour.stops.length - 1;
  if (stop.action === 'stepper') {
    state = { ...state, ...stop.state };
    showState(state);
    saveState();
    const fresh = Object.keys(stop.state).length > 0 || stepper === null;
    stepperSection.open = true;
    if (fresh) await buildGraph();
    stepperSection.scrollIntoView({ block: 'nearest' });
  } else applyState(stop.state, stop.action);
  await renderTex($('tour-formula'), stop.tex);
}
$('tour-back').addEventListener('click', () => void showStop(stopIndex - 1));
$('tour-next').addEventListener('click', () => void showStop(stopIndex + 1));
$('tour-close').addEventListener('click', () => {
  state = { ...state, tour: '' };
  saveState();
  $('tour').hidden = true;
});

// ---- start ----------------------------------------------------------------------------------

showState(state);
saveState();
reset();
if (state.tour !== '') void showStop(0);
