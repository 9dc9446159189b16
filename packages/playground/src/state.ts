// Everything that defines a run lives in the URL's query string, so a link reproduces it:
// the same data (set, noise, seed, ratio), the same initial weights (seed), the same training.
// The URL also carries how the page is shown: the pace, test points, discretized output, the
// controls a teacher hid (classroom mode) and a guided tour.
import { CLASSIFICATION_SETS, type DatasetName, PROBLEMS, type Problem, REGRESSION_SETS } from './datasets';
import { FEATURES, type FeatureName } from './features';

/** The hidden layers' activations: those whose derivatives docs/backprop.md gives (F7–F9). */
export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid'] as const;
/** One of ACTIVATIONS (the URL's `act`). */
export type HiddenActivation = (typeof ACTIVATIONS)[number];
/** The optimizers: 'momentum' is SGD with momentum 0.9; the others take their defaults but lr. */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
/** One of OPTIMIZERS (the URL's `opt`). */
export type OptimizerName = (typeof OPTIMIZERS)[number];
/** Weight penalties added to the data loss: λ Σ|W| (L1) or λ Σ W² (L2); biases are not penalised. */
export const REGULARIZATIONS = ['none', 'l1', 'l2'] as const;
/** One of REGULARIZATIONS (the URL's `reg`). */
export type Regularization = (typeof REGULARIZATIONS)[number];
/** The guided tours (the URL's `tour`). */
export const TOURS = ['xor', 'vanishing', 'chain-rule'] as const;
/** One of TOURS. */
export type TourName = (typeof TOURS)[number];
/** Paces offered, in optimizer steps per second; 0 is full speed. */
export const PACES = [1, 2, 5, 10, 30, 100, 300, 1000, 0] as const;
/** The controls a classroom URL may hide (`hide=lr,features`): their `data-control` names. */
export const HIDEABLE = [
  'problem',
  'data',
  'noise',
  'test-ratio',
  'seed',
  'features',
  'hidden',
  'act',
  'opt',
  'lr',
  'batch',
  'regularization',
  'reg-rate',
  'pace',
  'show-test',
  'discretize',
  'layers',
  'trace',
  'presets',
  'stepper',
] as const;

/** A playground run, as the URL holds it. */
export interface PlaygroundState {
  /** Classification (labels 0/1, sigmoid output, F11) or regression (targets in [−1, 1], linear output, F10). */
  problem: Problem;
  data: DatasetName;
  /** Standard deviation of the Gaussian noise added to each coordinate. */
  noise: number;
  /** Percentage of the points used for training; the rest are held out. */
  ratio: number;
  /** Seeds the data, the initial weights and the mini-batch order. */
  seed: number;
  /** The network's inputs, computed from (x₁, x₂). */
  features: FeatureName[];
  /** Widths of the hidden layers (none: a linear model); the network is inputs → hidden… → 1. */
  hidden: number[];
  act: HiddenActivation;
  opt: OptimizerName;
  lr: number;
  batch: number;
  reg: Regularization;
  /** λ of the weight penalty. */
  regRate: number;
  /** Optimizer steps per second (one of PACES; 0: as fast as the machine goes). */
  pace: number;
  /** Draw the held-out points too. */
  showTest: boolean;
  /** Colour the output by its decision only (sign), not by how sure it is. */
  discretize: boolean;
  /** data-control names of controls hidden from view (classroom mode). */
  hide: string[];
  /** The guided tour shown, or '' for none. */
  tour: TourName | '';
  /** The scalar expression of the graph stepper and its variables' values. */
  expr: string;
  vars: string;
}

/** The run a bare URL gets: two moons, 2-8-8-1 tanh, Adam, 30 steps a second. */
export const DEFAULT_STATE: PlaygroundState = {
  problem: 'classification',
  data: 'moons',
  noise: 0.1,
  ratio: 50,
  seed: 1,
  features: ['x1', 'x2'],
  hidden: [8, 8],
  act: 'tanh',
  opt: 'adam',
  lr: 0.03,
  batch: 32,
  reg: 'none',
  regRate: 0,
  pace: 30,
  showTest: false,
  discretize: false,
  hide: [],
  tour: '',
  expr: 'tanh(a*b + c) * a',
  vars: 'a = 2, b = -0.5, c = 0.3',
};

/** Number of points generated in all, split into training and held-out points by `ratio`. */
export const TOTAL_POINTS = 400;
/** The accepted range of each numeric setting (inclusive). */
export const LIMITS = {
  noise: [0, 0.5],
  ratio: [10, 90],
  seed: [0, 2 ** 31 - 1],
  lr: [1e-5, 10],
  batch: [1, TOTAL_POINTS],
  regRate: [0, 10],
} as const;
/** At most this many hidden layers of at most this many units: the drawing stays readable. */
export const MAX_LAYERS = 6;
/** See MAX_LAYERS. */
export const MAX_UNITS = 16;

/** How many of the TOTAL_POINTS train, and how many are held out, at `ratio` percent. */
export function split(ratio: number): { train: number; test: number } {
  const train = Math.round((TOTAL_POINTS * ratio) / 100);
  return { train, test: TOTAL_POINTS - train };
}

/**
 * The state a query string describes. Missing keys take their defaults; a value that is out of
 * range or unknown takes its default too, and is reported in `warnings` (shown on the page).
 */
export function parseState(search: string): { state: PlaygroundState; warnings: string[] } {
  const q = new URLSearchParams(search);
  const warnings: string[] = [];
  const state: PlaygroundState = structuredClone(DEFAULT_STATE);
  const pick = <K extends keyof PlaygroundState>(
    key: K,
    parse: (s: string) => PlaygroundState[K] | null,
    why: string,
  ) => {
    const raw = q.get(key);
    if (raw === null) return;
    const v = parse(raw);
    if (v === null) warnings.push(`${key}=${raw} ignored: expected ${why}`);
    else state[key] = v;
  };
  const oneOf =
    <T extends string>(options: readonly T[]) =>
    (s: string): T | null =>
      (options as readonly string[]).includes(s) ? (s as T) : null;
  const number =
    (lo: number, hi: number, integer = false) =>
    (s: string) => {
      const v = Number(s);
      return s.trim() !== '' && Number.isFinite(v) && v >= lo && v <= hi && (!integer || Number.isInteger(v))
        ? v
        : null;
    };
  const flag = (s: string) => (s === '1' || s === 'true' ? true : s === '0' || s === 'false' ? false : null);
  pick('problem', oneOf(PROBLEMS), `one of ${PROBLEMS.join(', ')}`);
  const sets = state.problem === 'classification' ? CLASSIFICATION_SETS : REGRESSION_SETS;
  state.data = sets[0];
  pick('data', oneOf<DatasetName>(sets), `for ${state.problem}, one of ${sets.join(', ')}`);
  pick('noise', number(...LIMITS.noise), `a number in [${LIMITS.noise.join(', ')}]`);
  pick('ratio', number(...LIMITS.ratio, true), `an integer percentage in [${LIMITS.ratio.join(', ')}]`);
  pick('seed', number(...LIMITS.seed, true), `an integer in [${LIMITS.seed.join(', ')}]`);
  pick('features', parseFeatures, `1 to ${FEATURES.length} of ${FEATURES.join(', ')}, comma-separated`);
  pick('hidden', parseHidden, `0 to ${MAX_LAYERS} comma-separated widths, each 1 to ${MAX_UNITS}`);
  pick('act', oneOf(ACTIVATIONS), `one of ${ACTIVATIONS.join(', ')}`);
  pick('opt', oneOf(OPTIMIZERS), `one of ${OPTIMIZERS.join(', ')}`);
  pick('lr', number(...LIMITS.lr), `a number in [${LIMITS.lr.join(', ')}]`);
  pick('batch', number(...LIMITS.batch, true), `an integer in [${LIMITS.batch.join(', ')}]`);
  pick('reg', oneOf(REGULARIZATIONS), `one of ${REGULARIZATIONS.join(', ')}`);
  pick('regRate', number(...LIMITS.regRate), `a number in [${LIMITS.regRate.join(', ')}]`);
  pick('pace', (s) => ((PACES as readonly number[]).includes(Number(s)) ? Number(s) : null), PACES.join(', '));
  pick('showTest', flag, '1 or 0');
  pick('discretize', flag, '1 or 0');
  pick('hide', parseHide, `comma-separated controls among ${HIDEABLE.join(', ')}`);
  pick('tour', oneOf<TourName | ''>(['', ...TOURS]), `one of ${TOURS.join(', ')}`);
  pick('expr', (s) => s, 'an expression');
  pick('vars', (s) => s, 'variable values');
  return { state, warnings };
}

/** `8,8` → [8, 8]; `` → [] (no hidden layer); null unless 0 to MAX_LAYERS integers in [1, MAX_UNITS]. */
export function parseHidden(s: string): number[] | null {
  if (s.trim() === '') return [];
  const widths = s.split(',').map((w) => (w.trim() === '' ? Number.NaN : Number(w.trim())));
  const ok = widths.length <= MAX_LAYERS && widths.every((w) => Number.isInteger(w) && w >= 1 && w <= MAX_UNITS);
  return ok ? widths : null;
}

/** `x1,x2,x1x2` → the features in FEATURES' order; null if empty, unknown or repeated. */
export function parseFeatures(s: string): FeatureName[] | null {
  const names = s.split(',').map((f) => f.trim());
  const known = names.every((f) => (FEATURES as readonly string[]).includes(f));
  if (s.trim() === '' || !known || new Set(names).size !== names.length) return null;
  return FEATURES.filter((f) => names.includes(f));
}

function parseHide(s: string): string[] | null {
  if (s.trim() === '') return [];
  const names = s.split(',').map((f) => f.trim());
  return names.every((n) => (HIDEABLE as readonly string[]).includes(n)) ? names : null;
}

/** The query string (with its `?`) that parseState turns back into `state`; view settings at their defaults are left out. */
export function toSearch(state: PlaygroundState): string {
  const q = new URLSearchParams();
  q.set('problem', state.problem);
  q.set('data', state.data);
  q.set('noise', String(state.noise));
  q.set('ratio', String(state.ratio));
  q.set('seed', String(state.seed));
  q.set('features', state.features.join(','));
  q.set('hidden', state.hidden.join(','));
  q.set('act', state.act);
  q.set('opt', state.opt);
  q.set('lr', String(state.lr));
  q.set('batch', String(state.batch));
  q.set('reg', state.reg);
  q.set('regRate', String(state.regRate));
  q.set('pace', String(state.pace));
  if (state.showTest) q.set('showTest', '1');
  if (state.discretize) q.set('discretize', '1');
  if (state.hide.length > 0) q.set('hide', state.hide.join(','));
  if (state.tour !== '') q.set('tour', state.tour);
  q.set('expr', state.expr);
  q.set('vars', state.vars);
  return `?${q.toString()}`;
}
