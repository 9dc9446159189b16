// The WebAssembly float32 layer norm (forward and backward) against the TypeScript loops, over row
// widths around the SIMD width (odd widths take the one-lane tail), with and without weight and
// bias, adding into gradients that already hold values.
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { layerNorm, layerNormBackward, setKernels } from '../../src/kernels/index';
import { layerNormBackwardWasm, layerNormWasm } from '../../src/kernels/wasm/norm';
import { viaTs } from './via-ts';

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

/** got within float32 rounding of want, element by element, else an error naming the element. */
function expectNear(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as number;
    if (!(Math.abs((got[i] as number) - w) <= tol * Math.max(1, Math.abs(w)))) {
      throw new Error(`${name}[${i}]: wasm ${got[i]}, TypeScript ${w}`);
    }
  }
}

describe.skipIf(!wasmOn)('WebAssembly float32 layer norm', () => {
  beforeAll(() => setKernels('wasm'));

  it('forward and backward equal the TypeScript loops within float32 rounding', () => {
    const num = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 11 }), fc.boolean(), fc.boolean())
      .chain(([rows, d, hasW, hasB]) =>
        fc.record({
          rows: fc.constant(rows),
          d: fc.constant(d),
          x: fc.array(fc.oneof(num(-50, 50), num(99, 101)), { minLength: rows * d, maxLength: rows * d }),
          w: hasW ? fc.array(num(-2, 2), { minLength: d, maxLength: d }) : fc.constant(null),
          b: hasB ? fc.array(num(-2, 2), { minLength: d, maxLength: d }) : fc.constant(null),
          gy: fc.array(num(-3, 3), { minLength: rows * d, maxLength: rows * d }),
          held: fc.array(num(-1, 1), { minLength: rows * d, maxLength: rows * d }),
          grads: fc.constantFrom('all', 'x', 'params'),
        }),
      );
    fc.assert(
      fc.property(arb, ({ rows, d, x, w, b, gy, held, grads }) => {
        const X = Float32Array.from(x);
        const W = w && Float32Array.from(w);
        const B = b && Float32Array.from(b);
        const GY = Float32Array.from(gy);
        const [wantY, wantStats] = [new Float32Array(rows * d), new Float64Array(2 * rows)];
        viaTs(() => layerNorm(rows, d, 1e-5, X, W, B, wantY, wantStats));
        const [y, stats] = [new Float32Array(rows * d), new Float64Array(2 * rows)];
        layerNormWasm(rows, d, 1e-5, X, W, B, y, stats);
        expectNear('y', y, wantY, 1e-6);
        expectNear('stats', stats, wantStats, 1e-12);
        // gradients start from `held` (backward kernels add)
        const start = () => ({
          gx: grads !== 'params' ? Float32Array.from(held) : null,
          gw: grads !== 'x' && W ? Float32Array.from(held.slice(0, d)) : null,
          gb: grads !== 'x' && B ? Float32Array.from(held.slice(0, d)) : null,
        });
        const want = start();
        viaTs(() => layerNormBackward(rows, d, X, W, wantStats, GY, want.gx, want.gw, want.gb));
        const got = start();
        layerNormBackwardWasm(rows, d, X, W, wantStats, GY, got.gx, got.gw, got.gb);
        for (const k of ['gx', 'gw', 'gb'] as const) {
          const [g, e] = [got[k], want[k]];
          if (g && e) expectNear(k, g, e, 1e-5);
        }
      }),
      { numRuns: 300, seed: 23 },
    );
  });
});
