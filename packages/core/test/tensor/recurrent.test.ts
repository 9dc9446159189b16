// The fused LSTM cell step: hand values, the same numbers and gradients as the composite of
// elementwise ops it replaces (float64 and float32, both kernel sets), gradcheck, and its errors.
import { describe, expect, it } from 'vitest';
import { lstmCell, noGrad, Rng, type Tensor, tensor, zeros } from '../../src/index';
import { expectClose, expectGradcheck, rand64 } from './helpers';

/** The composite the fused op replaces, as the LSTM layer wrote it with core ops. */
function composite(gi: Tensor, gh: Tensor, c: Tensor): [Tensor, Tensor] {
  const [ai, af, ag, ao] = gi.add(gh).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const cNext = af.sigmoid().mul(c).add(ai.sigmoid().mul(ag.tanh()));
  return [ao.sigmoid().mul(cNext.tanh()), cNext];
}

describe('lstmCell', () => {
  it('hand values: zero gates give i = f = o = ½ and g = 0', () => {
    // c' = ½·c + ½·0, h = ½·tanh(c'): with c = [1, −2], c' = [0.5, −1]
    const [h, c1] = lstmCell(
      zeros([1, 8], { dtype: 'float64' }),
      zeros([1, 8], { dtype: 'float64' }),
      tensor([[1, -2]], { dtype: 'float64' }),
    );
    expectClose(c1.data, [0.5, -1], 1e-15);
    expectClose(h.data, [0.5 * Math.tanh(0.5), 0.5 * Math.tanh(-1)], 1e-15);
    expect(h.shape).toEqual([1, 2]);
  });

  it('hand values: saturated gates (i = f = o → 1, g → 1) give c′ = c + 1, h = tanh(c′)', () => {
    const big = tensor([[40, 40, 40, 40]], { dtype: 'float64' });
    const [h, c1] = lstmCell(big, zeros([1, 4], { dtype: 'float64' }), tensor([[0.25]], { dtype: 'float64' }));
    expectClose(c1.data, [1.25], 1e-15);
    expectClose(h.data, [Math.tanh(1.25)], 1e-15);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: the composite's values and gradients, at a size that takes the WebAssembly path in float32`, () => {
      const r = new Rng(5);
      const [N, H] = [16, 72]; // 4608 gate elements: past WASM_MIN_ELEMENTWISE
      const make = (shape: number[], s: number) => rand64(shape, -s, s, r).detach().to(dtype);
      const inputs = [make([N, 4 * H], 3), make([N, 4 * H], 2), make([N, H], 2)] as const;
      const wh = rand64([N, H], -1, 1, r).detach().to(dtype);
      const wc = rand64([N, H], -1, 1, r).detach().to(dtype);
      const run = (f: typeof composite) => {
        const xs = inputs.map((x) => {
          const leaf = x.clone();
          leaf.requiresGrad = true;
          return leaf;
        });
        const [h, c1] = f(xs[0] as Tensor, xs[1] as Tensor, xs[2] as Tensor);
        h.mul(wh).sum().add(c1.mul(wc).sum()).backward();
        return [h, c1, ...xs.map((x) => x.grad as Tensor)];
      };
      const want = run(composite);
      const got = run(lstmCell);
      const tol = dtype === 'float64' ? 1e-13 : 2e-6;
      for (const [i, w] of want.entries()) expectClose((got[i] as Tensor).data, w.data, tol);
    });
  }

  it('under noGrad (no activations kept): the same h and c′, and no graph', () => {
    const r = new Rng(8);
    const [gi, gh] = [rand64([40, 128], -3, 3, r), rand64([40, 128], -3, 3, r)].map((t) => t.detach().to('float32'));
    const c = rand64([40, 32], -2, 2, r).detach().to('float32');
    c.requiresGrad = true;
    const [h, c1] = lstmCell(gi as Tensor, gh as Tensor, c);
    const [h0, c0] = noGrad(() => lstmCell(gi as Tensor, gh as Tensor, c));
    expect([...h0.data]).toEqual([...h.data]);
    expect([...c0.data]).toEqual([...c1.data]);
    expect(h0.requiresGrad || c0.requiresGrad).toBe(false);
  });

  it('gradcheck (float64) with respect to gi, gh and c, through h and c′ together and apart', () => {
    const xs = () => [rand64([3, 8]), rand64([3, 8]), rand64([3, 2])];
    const w = rand64([3, 2]).detach();
    expectGradcheck((gi, gh, c) => {
      const [h, c1] = lstmCell(gi as Tensor, gh as Tensor, c as Tensor);
      return h.mul(w).add(c1.square());
    }, xs());
    expectGradcheck((gi, gh, c) => lstmCell(gi as Tensor, gh as Tensor, c as Tensor)[0], xs());
    expectGradcheck((gi, gh, c) => lstmCell(gi as Tensor, gh as Tensor, c as Tensor)[1], xs());
  });

  it('batches over leading dims and runs unbatched ([4H] and [H])', () => {
    const gi = rand64([2, 3, 12]).detach();
    const gh = rand64([2, 3, 12]).detach();
    const c = rand64([2, 3, 3]).detach();
    const [h, c1] = lstmCell(gi, gh, c);
    const [wh, wc] = composite(gi, gh, c);
    expect(h.shape).toEqual([2, 3, 3]);
    expectClose(h.data, wh.data, 1e-14);
    expectClose(c1.data, wc.data, 1e-14);
    const [h1] = lstmCell(
      gi.reshape([72]).narrow(0, 0, 12),
      gh.reshape([72]).narrow(0, 0, 12),
      c.reshape([18]).narrow(0, 0, 3),
    );
    expectClose(h1.data, wh.data.subarray(0, 3), 1e-14);
  });

  it('errors name the op, the shapes and what was expected, and change nothing', () => {
    const gi = zeros([2, 8]);
    expect(() => lstmCell(gi, zeros([2, 4]), zeros([2, 2]))).toThrow(
      'lstmCell: gi [2,8] and gh [2,4] must be one shape [..., 4H] (H > 0) and c [2,2] [..., H], here [2,2]',
    );
    expect(() => lstmCell(zeros([2, 6]), zeros([2, 6]), zeros([2, 2]))).toThrow(
      'lstmCell: gi [2,6] and gh [2,6] must be one shape [..., 4H] (H > 0) and c [2,2] [..., H]',
    );
    expect(() => lstmCell(gi, gi, zeros([2, 3]))).toThrow('and c [2,3] [..., H], here [2,2]');
    expect(() => lstmCell(gi, zeros([2, 8], { dtype: 'float64' }), zeros([2, 2]))).toThrow(
      'lstmCell: gi, gh and c must share one dtype, got float32, float64 and float32',
    );
    expect(() => lstmCell(gi, gi, tensor([[1, 2]], { dtype: 'int32' }))).toThrow(
      'lstmCell: c must be float32 or float64, got int32',
    );
    expect(() => lstmCell(gi, [1] as unknown as Tensor, gi)).toThrow(
      'lstmCell: gh must be a Tensor of at least 1 dim, got [1]',
    );
    expect(gi.data.every((v) => v === 0)).toBe(true);
  });
});
