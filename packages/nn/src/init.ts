// Weight initialisers, as torch.nn.init: Xavier/Glorot and Kaiming/He, uniform and normal,
// truncated normal, constants, plus calculateGain and the fan computation. They overwrite t.data
// in place (no graph) and return t.
import { erf, globalRng, type Rng, rand, randn, type Tensor, tensor } from '@chainrule/core';
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

/** Options of `uniform`: the bounds (default [0, 1)) and the random source. */
export interface UniformOptions {
  a?: number;
  b?: number;
  /** Random source; default: core's global generator (see manualSeed). */
  rng?: Rng;
}
/** Options of `normal` and `truncNormal`: mean (default 0), standard deviation (default 1), random source. */
export interface NormalOptions {
  mean?: number;
  std?: number;
  /** Random source; default: core's global generator (see manualSeed). */
  rng?: Rng;
}
/** Options of `truncNormal`: those of `normal`, and the bounds a (default −2) and b (default 2), in units of t. */
export interface TruncNormalOptions extends NormalOptions {
  a?: number;
  b?: number;
}

/**
 * t ~ U(a, b), default U(0, 1), as torch.nn.init.uniform_. In place; returns t.
 * @throws ChainruleError for a non-float tensor, bounds that are not finite with a ≤ b, or an invalid rng.
 */
export function uniform(t: Tensor, opts: UniformOptions = {}): Tensor {
  const op = 'uniform';
  const o = options(op, opts, ['a', 'b', 'rng']);
  const x = floatInput(op, t, 'the tensor');
  const a = finite(op, 'a', o.a ?? 0);
  const b = finite(op, 'b', o.b ?? 1);
  if (!(a <= b)) fail(op, `expects a ≤ b, got a = ${show(a)} and b = ${show(b)}`);
  const rng = rngOption(op, o.rng);
  if (x.size === 0) return x;
  const u = rand([x.size], { dtype: 'float64', rng }).data;
  for (let i = 0; i < x.size; i++) x.data[i] = a + (b - a) * (u[i] as number);
  x.bumpVersion();
  return x;
}

/**
 * t ~ N(mean, std²), default N(0, 1), as torch.nn.init.normal_. In place; returns t.
 * @throws ChainruleError for a non-float tensor, a non-finite mean, a std < 0, or an invalid rng.
 */
export function normal(t: Tensor, opts: NormalOptions = {}): Tensor {
  const op = 'normal';
  const o = options(op, opts, ['mean', 'std', 'rng']);
  const x = floatInput(op, t, 'the tensor');
  const mean = finite(op, 'mean', o.mean ?? 0);
  const std = finite(op, 'std', o.std ?? 1);
  if (std < 0) fail(op, `std must be ≥ 0, got ${show(std)}`);
  const rng = rngOption(op, o.rng);
  if (x.size === 0) return x;
  fillNormal(x, std, rng);
  if (mean !== 0) for (let i = 0; i < x.size; i++) x.data[i] = (x.data[i] as number) + mean;
  return x;
}

/**
 * t ~ N(mean, std²) truncated to [a, b] (default [−2, 2], absolute bounds as PyTorch's, not in
 * units of std), as torch.nn.init.trunc_normal_. The same distribution as PyTorch's, drawn
 * differently: by rejection (a draw outside [a, b] is drawn again), not by an inverse CDF.
 * In place; returns t.
 * @throws ChainruleError for a non-float tensor, non-finite options, std ≤ 0, a ≥ b, or an
 *   interval holding less than 10⁻⁴ of the normal's mass (rejection would not end).
 */
export function truncNormal(t: Tensor, opts: TruncNormalOptions = {}): Tensor {
  const op = 'truncNormal';
  const o = options(op, opts, ['mean', 'std', 'a', 'b', 'rng']);
  const x = floatInput(op, t, 'the tensor');
  const mean = finite(op, 'mean', o.mean ?? 0);
  const std = finite(op, 'std', o.std ?? 1);
  const a = finite(op, 'a', o.a ?? -2);
  const b = finite(op, 'b', o.b ?? 2);
  if (!(std > 0)) fail(op, `std must be > 0, got ${show(std)}`);
  if (!(a < b)) fail(op, `expects a < b, got a = ${show(a)} and b = ${show(b)}`);
  const rng = rngOption(op, o.rng);
  // the mass Φ(β) − Φ(α) of [a, b], Φ(z) = (1 + erf(z/√2))/2
  const z = erf(tensor([(a - mean) / std / Math.SQRT2, (b - mean) / std / Math.SQRT2], { dtype: 'float64' })).data;
  const mass = ((z[1] as number) - (z[0] as number)) / 2;
  if (!(mass >= 1e-4)) {
    fail(op, `[${a}, ${b}] holds ${mass.toExponential(2)} of N(${mean}, ${std}²), too little to sample by rejection`);
  }
  const source = rng ?? globalRng();
  for (let i = 0; i < x.size; i++) {
    let v: number;
    do v = mean + std * source.normal();
    while (v < a || v > b);
    x.data[i] = v;
  }
  x.bumpVersion();
  return x;
}

/**
 * Fills t with `value`, as torch.nn.init.constant_. In place; returns t.
 * @throws ChainruleError for a non-float tensor or a value that is not a number.
 */
export function constant(t: Tensor, value: number): Tensor {
  const x = floatInput('constant', t, 'the tensor');
  if (typeof value !== 'number') fail('constant', `value must be a number, got ${show(value)}`);
  x.data.fill(value);
  x.bumpVersion();
  return x;
}

/**
 * torch.nn.init in one object, with its names in camelCase (`init.zeros(w)` for
 * `nn.init.zeros_(w)`), for code ported from PyTorch. `zeros` and `ones` live only here, where
 * they do not shadow core's factories.
 * @example
 * import { init } from '@chainrule/nn';
 * init.truncNormal(layer.weight, { std: 0.02 });
 * init.zeros(layer.bias!);
 */
export const init = {
  uniform,
  normal,
  truncNormal,
  constant,
  /** Fills t with 0 (torch.nn.init.zeros_). */
  zeros: (t: Tensor): Tensor => constant(floatInput('zeros', t, 'the tensor'), 0),
  /** Fills t with 1 (torch.nn.init.ones_). */
  ones: (t: Tensor): Tensor => constant(floatInput('ones', t, 'the tensor'), 1),
  xavierUniform,
  xavierNormal,
  kaimingUniform,
  kaimingNormal,
  calculateGain,
  calculateFans,
};
