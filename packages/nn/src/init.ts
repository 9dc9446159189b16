// Weight initialisers, as torch.nn.init: Xavier/Glorot and Kaiming/He, uniform and normal, plus
// calculateGain and the fan computation. They overwrite t.data in place (no graph) and return t.
import { type Rng, rand, randn, type Tensor } from '@chainrule/core';
import { fail, floatInput, options, rngOption, show, tensorArg } from './check';

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
  return gain('calculateGain', nonlinearity, param);
}

function gain(op: string, nonlinearity: unknown, param: unknown): number {
  if (typeof nonlinearity === 'string' && UNIT_GAIN.has(nonlinearity)) return 1;
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
        fail(op, `negative slope of leakyRelu must be a finite number, got ${show(a)}`);
      }
      return Math.sqrt(2 / (1 + a * a));
    }
    default:
      return fail(
        op,
        `unsupported nonlinearity ${show(nonlinearity)}; expected one of ` +
          `${[...UNIT_GAIN, 'tanh', 'relu', 'leakyRelu', 'selu'].join(', ')}`,
      );
  }
}

/**
 * fanIn = shape[1]·r and fanOut = shape[0]·r, r = the product of shape[2:] (the receptive field),
 * as torch.nn.init. For a Linear weight [out, in]: fanIn = in, fanOut = out.
 * @throws ChainruleError for a tensor of fewer than 2 dims.
 */
export function calculateFans(t: Tensor): { fanIn: number; fanOut: number } {
  return fans('calculateFans', t);
}

function fans(op: string, t: unknown): { fanIn: number; fanOut: number } {
  const { shape } = tensorArg(op, 'the tensor', t);
  if (shape.length < 2) {
    fail(op, `fan in and fan out need a tensor of at least 2 dims, got shape [${shape.join(',')}]`);
  }
  let receptive = 1;
  for (let d = 2; d < shape.length; d++) receptive *= shape[d] as number;
  return { fanIn: (shape[1] as number) * receptive, fanOut: (shape[0] as number) * receptive };
}

function finite(op: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(op, `${key} must be a finite number, got ${show(value)}`);
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

/** σ of a Xavier initialiser of t, and its rng, after checking every argument. */
function xavier(op: string, t: unknown, opts: unknown): { t: Tensor; std: number; rng: Rng | undefined } {
  const o = options(op, opts, ['gain', 'rng']);
  const x = floatInput(op, t, 'the tensor');
  const { fanIn, fanOut } = fans(op, x);
  const std = finite(op, 'gain', o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return { t: x, std, rng: rngOption(op, o.rng) };
}

/** σ of a Kaiming initialiser of t, and its rng, after checking every argument. */
function kaiming(op: string, t: unknown, opts: unknown): { t: Tensor; std: number; rng: Rng | undefined } {
  const o = options(op, opts, ['a', 'mode', 'nonlinearity', 'rng']);
  const x = floatInput(op, t, 'the tensor');
  const { fanIn, fanOut } = fans(op, x);
  const mode = o.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') fail(op, `mode must be 'fanIn' or 'fanOut', got ${show(mode)}`);
  const a = finite(op, 'a', o.a ?? 0);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  return { t: x, std: gain(op, o.nonlinearity ?? 'leakyRelu', a) / Math.sqrt(fan), rng: rngOption(op, o.rng) };
}

/**
 * Xavier/Glorot uniform: t ~ U(−b, b), b = gain·√(6/(fanIn + fanOut)). In place; returns t.
 * @throws ChainruleError for a tensor of fewer than 2 dims, a non-finite gain or an invalid rng.
 */
export function xavierUniform(t: Tensor, opts: XavierOptions = {}): Tensor {
  const { std, rng } = xavier('xavierUniform', t, opts);
  return t.size === 0 ? t : fillUniform(t, Math.sqrt(3) * std, rng);
}

/**
 * Xavier/Glorot normal: t ~ N(0, σ²), σ = gain·√(2/(fanIn + fanOut)). In place; returns t.
 * @throws ChainruleError for a tensor of fewer than 2 dims, a non-finite gain or an invalid rng.
 */
export function xavierNormal(t: Tensor, opts: XavierOptions = {}): Tensor {
  const { std, rng } = xavier('xavierNormal', t, opts);
  return t.size === 0 ? t : fillNormal(t, std, rng);
}

/**
 * Kaiming/He uniform: t ~ U(−b, b), b = gain·√(3/fan), gain = calculateGain(nonlinearity, a),
 * fan = fanIn or fanOut by `mode`. (`a = √5` gives PyTorch's default Linear weight, b = 1/√fanIn.)
 * In place; returns t; a tensor with no elements is returned untouched.
 * @throws ChainruleError for a tensor of fewer than 2 dims, an invalid mode, nonlinearity, a or rng.
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const { std, rng } = kaiming('kaimingUniform', t, opts);
  return t.size === 0 ? t : fillUniform(t, Math.sqrt(3) * std, rng);
}

/**
 * Kaiming/He normal: t ~ N(0, σ²), σ = gain/√fan, gain = calculateGain(nonlinearity, a),
 * fan = fanIn or fanOut by `mode`. In place; returns t; a tensor with no elements is returned untouched.
 * @throws ChainruleError for a tensor of fewer than 2 dims, an invalid mode, nonlinearity, a or rng.
 */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const { std, rng } = kaiming('kaimingNormal', t, opts);
  return t.size === 0 ? t : fillNormal(t, std, rng);
}
