// Recurrent layers: RNN, GRU, LSTM over a sequence and GRUCell, LSTMCell for one step, with
// PyTorch's parameter names, gate order, shapes and default initialisation, so a PyTorch
// state dict loads as is. Each step is written with core ops (linear, chunk, sigmoid, tanh, …):
// backpropagation through time is the tape replayed backwards, no hand-written BPTT.
import {
  ChainruleError,
  cat,
  type DType,
  globalRng,
  linear,
  lstmCell,
  noGrad,
  type Rng,
  rand,
  show,
  stack,
  Tensor,
  tensor,
  where,
  zeros,
} from '@chainrule/core';
import { fail, flag, floatDType, integer, number, options, rngOption, within } from '../check';
import { Module } from '../module';
import { parameter } from '../parameter';

/** Options of RNN, GRU and LSTM (torch.nn.RNN / GRU / LSTM without proj_size). */
export interface RecurrentOptions {
  /** Stacked layers, each reading the previous one's outputs (default 1). */
  numLayers?: number;
  /** A second recurrence per layer reading the sequence backwards; outputs are both, concatenated (default false). */
  bidirectional?: boolean;
  /** Dropout probability on each layer's outputs but the last, in training mode (default 0). */
  dropout?: number;
  /** Whether to add the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Inputs and outputs are [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** The random source for the initial weights (default: core's global Rng). */
  rng?: Rng;
  dtype?: DType;
}

/** Options of RNN: those of every recurrent layer and its nonlinearity. */
export interface RNNOptions extends RecurrentOptions {
  /** The activation of h' = act(W_ih x + b_ih + W_hh h + b_hh) (default 'tanh'). */
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of GRUCell and LSTMCell. */
export interface CellOptions {
  /** Whether to add the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** The random source for the initial weights (default: core's global Rng). */
  rng?: Rng;
  dtype?: DType;
}

/** Options of a recurrent layer's forward. */
export interface RecurrentForwardOptions {
  /**
   * The length of each sequence of the batch (N integers in 1..T), for a padded batch: as
   * PyTorch's pack_padded_sequence(x, lengths, enforce_sorted=False), the steps past a sequence's
   * end are skipped (its outputs there are 0, its final state the one at its last step, and the
   * reverse direction starts at its last step).
   */
  lengths?: readonly number[] | Tensor;
}

/** One step of a recurrent layer, given the input's projection gi = W_ih x + b_ih. */
type Step = (gi: Tensor, state: Tensor[], whh: Tensor, bhh: Tensor | null) => Tensor[];

/** h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu (Elman RNN). */
function rnnStep(act: 'tanh' | 'relu'): Step {
  return (gi, [h], whh, bhh) => {
    const pre = gi.add(linear(h as Tensor, whh, bhh));
    return [act === 'tanh' ? pre.tanh() : pre.relu()];
  };
}

/** The GRU step; the rows of W_ih, W_hh (and b_ih, b_hh) are the r, z, n gates in that order. */
const gruStep: Step = (gi, [h], whh, bhh) => {
  const prev = h as Tensor;
  const [xr, xz, xn] = gi.chunk(3, -1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = linear(prev, whh, bhh).chunk(3, -1) as [Tensor, Tensor, Tensor];
  const r = xr.add(hr).sigmoid(); // r = σ(W_ir x + b_ir + W_hr h + b_hr)        reset gate
  const z = xz.add(hz).sigmoid(); // z = σ(W_iz x + b_iz + W_hz h + b_hz)        update gate
  const n = xn.add(r.mul(hn)).tanh(); // n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn))  candidate
  // h' = (1 − z) ∘ n + z ∘ h, written n + z ∘ (h − n)
  return [n.add(z.mul(prev.sub(n)))];
};

/**
 * The LSTM step; the rows of W_ih, W_hh (and b_ih, b_hh) are the i, f, g, o gates in that order.
 * With a = W_ih x + b_ih + W_hh h + b_hh: i = σ(a_i) input gate, f = σ(a_f) forget gate,
 * g = tanh(a_g) cell candidate, o = σ(a_o) output gate; c' = f ∘ c + i ∘ g, h' = o ∘ tanh(c'),
 * all in core's fused lstmCell (one kernel for the gates and the update, as PyTorch's fused cell).
 */
const lstmStep: Step = (gi, [h, c], whh, bhh) => lstmCell(gi, linear(h as Tensor, whh, bhh), c as Tensor);

const fmtShape = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/** U(±1/√hiddenSize) for every weight and bias, PyTorch's default for recurrent layers. */
function uniformParam(shape: number[], hiddenSize: number, opts: { rng?: Rng; dtype?: DType }): Tensor {
  const t = parameter(
    rand(shape, { dtype: opts.dtype ?? 'float32', requiresGrad: true, ...(opts.rng ? { rng: opts.rng } : {}) }),
  );
  const bound = 1 / Math.sqrt(hiddenSize);
  noGrad(() => {
    for (let i = 0; i < t.size; i++) t.data[i] = bound * (2 * (t.data[i] as number) - 1);
  });
  return t;
}

/**
 * Inverted dropout of a layer's outputs before the next layer reads them, as torch's recurrent
 * layers in training: each element zeroed with probability p, the rest scaled by 1/(1 − p), the
 * mask drawn from the global generator (see manualSeed), as PyTorch draws from its own.
 */
function dropBetweenLayers(seq: Tensor, p: number): Tensor {
  const rng = globalRng();
  const keep = 1 - p;
  const mask = new (seq.dtype === 'float64' ? Float64Array : Float32Array)(seq.size);
  for (let i = 0; i < mask.length && keep > 0; i++) mask[i] = rng.next() < keep ? 1 / keep : 0;
  // y = x ∘ m / (1 − p): m is a constant, so ∂L/∂x = gy ∘ m / (1 − p) through mul
  return seq.mul(new Tensor(mask, seq.shape));
}

/** `t` is a Tensor of the given shape, else a ChainruleError naming the op and the argument. */
function checkShape(op: string, name: string, t: unknown, shape: number[]): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ChainruleError(`${op}: ${name} must be a Tensor, got ${show(t)}`);
  if (t.ndim !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
    throw new ChainruleError(`${op}: ${name} has shape ${fmtShape(t.shape)}, expected ${fmtShape(shape)}`);
  }
}

/**
 * The multi-layer recurrence shared by RNN, GRU and LSTM: per layer l, the parameters
 * weight_ih_l{l} [G·H, in], weight_hh_l{l} [G·H, H], bias_ih_l{l} [G·H], bias_hh_l{l} [G·H]
 * (G = gates: 1, 3 or 4), in PyTorch's order so that namedParameters lists them as PyTorch does.
 */
abstract class RecurrentBase extends Module {
  // Layer 0's parameters are declared for typing; deeper layers' are added by name in the constructor.
  weight_ih_l0!: Tensor;
  weight_hh_l0!: Tensor;
  bias_ih_l0!: Tensor | null;
  bias_hh_l0!: Tensor | null;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  /** Whether each layer also runs backwards (PyTorch's parameter names get the suffix `_reverse`). */
  readonly bidirectional: boolean;
  /** The dropout probability between layers, in training mode. */
  readonly dropout: number;

  constructor(
    private readonly _op: string,
    gates: number,
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: RecurrentOptions,
  ) {
    super();
    const keys = ['numLayers', 'bias', 'batchFirst', 'bidirectional', 'dropout', 'rng', 'dtype'];
    if (_op === 'RNN') keys.push('nonlinearity');
    const o = options(_op, opts, keys);
    integer(_op, 'inputSize', inputSize);
    integer(_op, 'hiddenSize', hiddenSize);
    this.numLayers = integer(_op, 'numLayers', o.numLayers ?? 1);
    // every layer's parameters together must fit the sizes a typed array can hold (checked before
    // any is allocated: a huge numLayers would otherwise run out of memory one layer at a time)
    this.bidirectional = flag(_op, 'bidirectional', o.bidirectional, false);
    this.dropout = number(_op, 'dropout', o.dropout, 0, 'a number in [0, 1]', (p) => p >= 0 && p <= 1);
    const D = this.bidirectional ? 2 : 1;
    const total = D * this.numLayers * gates * hiddenSize * (Math.max(inputSize, D * hiddenSize) + hiddenSize + 2);
    if (total > 2 ** 31 - 1) {
      fail(
        _op,
        `numLayers ${this.numLayers} of hiddenSize ${hiddenSize} would hold ${total} parameters, more than 2³¹ − 1`,
      );
    }
    this.bias = flag(_op, 'bias', o.bias, true);
    this.batchFirst = flag(_op, 'batchFirst', o.batchFirst, false);
    opts = { dtype: floatDType(_op, o.dtype), ...(rngOption(_op, o.rng) ? { rng: o.rng as Rng } : {}) };
    const params = this as unknown as Record<string, Tensor | null>;
    within(_op, () => {
      for (let l = 0; l < this.numLayers; l++) {
        for (const sfx of D === 2 ? ['', '_reverse'] : ['']) {
          const inSize = l === 0 ? inputSize : D * hiddenSize;
          params[`weight_ih_l${l}${sfx}`] = uniformParam([gates * hiddenSize, inSize], hiddenSize, opts);
          params[`weight_hh_l${l}${sfx}`] = uniformParam([gates * hiddenSize, hiddenSize], hiddenSize, opts);
          params[`bias_ih_l${l}${sfx}`] = this.bias ? uniformParam([gates * hiddenSize], hiddenSize, opts) : null;
          params[`bias_hh_l${l}${sfx}`] = this.bias ? uniformParam([gates * hiddenSize], hiddenSize, opts) : null;
        }
      }
    });
  }

  /** Layer l's parameters (`sfx` '_reverse' for the backward direction), looked up by name so that a reassigned (tied) parameter is used. */
  private layer(l: number, sfx: string): [wih: Tensor, whh: Tensor, bih: Tensor | null, bhh: Tensor | null] {
    const params = this as unknown as Record<string, Tensor | null>;
    return [
      params[`weight_ih_l${l}${sfx}`] as Tensor,
      params[`weight_hh_l${l}${sfx}`] as Tensor,
      params[`bias_ih_l${l}${sfx}`] ?? null,
      params[`bias_hh_l${l}${sfx}`] ?? null,
    ];
  }

  /**
   * Runs the stacked recurrence over x ([T, N, in], [N, T, in] if batchFirst, or unbatched
   * [T, in]) from the initial states `init` (each [numLayers·D, N, H] or unbatched
   * [numLayers·D, H], D = 2 if bidirectional; `names` name them in messages; missing ones start
   * at zero). Returns the last layer's h at every step (both directions concatenated), in x's
   * layout, and each state after the last step, [numLayers·D, (N,) H].
   */
  protected run(x: unknown, init: unknown[], names: string[], step: Step, opts: unknown = {}): [Tensor, Tensor[]] {
    const op = this._op;
    if (!(x instanceof Tensor) || (x.ndim !== 2 && x.ndim !== 3)) {
      throw new ChainruleError(
        `${op}: input must be a 3-d Tensor [seq, batch, ${this.inputSize}]${this.batchFirst ? ' (batchFirst: [batch, seq, …])' : ''} or an unbatched [seq, ${this.inputSize}], got ${show(x)}`,
      );
    }
    const batched = x.ndim === 3;
    const seqDim = batched && this.batchFirst ? 1 : 0;
    const steps = x.shape[seqDim] as number;
    const batch = batched ? (x.shape[1 - seqDim] as number) : 1;
    if (x.shape[x.ndim - 1] !== this.inputSize || steps === 0) {
      throw new ChainruleError(
        `${op}: input ${fmtShape(x.shape)} must have inputSize ${this.inputSize} features in its last dim and at least one step`,
      );
    }
    const layers = this.numLayers * (this.bidirectional ? 2 : 1);
    const stateShape = batched ? [layers, batch, this.hiddenSize] : [layers, this.hiddenSize];
    init.forEach((s, i) => {
      if (s !== undefined) checkShape(op, names[i] as string, s, stateShape);
    });
    const lengths = options(op, opts, ['lengths']).lengths;
    let alive: Tensor[] | null = null;
    if (lengths !== undefined) {
      const v = lengths instanceof Tensor ? [...lengths.data] : lengths;
      if (!Array.isArray(v) || v.length !== batch || v.some((n) => !Number.isInteger(n) || n < 1 || n > steps)) {
        fail(
          op,
          `lengths must be ${batch} integers in 1..${steps} (one per sequence of the batch), got ${show(lengths)}`,
        );
      }
      // alive[t] [N, 1]: whether step t lies within each sequence
      alive = [...Array(steps)].map((_, t) =>
        tensor(
          (v as number[]).map((n) => t < n),
          { shape: [batch, 1] },
        ),
      );
    }
    return within(op, () => this.unroll(x, init, names, step, batched, batch, steps, alive));
  }

  /** run's recurrence, after its checks. */
  private unroll(
    x: Tensor,
    init: unknown[],
    names: string[],
    step: Step,
    batched: boolean,
    batch: number,
    steps: number,
    alive: Tensor[] | null,
  ): [Tensor, Tensor[]] {
    // internally [T, N, features]: one layout for every case
    let seq = batched ? (this.batchFirst ? x.transpose(0, 1) : x) : x.unsqueeze(1);
    const D = this.bidirectional ? 2 : 1;
    const states = init.map((s) =>
      s === undefined
        ? zeros([this.numLayers * D, batch, this.hiddenSize], { dtype: x.dtype })
        : batched
          ? (s as Tensor)
          : (s as Tensor).unsqueeze(1),
    );
    const padding = zeros([batch, this.hiddenSize], { dtype: x.dtype });
    const finals: Tensor[][] = names.map(() => []);
    for (let l = 0; l < this.numLayers; l++) {
      const directions: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const [wih, whh, bih, bhh] = this.layer(l, d === 0 ? '' : '_reverse');
        // the input projections W_ih x_t + b_ih of every step at once: one matrix product
        const gi = linear(seq, wih, bih);
        let state = states.map((s) => s.select(0, l * D + d));
        const outputs: Tensor[] = new Array(steps);
        for (let k = 0; k < steps; k++) {
          const t = d === 0 ? k : steps - 1 - k; // the reverse direction reads the sequence backwards
          const next = step(gi.select(0, t), state, whh, bhh);
          // past a sequence's end its state stays as it was and its output is 0 (a packed sequence)
          const mask = alive?.[t];
          state = mask ? next.map((n, i) => where(mask, n, state[i] as Tensor)) : next;
          outputs[t] = mask ? where(mask, state[0] as Tensor, padding) : (state[0] as Tensor);
        }
        state.forEach((s, i) => {
          finals[i]?.push(s);
        });
        directions.push(stack(outputs, 0));
      }
      seq = D === 2 ? cat(directions, -1) : (directions[0] as Tensor);
      if (this.training && this.dropout > 0 && l < this.numLayers - 1) seq = dropBetweenLayers(seq, this.dropout);
    }
    const last = finals.map((f) => (batched ? stack(f, 0) : stack(f, 0).squeeze(1)));
    const output = batched ? (this.batchFirst ? seq.transpose(0, 1) : seq) : seq.squeeze(1);
    return [output, last];
  }

  protected override extraRepr(): string {
    return (
      `${this.inputSize}, ${this.hiddenSize}${this.numLayers !== 1 ? `, numLayers=${this.numLayers}` : ''}` +
      `${this.bias ? '' : ', bias=false'}${this.batchFirst ? ', batchFirst=true' : ''}` +
      `${this.dropout ? `, dropout=${this.dropout}` : ''}${this.bidirectional ? ', bidirectional=true' : ''}`
    );
  }
}

/**
 * Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh), act = tanh or relu, stacked
 * numLayers deep. forward(x, h0?) → [output, hN]: x [T, N, inputSize] ([N, T, inputSize] if
 * batchFirst, or unbatched [T, inputSize]), h0 and hN [numLayers, N, hiddenSize] (unbatched
 * [numLayers, hiddenSize]), output the last layer's h_t for every t, in x's layout.
 * @throws ChainruleError for sizes or options that do not fit, or inputs of the wrong shape.
 * @example
 * const rnn = new RNN(8, 16, { numLayers: 2, rng: new Rng(0) });
 * const [out, hN] = rnn.forward(randn([10, 4, 8]));   // [10, 4, 16], [2, 4, 16]
 */
export class RNN extends RecurrentBase {
  /** The activation of each step, tanh (the default) or relu. */
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    const nonlinearity = opts?.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new ChainruleError(`RNN: nonlinearity must be 'tanh' or 'relu', got ${show(nonlinearity)}`);
    }
    super('RNN', 1, inputSize, hiddenSize, opts);
    this.nonlinearity = nonlinearity;
  }

  forward(x: Tensor, h0?: Tensor, opts?: RecurrentForwardOptions): [Tensor, Tensor] {
    const [output, [hN]] = this.run(x, [h0], ['h0'], rnnStep(this.nonlinearity), opts);
    return [output, hN as Tensor];
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}${this.nonlinearity === 'relu' ? ", nonlinearity='relu'" : ''}`;
  }
}

/**
 * Gated recurrent unit, stacked numLayers deep; each step (gates r, z, n, PyTorch's order):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
 *   n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn)),  h' = (1 − z) ∘ n + z ∘ h.
 * forward(x, h0?) → [output, hN], shapes as RNN.
 * @throws ChainruleError for sizes or options that do not fit, or inputs of the wrong shape.
 * @example
 * const gru = new GRU(8, 16, { batchFirst: true, rng: new Rng(0) });
 * const [out, hN] = gru.forward(randn([4, 10, 8]));   // [4, 10, 16], [1, 4, 16]
 */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super('GRU', 3, inputSize, hiddenSize, opts);
  }

  forward(x: Tensor, h0?: Tensor, opts?: RecurrentForwardOptions): [Tensor, Tensor] {
    const [output, [hN]] = this.run(x, [h0], ['h0'], gruStep, opts);
    return [output, hN as Tensor];
  }
}

/**
 * Long short-term memory, stacked numLayers deep; each step (gates i, f, g, o, PyTorch's order):
 *   i, f, o = σ(W_i· x + b_i· + W_h· h + b_h·),  g = tanh(W_ig x + b_ig + W_hg h + b_hg),
 *   c' = f ∘ c + i ∘ g,  h' = o ∘ tanh(c').
 * forward(x, [h0, c0]?) → [output, [hN, cN]], shapes as RNN (c like h).
 * @throws ChainruleError for sizes or options that do not fit, or inputs of the wrong shape.
 * @example
 * const lstm = new LSTM(8, 16, { numLayers: 2, rng: new Rng(0) });
 * const [out, [hN, cN]] = lstm.forward(randn([10, 4, 8]));   // [10, 4, 16], [2, 4, 16] twice
 */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super('LSTM', 4, inputSize, hiddenSize, opts);
  }

  forward(x: Tensor, hc0?: [Tensor, Tensor], opts?: RecurrentForwardOptions): [Tensor, [Tensor, Tensor]] {
    if (hc0 !== undefined && !(Array.isArray(hc0) && hc0.length === 2)) {
      throw new ChainruleError(`LSTM: the initial state must be a pair [h0, c0], got ${show(hc0)}`);
    }
    const init = hc0 ? [hc0[0], hc0[1]] : [undefined, undefined];
    const [output, [hN, cN]] = this.run(x, init, ['h0', 'c0'], lstmStep, opts);
    return [output, [hN as Tensor, cN as Tensor]];
  }
}

/**
 * One step of a recurrent layer (weight_ih [G·H, in], weight_hh [G·H, H], bias_ih, bias_hh
 * [G·H]), on x [N, inputSize] or unbatched [inputSize].
 */
abstract class CellBase extends Module {
  weight_ih: Tensor;
  weight_hh: Tensor;
  bias_ih: Tensor | null;
  bias_hh: Tensor | null;

  constructor(
    private readonly _op: string,
    gates: number,
    readonly inputSize: number,
    readonly hiddenSize: number,
    opts: CellOptions,
  ) {
    super();
    const o = options(_op, opts, ['bias', 'rng', 'dtype']);
    integer(_op, 'inputSize', inputSize);
    integer(_op, 'hiddenSize', hiddenSize);
    const bias = flag(_op, 'bias', o.bias, true);
    const p = { dtype: floatDType(_op, o.dtype), ...(rngOption(_op, o.rng) ? { rng: o.rng as Rng } : {}) };
    const make = (shape: number[]) => within(_op, () => uniformParam(shape, hiddenSize, p));
    this.weight_ih = make([gates * hiddenSize, inputSize]);
    this.weight_hh = make([gates * hiddenSize, hiddenSize]);
    this.bias_ih = bias ? make([gates * hiddenSize]) : null;
    this.bias_hh = bias ? make([gates * hiddenSize]) : null;
  }

  /** Checks x and the states (`names` name them; missing ones start at zero), runs one step. */
  protected cell(x: unknown, init: unknown[], names: string[], step: Step): Tensor[] {
    const op = this._op;
    if (!(x instanceof Tensor) || (x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ChainruleError(
        `${op}: input must be a Tensor [batch, ${this.inputSize}] or an unbatched [${this.inputSize}], got ${show(x)}`,
      );
    }
    const stateShape = x.ndim === 2 ? [x.shape[0] as number, this.hiddenSize] : [this.hiddenSize];
    init.forEach((s, i) => {
      if (s !== undefined) checkShape(op, names[i] as string, s, stateShape);
    });
    return within(op, () => {
      const state = init.map((s) => (s === undefined ? zeros(stateShape, { dtype: x.dtype }) : (s as Tensor)));
      return step(linear(x, this.weight_ih, this.bias_ih), state, this.weight_hh, this.bias_hh);
    });
  }

  protected override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? '' : ', bias=false'}`;
  }
}

/**
 * One GRU step (see GRU for the gate equations): forward(x, h?) → h', x [N, inputSize] or
 * unbatched [inputSize], h and h' [N, hiddenSize] or [hiddenSize] (h defaults to zeros).
 * @throws ChainruleError for sizes that do not fit or inputs of the wrong shape.
 * @example
 * const cell = new GRUCell(8, 16, { rng: new Rng(0) });
 * let h = cell.forward(randn([4, 8]));   // [4, 16]
 * h = cell.forward(randn([4, 8]), h);
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    super('GRUCell', 3, inputSize, hiddenSize, opts);
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    return this.cell(x, [h], ['h'], gruStep)[0] as Tensor;
  }
}

/**
 * One LSTM step (see LSTM for the gate equations): forward(x, [h, c]?) → [h', c'], x
 * [N, inputSize] or unbatched [inputSize], h and c [N, hiddenSize] or [hiddenSize] (zeros by default).
 * @throws ChainruleError for sizes that do not fit or inputs of the wrong shape.
 * @example
 * const cell = new LSTMCell(8, 16, { rng: new Rng(0) });
 * const [h, c] = cell.forward(randn([4, 8]));   // [4, 16] each
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    super('LSTMCell', 4, inputSize, hiddenSize, opts);
  }

  forward(x: Tensor, hc?: [Tensor, Tensor]): [Tensor, Tensor] {
    if (hc !== undefined && !(Array.isArray(hc) && hc.length === 2)) {
      throw new ChainruleError(`LSTMCell: the state must be a pair [h, c], got ${show(hc)}`);
    }
    const [h, c] = this.cell(x, hc ? [hc[0], hc[1]] : [undefined, undefined], ['h', 'c'], lstmStep);
    return [h as Tensor, c as Tensor];
  }
}
