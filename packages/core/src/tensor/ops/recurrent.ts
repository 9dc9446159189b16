// ops: the fused LSTM cell step, as PyTorch's _thnn_fused_lstm_cell: the gates' activations, the
// cell update and the output in one kernel instead of a dozen elementwise ops. Two results, so
// two nodes: c' (from the input, forget and cell gates and c) and h (from the output gate and c').
// Vocabulary: a = gi + gh the gates' pre-activations; i, f, g, o their activations; gy = ∂L/∂·.
import { check, fmtShape, show } from '../../errors';
import * as K from '../../kernels/index';
import { sameShape } from '../../plans/shape';
import { empty } from '../create';
import { isFloat } from '../dtype';
import { addGrad, gradBuffer, record, recordsGraph } from '../record';
import { Tensor } from '../tensor';
import { cat } from './join';

/**
 * One LSTM step from its gates' pre-activations: with a = gi + gh split into i, f, g, o (each H
 * wide, PyTorch's gate order), c' = σ(a_f) ∘ c + σ(a_i) ∘ tanh(a_g) and h' = σ(a_o) ∘ tanh(c').
 * gi and gh are [..., 4H] (typically W_ih x + b_ih and W_hh h + b_hh), c is [..., H].
 * @returns [h', c'], each of c's shape.
 * @throws ChainruleError when gi and gh differ in shape or dtype, their last dim is not a multiple
 *   of 4, or c is not [..., H] of the same dtype.
 * @example
 * const [h1, c1] = lstmCell(linear(x, wih, bih), linear(h, whh, bhh), c);
 */
export function lstmCell(gi: Tensor, gh: Tensor, c: Tensor): [Tensor, Tensor] {
  for (const [name, t] of [
    ['gi', gi],
    ['gh', gh],
    ['c', c],
  ] as const) {
    check(
      t instanceof Tensor && t.ndim >= 1,
      () => `lstmCell: ${name} must be a Tensor of at least 1 dim, got ${show(t)}`,
    );
    check(isFloat(t.dtype), () => `lstmCell: ${name} must be float32 or float64, got ${t.dtype}`);
  }
  const gates = gi.shape[gi.ndim - 1] as number;
  const H = gates / 4;
  const stateShape = [...gi.shape.slice(0, -1), H];
  check(
    gh.dtype === gi.dtype && c.dtype === gi.dtype,
    () => `lstmCell: gi, gh and c must share one dtype, got ${gi.dtype}, ${gh.dtype} and ${c.dtype}`,
  );
  check(
    Number.isInteger(H) && H > 0 && sameShape(gh.shape, gi.shape) && sameShape(c.shape, stateShape),
    () =>
      `lstmCell: gi ${fmtShape(gi.shape)} and gh ${fmtShape(gh.shape)} must be one shape [..., 4H] (H > 0) and c ${fmtShape(c.shape)} [..., H]` +
      (Number.isInteger(H) && H > 0 ? `, here ${fmtShape(stateShape)}` : ''),
  );
  const rows = c.size / H;
  // σ(a_i), σ(a_f), tanh(a_g), σ(a_o), tanh(c') per row, kept for the backward when there is one
  const graph = recordsGraph([gi, gh, c]);
  const act = empty([graph ? rows : 0, 5 * H], gi.dtype).data;
  const cNext = empty(c.shape, c.dtype);
  const h = empty(c.shape, c.dtype);
  K.lstmCell(rows, H, gi.data, gh.data, c.data, graph ? act : null, cNext.data, h.data);
  /** A zeroed buffer for ∂L/∂a when gi or gh requires a gradient, else null. */
  const gatesGrad = () => (gi.requiresGrad || gh.requiresGrad ? empty(gi.shape, gi.dtype).data : null);
  /**
   * ∂L/∂a added into gi's and gh's gradients: the same for both, a = gi + gh. The buffer is this
   * step's own, so the last of them to need it may take it as its gradient (addGrad).
   */
  const addGates = (ga: K.Buf | null) => {
    if (ga === null) return;
    if (gh.requiresGrad) addGrad(gh, ga, !gi.requiresGrad);
    if (gi.requiresGrad) addGrad(gi, ga, true);
  };
  /** The activations as Tensor ops of the operands, for the VJPs (differentiable again). */
  const gatesOf = () => gi.add(gh).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  record(
    cNext,
    'lstmCell',
    [gi, gh, c],
    (gy) => {
      // ∂L/∂a_i = gy ∘ g ∘ i(1 − i) ,  ∂L/∂a_f = gy ∘ c ∘ f(1 − f) ,  ∂L/∂a_g = gy ∘ i ∘ (1 − g²) ,  ∂L/∂a_o = 0
      // ∂L/∂gi = ∂L/∂gh = ∂L/∂a ,  ∂L/∂c = gy ∘ f
      const ga = gatesGrad();
      K.lstmCellStateBackward(rows, H, act, c.data, gy, ga, c.requiresGrad ? gradBuffer(c) : null);
      addGates(ga);
    },
    (gy) => {
      const [ai, af, ag] = gatesOf();
      const [i, f, g] = [ai.sigmoid(), af.sigmoid(), ag.tanh()];
      const ga = cat(
        [
          gy.mul(g).mul(i.mul(i.neg().add(1))),
          gy.mul(c).mul(f.mul(f.neg().add(1))),
          gy.mul(i).mul(g.square().neg().add(1)),
          gy.mul(0),
        ],
        -1,
      );
      return [ga, ga, gy.mul(f)];
    },
  );
  record(
    h,
    'lstmCellOutput',
    [gi, gh, cNext],
    (gy) => {
      // ∂L/∂a_o = gy ∘ tanh(c') ∘ o(1 − o) ,  the other gates 0 ,  ∂L/∂c' = gy ∘ o ∘ (1 − tanh²c')
      const ga = gatesGrad();
      K.lstmCellOutputBackward(rows, H, act, gy, ga, cNext.requiresGrad ? gradBuffer(cNext) : null);
      addGates(ga);
    },
    (gy) => {
      const o = (gatesOf()[3] as Tensor).sigmoid();
      const t = cNext.tanh();
      const zero = gy.mul(0);
      const ga = cat([zero, zero, zero, gy.mul(t).mul(o.mul(o.neg().add(1)))], -1);
      return [ga, ga, gy.mul(o).mul(t.square().neg().add(1))];
    },
  );
  return [h, cNext];
}
