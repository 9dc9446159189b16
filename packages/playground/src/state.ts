// Everything that defines a run lives in the URL's query string, so a link reproduces it:
// the same data (set, noise, seed), the same initial weights (seed), the same training.
import { DATASETS, type DatasetName } from './datasets';

/** The hidden layers' activations: those whose derivatives docs/backprop.md gives (F7–F9). */
export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid'] as const;
/** One of ACTIVATIONS (the URL's `act`). */
export type HiddenActivation = (typeof ACTIVATIONS)[number];
/** The optimizers: 'momentum' is SGD with momentum 0.9; the others take their defaults but lr. */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
/** One of OPTIMIZERS (the URL's `opt`). */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** A playground run, as the URL holds it. */
export interface PlaygroundState {
  data: DatasetName;
  /** Standard deviation of the Gaussian noise added to each coordinate. */
  noise: number;
  /** Seeds the data, the initial weights and the mini-batch order. */
  seed: number;
  /** Widths of the hidden layers; the network is 2 → hidden… → 1. */
  hidden: number[];
  act: HiddenActivation;
  opt: OptimizerName;
  lr: number;
  batch: number;
  /** The scalar expression of the graph stepper and its variables' values. */
  expr: string;
  vars: string;
}

/** The run a bare URL gets: two moons, 2-8-8-1 tanh, Adam. */
export const DEFAULT_STATE: PlaygroundState = {
  data: 'moons',
  noise: 0.1,
  seed: 1,
  hidden: [8, 8],
  act: 'tanh',
  opt: 'adam',
  lr: 0.03,
  batch: 32,
  expr: 'tanh(a*b + c) * a',
  vars: 'a = 2, b = -0.5, c = 0.3',
};

/** Number of training points (and of held-out points); the batch size is at most this. */
export const TRAIN_SIZE = 200;
/** The accepted range of each numeric setting (inclusive). */
export const LIMITS = { noise: [0, 0.5], seed: [0, 2 ** 31 - 1], lr: [1e-5, 10], batch: [1, TRAIN_SIZE] } as const;
/** At most this many hidden layers of at most this many units: the drawing stays readable. */
export const MAX_LAYERS = 6;
/** See MAX_LAYERS. */
export const MAX_UNITS = 16;

/**
 * The state a query string describes. Missing keys take their defaults; a value that is out of
 * range or unknown takes its default too, and is reported in `warnings` (shown on the page).
 */
export function parseState(search: string): { state: PlaygroundState; warnings: string[] } {
  const q = new URLSearchParams(search);
  const warnings: string[] = [];
  const state: PlaygroundState = { ...DEFAULT_STATE, hidden: [...DEFAULT_STATE.hidden] };
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
  pick('data', oneOf(DATASETS), `one of ${DATASETS.join(', ')}`);
  pick('noise', number(...LIMITS.noise), `a number in [${LIMITS.noise.join(', ')}]`);
  pick('seed', number(...LIMITS.seed, true), `an integer in [${LIMITS.seed.join(', ')}]`);
  pick('hidden', parseHidden, `1 to ${MAX_LAYERS} comma-separated widths, each 1 to ${MAX_UNITS}`);
  pick('act', oneOf(ACTIVATIONS), `one of ${ACTIVATIONS.join(', ')}`);
  pick('opt', oneOf(OPTIMIZERS), `one of ${OPTIMIZERS.join(', ')}`);
  pick('lr', number(...LIMITS.lr), `a number in [${LIMITS.lr.join(', ')}]`);
  pick('batch', number(...LIMITS.batch, true), `an integer in [${LIMITS.batch.join(', ')}]`);
  pick('expr', (s) => s, 'an expression');
  pick('vars', (s) => s, 'variable values');
  return { state, warnings };
}

/** `8,8` → [8, 8]; null unless 1 to MAX_LAYERS integers, each in [1, MAX_UNITS]. */
export function parseHidden(s: string): number[] | null {
  const widths = s.split(',').map((w) => Number(w.trim()));
  const ok =
    s.trim() !== '' &&
    widths.length <= MAX_LAYERS &&
    widths.every((w) => Number.isInteger(w) && w >= 1 && w <= MAX_UNITS);
  return ok ? widths : null;
}

/** The query string (with its `?`) that parseState turns back into `state`. */
export function toSearch(state: PlaygroundState): string {
  const q = new URLSearchParams();
  q.set('data', state.data);
  q.set('noise', String(state.noise));
  q.set('seed', String(state.seed));
  q.set('hidden', state.hidden.join(','));
  q.set('act', state.act);
  q.set('opt', state.opt);
  q.set('lr', String(state.lr));
  q.set('batch', String(state.batch));
  q.set('expr', state.expr);
  q.set('vars', state.vars);
  return `?${q.toString()}`;
}
