// The WebAssembly float32 LSTM cell against the TypeScript loops, over row counts and hidden
// widths around the SIMD width (odd widths take the one-lane tail), large and tiny gate values.
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { lstmCell, setKernels } from '../../src/kernels/index';
import { lstmCellWasm } from '../../src/kernels/wasm/elementwise';
import { viaTs } from './via-ts';

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

describe.skipIf(!wasmOn)('WebAssembly float32 LSTM cell', () => {
  beforeAll(() => setKernels('wasm'));

  it('equals the TypeScript loops within float32 rounding: c′, h and the saved activations', () => {
    const gate = fc.oneof(
      fc.double({ min: -30, max: 30, noNaN: true }),
      fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
    );
    const arb = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 })).chain(([rows, hidden]) =>
      fc.record({
        rows: fc.constant(rows),
        hidden: fc.constant(hidden),
        gi: fc.array(gate, { minLength: rows * 4 * hidden, maxLength: rows * 4 * hidden }),
        gh: fc.array(gate, { minLength: rows * 4 * hidden, maxLength: rows * 4 * hidden }),
        c: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), {
          minLength: rows * hidden,
          maxLength: rows * hidden,
        }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ rows, hidden, gi, gh, c }) => {
        const inputs = [Float32Array.from(gi), Float32Array.from(gh), Float32Array.from(c)] as const;
        const outputs = () => [
          new Float32Array(rows * 5 * hidden),
          new Float32Array(rows * hidden),
          new Float32Array(rows * hidden),
        ];
        const [wantAct, wantC, wantH] = outputs() as [Float32Array, Float32Array, Float32Array];
        viaTs(() => lstmCell(rows, hidden, ...inputs, wantAct, wantC, wantH));
        const [act, cNext, h] = outputs() as [Float32Array, Float32Array, Float32Array];
        lstmCellWasm(rows, hidden, ...inputs, act, cNext, h);
        // without the saved activations (no graph), the same c′ and h
        const [, cBare, hBare] = outputs() as [Float32Array, Float32Array, Float32Array];
        lstmCellWasm(rows, hidden, ...inputs, null, cBare, hBare);
        if (cBare.some((v, i) => !Object.is(v, cNext[i])) || hBare.some((v, i) => !Object.is(v, h[i]))) {
          throw new Error(`rows ${rows} hidden ${hidden}: c′ or h differ without the saved activations`);
        }
        // the TypeScript loop adds gi + gh in float64, the WebAssembly one in float32 as the
        // composite's add does: a difference of one float32 rounding of a, through σ′ ≤ ¼ or tanh′ ≤ 1
        for (const [name, want, got] of [
          ['act', wantAct, act],
          ["c'", wantC, cNext],
          ['h', wantH, h],
        ] as const) {
          for (let i = 0; i < want.length; i++) {
            const w = want[i] as number;
            if (!(Math.abs((got[i] as number) - w) <= 1.2e-5 * Math.max(1, Math.abs(w)))) {
              throw new Error(`${name}[${i}] rows ${rows} hidden ${hidden}: wasm ${got[i]}, TypeScript ${w}`);
            }
          }
        }
      }),
      { numRuns: 300, seed: 21 },
    );
  });
});
