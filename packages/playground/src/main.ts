// The page: reads the run from the URL, hands training to the worker, draws its frames, and runs
// the scalar-graph stepper on the main thread (a few dozen Values at most).
import 'katex/dist/katex.min.css';
import { toDot, type Value } from '@chainrule/core';
import katex from 'katex';
import { DATASETS, type Points } from './datasets';
import { drawBoundary, drawLoss, drawNetwork, toCanvas } from './draw';
import { buildExpression, parseVars } from './expression';
import { deltaByFormula, neuronFormulas, zByFormula } from './formula';
import type { Command, Frame, Report } from './protocol';
import { ACTIVATIONS, OPTIMIZERS, type PlaygroundState, parseState, toSearch } from './state';
import { BackwardStepper, type StepRecord } from './stepper';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const parsed = parseState(location.search);
let state: PlaygroundState = parsed.state;
const warnings = $<HTMLParagraphElement>('warnings');
function warn(lines: string[]): void {
  warnings.hidden = lines.length === 0;
  warnings.textContent = lines.join('; ');
}
warn(parsed.warnings);

// ---- 1. train live -------------------------------------------------------------------------

const controls = {
  data: $<HTMLSelectElement>('data'),
  noise: $<HTMLInputElement>('noise'),
  seed: $<HTMLInputElement>('seed'),
  hidden: $<HTMLInputElement>('hidden'),
  act: $<HTMLSelectElement>('act'),
  opt: $<HTMLSelectElement>('opt'),
  lr: $<HTMLInputElement>('lr'),
  batch: $<HTMLInputElement>('batch'),
};
const fill = (select: HTMLSelectElement, options: readonly string[]) => {
  for (const o of options) select.add(new Option(o, o));
};
fill(controls.data, DATASETS);
fill(controls.act, ACTIVATIONS);
fill(controls.opt, OPTIMIZERS);

function showState(s: PlaygroundState): void {
  controls.data.value = s.data;
  controls.noise.value = String(s.noise);
  $('noise-value').textContent = s.noise.toFixed(2);
  controls.seed.value = String(s.seed);
  controls.hidden.value = s.hidden.join(',');
  controls.act.value = s.act;
  controls.opt.value = s.opt;
  controls.lr.value = String(s.lr);
  controls.batch.value = String(s.batch);
  exprInput.value = s.expr;
  varsInput.value = s.vars;
}

/** The state the controls describe, checked by the URL's own parser; null (with a warning) if invalid. */
function readControls(): PlaygroundState | null {
  const q = new URLSearchParams(toSearch(state));
  for (const [key, input] of Object.entries(controls)) q.set(key, input.value);
  q.set('expr', exprInput.value);
  q.set('vars', varsInput.value);
  const next = parseState(`?${q}`);
  warn(next.warnings);
  return next.warnings.length === 0 ? next.state : null;
}

function saveState(): void {
  history.replaceState(null, '', toSearch(state));
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (cmd: Command) => worker.postMessage(cmd);

const boundary = $<HTMLCanvasElement>('boundary');
const lossCanvas = $<HTMLCanvasElement>('loss');
const network = document.getElementById('network') as unknown as SVGSVGElement;
const inspector = $<HTMLDivElement>('inspector');
const playButton = $<HTMLButtonElement>('play');

let points: Points | null = null;
let losses: number[] = [];
let last: Frame | null = null;
let selected: { layer: number; unit: number } | null = null;
/** The number of the current run: reports of an earlier run still in flight are dropped. */
let run = 0;

function reset(): void {
  losses = [];
  last = null;
  selected = null;
  playButton.textContent = 'start';
  run++;
  send({ kind: 'reset', state, run });
}

worker.onmessage = (e: MessageEvent<Report>) => {
  const r = e.data;
  if (r.run !== run) return;
  if (r.kind === 'data') points = r.train;
  else if (r.kind === 'error') warn([`training stopped: ${r.message}`]);
  else render(r.frame);
};
worker.onerror = (e) => warn([`the training worker failed: ${e.message}`]);

function render(f: Frame): void {
  last = f;
  losses.push(...f.newLosses);
  drawBoundary(boundary, f.grid, f.res, f.domain, points, f.trace.index);
  drawLoss(lossCanvas, losses);
  const pct = (a: number) => `${(100 * a).toFixed(1)}%`;
  setStat('step-count', String(f.steps), f.steps);
  const lastLoss = losses[losses.length - 1];
  setStat('loss-value', lastLoss === undefined ? '–' : lastLoss.toFixed(4), lastLoss ?? Number.NaN);
  setStat('train-accuracy', pct(f.trainAccuracy), f.trainAccuracy);
  setStat('test-accuracy', pct(f.testAccuracy), f.testAccuracy);
  setStat('rate', f.running ? f.stepsPerSecond.toFixed(0) : '–', f.stepsPerSecond);
  drawNetwork(network, f.layers, f.trace, selected);
  renderInspector();
  document.body.dataset.trained = String(f.steps);
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
  $('noise-value').textContent = state.noise.toFixed(2);
  saveState();
  reset();
}
for (const input of Object.values(controls)) input.addEventListener('change', restart);
controls.noise.addEventListener('input', () => {
  $('noise-value').textContent = Number(controls.noise.value).toFixed(2);
});

playButton.addEventListener('click', () => {
  const play = playButton.textContent === 'start';
  playButton.textContent = play ? 'pause' : 'start';
  send({ kind: play ? 'play' : 'pause' });
});
$('step').addEventListener('click', () => {
  playButton.textContent = 'start';
  send({ kind: 'step' });
});
$('reset').addEventListener('click', reset);

// a click on the heat map traces the nearest training point
boundary.addEventListener('click', (e) => {
  if (points === null || last === null) return;
  const rect = boundary.getBoundingClientRect();
  const px = ((e.clientX - rect.left) * boundary.width) / rect.width;
  const py = ((e.clientY - rect.top) * boundary.height) / rect.height;
  const domain = last.domain;
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  points.x.forEach((p, i) => {
    const [cx, cy] = toCanvas(boundary, domain, p);
    const d = (cx - px) ** 2 + (cy - py) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  });
  send({ kind: 'probe', index: best });
});

// ---- 2. see the gradients: the neuron inspector ---------------------------------------------

network.addEventListener('click', (e) => {
  const target = e.target as Element;
  if (!target.classList.contains('neuron') || !target.hasAttribute('data-layer')) return;
  selected = { layer: Number(target.getAttribute('data-layer')), unit: Number(target.getAttribute('data-unit')) };
  if (last) drawNetwork(network, last.layers, last.trace, selected);
  renderInspector();
});

function renderInspector(): void {
  if (selected === null || last === null) return;
  const { layer: l, unit: j } = selected;
  if (l >= last.layers.length || j >= (last.layers[l]?.bias.length ?? 0)) {
    selected = null;
    inspector.innerHTML = '<p class="hint">No neuron selected.</p>';
    return;
  }
  const { layers, trace } = last;
  const f = neuronFormulas(layers, trace, l, j, state.act);
  const output = l === layers.length - 1;
  const byFormula = deltaByFormula(layers, trace, l, j, state.act);
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
  inspector.innerHTML = `
    <p><strong>${output ? 'output neuron' : `hidden layer ${l + 1}, neuron ${j + 1}`}</strong>
      for training example #${trace.index} x = (${x1.toFixed(3)}, ${x2.toFixed(3)}), label t = ${trace.t},
      its loss alone L = ${trace.loss.toPrecision(4)} (step ${last.steps}; click a dot of the heat map for another example)</p>
    <div class="formula" data-part="z"></div><p class="hint">F1, the layer</p>
    <div class="formula" data-part="a"></div><p class="hint">F1, the activation</p>
    <div class="formula" data-part="delta"></div><p class="hint">${f.delta.refs}: the error term δ = ∂L/∂z</p>
    <p class="check">δ by autodiff (grad of L with respect to z): <span id="delta-autodiff">${f.delta.value.toPrecision(6)}</span>;
      the formula with the numbers above: <span id="delta-formula">${byFormula.toPrecision(6)}</span></p>`;
  for (const part of ['z', 'a', 'delta'] as const) {
    const div = inspector.querySelector(`[data-part="${part}"]`) as HTMLElement;
    katex.render(f[part].tex, div, { displayMode: true, throwOnError: false });
  }
}

// ---- 3. the scalar graph, step by step ------------------------------------------------------

const exprInput = $<HTMLInputElement>('expr');
const varsInput = $<HTMLInputElement>('vars');
const graphDiv = $<HTMLDivElement>('graph');
const stepsLog = $<HTMLOListElement>('steps-log');
const exprError = $<HTMLParagraphElement>('expr-error');
// Graphviz (WebAssembly, embedded in @viz-js/viz's 1.4 MB script) loads in its own chunk, after the page
const viz = import('@viz-js/viz').then((m) => m.instance());
let stepper: BackwardStepper | null = null;

async function drawGraph(): Promise<void> {
  if (stepper === null) return;
  const svg = (await viz).renderSVGElement(toDot(stepper.root));
  const doneFrom = stepper.order.length - stepper.processed;
  for (const g of svg.querySelectorAll('g.node')) {
    const m = /^n(\d+)$/.exec(g.querySelector('title')?.textContent ?? '');
    if (!m) continue;
    const i = Number(m[1]);
    g.setAttribute('data-node', String(i));
    if (i === doneFrom) g.classList.add('current');
    else if (i > doneFrom) g.classList.add('done');
  }
  graphDiv.replaceChildren(svg);
}

async function buildGraph(): Promise<void> {
  stepsLog.replaceChildren();
  let root: Value;
  try {
    root = buildExpression(exprInput.value, parseVars(varsInput.value)).root;
  } catch (err) {
    stepper = null;
    graphDiv.replaceChildren();
    exprError.hidden = false;
    exprError.textContent = (err as Error).message;
    return;
  }
  exprError.hidden = true;
  stepper = new BackwardStepper(root);
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
    logStep(s);
  } while (all);
  await drawGraph();
}

$('build').addEventListener('click', () => void buildGraph());
for (const input of [exprInput, varsInput]) {
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void buildGraph();
  });
}
$('backward-step').addEventListener('click', () => void stepGraph(false));
$('backward-all').addEventListener('click', () => void stepGraph(true));

// ---- start ----------------------------------------------------------------------------------

showState(state);
saveState();
reset();
void buildGraph().then(() => {
  document.body.dataset.graphReady = 'true';
});
