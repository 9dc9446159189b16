// The WebAssembly float32 LSTM cell against the TypeScript loops, over row counts and hidden
// widths around the SIMD width (the last 1–3 lanes of a row take partial loads), large and tiny
// gate values; and σ and tanh against the exact values, in float32 ulp.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { lstmCell, setKernels } from '../../src/kernels/index';
import { lstmCellWasm } from '../../src/kernels/wasm/elementwise';
import { Rng } from '../../src/rng';
import { viaTs } from './via-ts';

const wasmOn = process.env.CHAINRULE_KERNELS !== 'ts';

describe.skipIf(!wasmOn)('WebAssembly float32 LSTM cell', () => {
  beforeAll(() => setKernels('wasm'));

  it('σ within 3 float32 ulp and tanh within 2 of the exact value; ±∞, NaN, subnormal σ and tiny tanh', () => {
    const ulp = (x: number) => {
      const f = new Float32Array([Math.abs(x)]);
      const bits = new Int32Array(f.buffer);
      const below = f[0] as number;
      bits[0] = (bits[0] as number) + 1;
      return Math.max((f[0] as number) - below, 2 ** -149);
    };
    const sigma = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    const values = [
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0,
      -0,
      1e-30,
      -3e-8,
      0.5499,
      0.5501,
      -0.55,
      88,
      -100,
      -104.5,
    ];
    const r = new Rng(4);
    for (const [lo, hi] of [
      [-110, 110],
      [-20, 20],
      [-1, 1],
      [-1e-3, 1e-3],
      [-90, -80],
    ] as const) {
      for (let i = 0; i < 2000; i++) values.push(lo + (hi - lo) * r.next());
    }
    const H = values.length;
    const gi = new Float32Array(4 * H);
    for (let k = 0; k < 4; k++) gi.set(values, k * H);
    const [act, cNext, h] = [new Float32Array(5 * H), new Float32Array(H), new Float32Array(H)];
    lstmCellWasm(1, H, gi, new Float32Array(4 * H), new Float32Array(H), act, cNext, h);
    for (let j = 0; j < H; j++) {
      const v = gi[j] as number;
      for (const [k, exact, bound] of [
        [0, sigma(v), 3],
        [2, Math.tanh(v), 2],
      ] as const) {
        const got = act[k * H + j] as number;
        if (!(Math.abs(got - exact) <= bound * ulp(exact)))
          throw new Error(`gate ${k} at ${v}: ${got}, exact ${exact}`);
      }
    }
    const nan = new Float32Array(4).fill(Number.NaN);
    const out = [new Float32Array(5), new Float32Array(1), new Float32Array(1)] as const;
    lstmCellWasm(1, 1, nan, new Float32Array(4), new Float32Array(1), ...out);
    expect(out[0].every((x) => Number.isNaN(x))).toBe(true);
  });

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
