// Initialisers against torch.nn.init's formulas: bounds of the uniform variants, sample std of the
// normal variants, fans, gains and determinism under a seed.
import { ChainruleError, manualSeed, Rng, type Tensor, zeros } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { calculateFans, calculateGain, kaimingNormal, kaimingUniform, xavierNormal, xavierUniform } from '../src/index';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  let sum = 0;
  let maxAbs = 0;
  for (const x of t.data) {
    sum += x;
    maxAbs = Math.max(maxAbs, Math.abs(x));
  }
  const mean = sum / t.size;
  let sq = 0;
  for (const x of t.data) sq += (x - mean) ** 2;
  return { mean, std: Math.sqrt(sq / (t.size - 1)), maxAbs };
}

describe('calculateGain', () => {
  it('matches torch.nn.init.calculate_gain', () => {
    expect(calculateGain('linear')).toBe(1);
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('conv2d')).toBe(1);
    expect(calculateGain('convTranspose3d')).toBe(1);
    expect(calculateGain('relu')).toBe(Math.SQRT2);
    expect(calculateGain('tanh')).toBe(5 / 3);
    expect(calculateGain('selu')).toBe(3 / 4);
    expect(calculateGain('leakyRelu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(calculateGain('leakyRelu', 0.2)).toBe(Math.sqrt(2 / (1 + 0.2 ** 2)));
    expect(calculateGain('leakyRelu', 0)).toBe(Math.SQRT2);
  });

  it('rejects unknown nonlinearities', () => {
    expect(() => calculateGain('gelu' as 'relu')).toThrow(ChainruleError);
    expect(() => calculateGain('gelu' as 'relu')).toThrow(/calculateGain: unsupported nonlinearity 'gelu'/);
    expect(() => calculateGain('leakyRelu', Number.NaN)).toThrow(/negative slope of leakyRelu must be a finite number/);
  });
});

describe('calculateFans', () => {
  it('fanIn = size(1)·receptive field, fanOut = size(0)·receptive field', () => {
    expect(calculateFans(zeros([5, 3]))).toEqual({ fanIn: 3, fanOut: 5 });
    expect(calculateFans(zeros([16, 8, 3, 3]))).toEqual({ fanIn: 72, fanOut: 144 });
  });

  it('needs at least 2 dims', () => {
    expect(() => calculateFans(zeros([5]))).toThrow(
      new ChainruleError('calculateFans: fan in and fan out need a tensor of at least 2 dims, got shape [5]'),
    );
    expect(() => xavierUniform(zeros([]))).toThrow(/xavierUniform: fan in and fan out need .* got shape \[\]/);
    expect(() => kaimingNormal(zeros([4]))).toThrow(/kaimingNormal: fan in and fan out/);
  });
});

describe('xavierUniform / xavierNormal', () => {
  it('xavierUniform stays within ±gain·√(6/(fanIn + fanOut)) and fills the range', () => {
    const t = zeros([64, 32], { dtype: 'float64' });
    expect(xavierUniform(t, { gain: 2, rng: new Rng(1) })).toBe(t);
    const bound = 2 * Math.sqrt(6 / (32 + 64));
    const { maxAbs, std } = stats(t);
    expect(maxAbs).toBeLessThanOrEqual(bound);
    expect(maxAbs).toBeGreaterThan(0.98 * bound);
    expect(std).toBeCloseTo(bound / Math.sqrt(3), 2);
  });

  it('xavierUniform on float32 respects the bound rounded to float32', () => {
    const t = zeros([30, 20, 2]);
    xavierUniform(t, { rng: new Rng(2) });
    expect(stats(t).maxAbs).toBeLessThanOrEqual(Math.fround(Math.sqrt(6 / (40 + 60))));
  });

  it('F25: xavierNormal has std gain·√(2/(fanIn + fanOut)) within 2%', () => {
    const t = zeros([400, 600], { dtype: 'float64' });
    xavierNormal(t, { gain: 5 / 3, rng: new Rng(3) });
    const { mean, std } = stats(t);
    const want = (5 / 3) * Math.sqrt(2 / 1000);
    expect(Math.abs(std / want - 1)).toBeLessThan(0.02);
    expect(Math.abs(mean)).toBeLessThan(0.01 * want);
  });

  it('rejects a bad gain or rng', () => {
    expect(() => xavierUniform(zeros([2, 2]), { gain: Number.NaN })).toThrow(
      'xavierUniform: gain must be a finite number, got NaN',
    );
    expect(() => xavierNormal(zeros([2, 2]), { rng: {} as Rng })).toThrow('xavierNormal: rng must be an Rng');
  });
});

describe('kaimingUniform / kaimingNormal', () => {
  it('kaimingUniform (relu default) stays within √2·√(3/fanIn)', () => {
    const t = zeros([50, 200], { dtype: 'float64' });
    kaimingUniform(t, { rng: new Rng(4) });
    const bound = Math.SQRT2 * Math.sqrt(3 / 200);
    expect(stats(t).maxAbs).toBeLessThanOrEqual(bound);
    expect(stats(t).maxAbs).toBeGreaterThan(0.98 * bound);
  });

  it('kaimingUniform with a = √5 gives PyTorch’s Linear bound 1/√fanIn', () => {
    const t = zeros([50, 200], { dtype: 'float64' });
    kaimingUniform(t, { a: Math.sqrt(5), rng: new Rng(5) });
    const bound = 1 / Math.sqrt(200);
    expect(stats(t).maxAbs).toBeLessThanOrEqual(bound + 1e-15);
    expect(stats(t).maxAbs).toBeGreaterThan(0.98 * bound);
  });

  it('F25: kaimingNormal has std gain/√fan within 2%, for fanIn and fanOut', () => {
    const a = zeros([500, 400], { dtype: 'float64' });
    kaimingNormal(a, { rng: new Rng(6) });
    expect(Math.abs(stats(a).std / (Math.SQRT2 / Math.sqrt(400)) - 1)).toBeLessThan(0.02);
    const b = zeros([500, 400], { dtype: 'float64' });
    kaimingNormal(b, { mode: 'fanOut', nonlinearity: 'tanh', rng: new Rng(7) });
    expect(Math.abs(stats(b).std / (5 / 3 / Math.sqrt(500)) - 1)).toBeLessThan(0.02);
  });

  it('rejects a bad mode or nonlinearity, and leaves an empty tensor untouched', () => {
    expect(() => kaimingUniform(zeros([2, 2]), { mode: 'in' as 'fanIn' })).toThrow(
      "kaimingUniform: mode must be 'fanIn' or 'fanOut', got 'in'",
    );
    expect(() => kaimingNormal(zeros([2, 2]), { nonlinearity: 'swish' as 'relu' })).toThrow(/unsupported nonlinearity/);
    const empty = zeros([0, 5]);
    expect(kaimingUniform(empty)).toBe(empty);
  });
});

describe('determinism', () => {
  it('the same seed gives the same values, another seed others', () => {
    const draw = (seed: number) => Array.from(kaimingNormal(zeros([8, 8]), { rng: new Rng(seed) }).data);
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('without rng, the global generator seeded by manualSeed is used', () => {
    const draw = () => Array.from(xavierUniform(zeros([8, 8])).data);
    manualSeed(9);
    const first = draw();
    manualSeed(9);
    expect(draw()).toEqual(first);
    expect(draw()).not.toEqual(first);
  });
});
