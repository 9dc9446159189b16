// Weight initialisers, as torch.nn.init: Xavier/Glorot and Kaiming/He, uniform and normal, plus
// calculateGain and the fan computation. They overwrite t.data in place (no graph) and return t.
import { ChainruleError, Rng, rand, randn, Tensor } from '@chainrule/core';

/** Nonlinearities known to calculateGain (torch.nn.init names in camelCase). */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'convTranspose1d'
  | 'convTranspose2d'
  | 'convTranspose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'selu';

/** Options of `xavierUniform` and `xavierNormal`. */
export interface XavierOptions {
  /** Scaling factor (default 1); see calculateGain. */
  gain?: number;
  /** Random source; default: core's global generator, the one `manualSeed` seeds and `randn`/`rand` use. */
  rng?: Rng;
}

/** Options of `kaimingUniform` and `kaimingNormal`. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU after this layer (default 0); used only for 'leakyRelu'. */
  a?: number;
  /** 'fanIn' (default) keeps the forward variance, 'fanOut' the backward variance. */
  mode?: 'fanIn' | 'fanOut';
  /** The nonlinearity after this layer (default 'leakyRelu', which with a = 0 is ReLU's gain √2). */
  nonlinearity?: Nonlinearity;
  /** Random source; default: core's global generator, the one `manualSeed` seeds and `randn`/`rand` use. */
  rng?: Rng;
}

const UNIT_GAIN = new Set([
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'convTranspose1d',
  'convTranspose2d',
  'convTranspose3d',
  'sigmoid',
]);

/**
 * The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain: 1 for linear, conv
 * and sigmoid, 5/3 for tanh, √2 for relu, √(2/(1 + a²)) for leakyRelu (a = `param`, default
 * 0.01), 3/4 for selu.
 * @throws ChainruleError for an unknown nonlinearity or a non-numeric leakyRelu slope.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (UNIT_GAIN.has(nonlinearity)) return 1;
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'selu':
      return 3 / 4;
    case 'leakyRelu': {
      const a = param ?? 0.01;
      if (typeof a !== 'number' || !Number.isFinite(a)) {
        throw new ChainruleError(
          `calculateGain: negative slope of leakyRelu must be a finite number, got ${String(a)}`,
        );
      }
      return Math.sqrt(2 / (1 + a * a));
    }
    default:
      throw new ChainruleError(
        `calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}; expected one of ` +
          `${[...UNIT_GAIN, 'tanh', 'relu', 'leakyRelu', 'selu'].join(', ')}`,
      );
  }
}

/**
 * fanIn = shape[1]·r and fanOut = shape[0]·r, r = the product of shape[2:] (the receptive field),
 * as torch.nn.init. For a Linear weight [out, in]: fanIn = in, fanOut = out.
 * @throws ChainruleError for a tensor of fewer than 2 dims.
 */
export function calculateFans(t: Tensor, op = 'calculateFans'): { fanIn: number; fanOut: number } {
  if (!(t instanceof Tensor)) throw new ChainruleError(`${op}: expected a Tensor, got ${typeof t}`);
  if (t.shape.length < 2) {
    throw new ChainruleError(
      `${op}: fan in and fan out need a tensor of at least 2 dims, got shape [${t.shape.join(',')}]`,
    );
  }
  let receptive = 1;
  for (let d = 2; d < t.shape.length; d++) receptive *= t.shape[d] as number;
  return { fanIn: (t.shape[1] as number) * receptive, fanOut: (t.shape[0] as number) * receptive };
}

function checkRng(op: string, rng: unknown): Rng | undefined {
  if (rng !== undefined && !(rng instanceof Rng))
    throw new ChainruleError(`${op}: rng must be an Rng, got ${typeof rng}`);
  return rng;
}

function finite(op: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ChainruleError(`${op}: ${key} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** Fills t with U(−bound, bound). */
function fillUniform(t: Tensor, bound: number, rng: Rng | undefined): Tensor {
  const u = rand([t.size], { dtype: 'float64', rng }).data;
  for (let i = 0; i < t.size; i++) t.data[i] = (2 * (u[i] as number) - 1) * bound;
  t.bumpVersion();
  return t;
}

/** Fills t with N(0, std²). */
function fillNormal(t: Tensor, std: number, rng: Rng | undefined): Tensor {
  const z = randn([t.size], { dtype: 'float64', rng }).data;
  for (let i = 0; i < t.size; i++) t.data[i] = (z[i] as number) * std;
  t.bumpVersion();
  return t;
}

function xavierStd(op: string, t: Tensor, opts: XavierOptions): number {
  const { fanIn, fanOut } = calculateFans(t, op);
  return finite(op, 'gain', opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
}

function kaimingStd(op: string, t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFans(t, op);
  const mode = opts.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') {
    throw new ChainruleError(`${op}: mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
  }
  const a = finite(op, 'a', opts.a ?? 0);
  return calculateGain(opts.nonlinearity ?? 'leakyRelu', a) / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut);
}

/**
 * Xavier/Glorot uniform: t ~ U(−b, b), b = gain·√(6/(fanIn + fanOut)). In place; returns t.
 * @throws ChainruleError for a tensor of fewer than 2 dims, a non-finite gain or an invalid rng.
 */
export function xavierUniform(t: Tensor, opts: XavierOptions = {}): Tensor {
  const std = xavierStd('xavierUniform', t, opts);
  const rng = checkRng('xavierUniform', opts.rng);
  return t.size === 0 ? t : fillUniform(t, Math.sqrt(3) * std, rng);
}

/**
 * Xavier/Glorot normal: t ~ N(0, σ²), σ = gain·√(2/(fanIn + fanOut)). In place; returns t.
 * @throws ChainruleError for a tensor of fewer than 2 dims, a non-finite gain or an invalid rng.
 */
export function xavierNormal(t: Tensor, opts: XavierOptions = {}): Tensor {
  const std = xavierStd('xavierNormal', t, opts);
  const rng = checkRng('xavierNormal', opts.rng);
  return t.size === 0 ? t : fillNormal(t, std, rng);
}

/**
 * Kaiming/He uniform: t ~ U(−b, b), b = gain·√(3/fan), gain = calculateGain(nonlinearity, a),
 * fan = fanIn or fanOut by `mode`. (`a = √5` gives PyTorch's default Linear weight, b = 1/√fanIn.)
 * In place; returns t; a tensor with no elements is returned untouched.
 * @throws ChainruleError for a tensor of fewer than 2 dims, an invalid mode, nonlinearity, a or rng.
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const rng = checkRng('kaimingUniform', opts.rng);
  if (t instanceof Tensor && t.size === 0) return t;
  return fillUniform(t, Math.sqrt(3) * kaimingStd('kaimingUniform', t, opts), rng);
}

/**
 * Kaiming/He normal: t ~ N(0, σ²), σ = gain/√fan, gain = calculateGain(nonlinearity, a),
 * fan = fanIn or fanOut by `mode`. In place; returns t; a tensor with no elements is returned untouched.
 * @throws ChainruleError for a tensor of fewer than 2 dims, an invalid mode, nonlinearity, a or rng.
 */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const rng = checkRng('kaimingNormal', opts.rng);
  if (t instanceof Tensor && t.size === 0) return t;
  return fillNormal(t, kaimingStd('kaimingNormal', t, opts), rng);
}
