import { ChainruleError, gradcheck, manualSeed, Rng, randn, type Tensor, tensor } from '@chainrule/core';
import { describe, expect, it } from 'vitest';
import { Embedding, GRU, GRUCell, LSTM, LSTMCell, RNN } from '../src/index';

const names = (m: { namedParameters(): [string, Tensor][] }) => m.namedParameters().map(([n, t]) => [n, [...t.shape]]);

/** The module's parameter values, to check that a failed call changed nothing. */
const snapshot = (m: { parameters(): Tensor[] }) => m.parameters().map((p) => [Array.from(p.data), p.grad]);

/** gradcheck of `f` with respect to `inputs` and the module's own (top-level) parameters, in float64. */
function checkModule(
  m: { namedParameters(): [string, Tensor][] },
  f: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
): void {
  const named = m.namedParameters();
  const slots = m as unknown as Record<string, Tensor>;
  const report = gradcheck(
    (...xs) => {
      // the layers read their parameters by name at each forward: swap in gradcheck's copies
      named.forEach(([n], i) => {
        slots[n] = xs[inputs.length + i] as Tensor;
      });
      try {
        return f(...xs.slice(0, inputs.length));
      } finally {
        for (const [n, p] of named) slots[n] = p;
      }
    },
    [...inputs, ...named.map(([, p]) => p)],
    { atol: 1e-6, rtol: 1e-5 },
  );
  expect(report.ok, report.message).toBe(true);
}

describe('Embedding', () => {
  it('looks rows up; the paddingIdx row starts at zero and gets no gradient, repeated rows sum theirs', () => {
    const emb = new Embedding(4, 2, { paddingIdx: -1, rng: new Rng(0), dtype: 'float64' });
    expect(emb.paddingIdx).toBe(3);
    expect(names(emb)).toEqual([['weight', [4, 2]]]);
    expect(Array.from(emb.weight.data.slice(6))).toEqual([0, 0]);
    emb.weight.data.set([1, 2, 3, 4, 5, 6, 7, 8]); // a loaded padding row keeps its value in the output
    const y = emb.forward(
      tensor(
        [
          [0, 3, 0],
          [2, 1, 3],
        ],
        { dtype: 'int32' },
      ),
    );
    expect(y.toArray()).toEqual([
      [
        [1, 2],
        [7, 8],
        [1, 2],
      ],
      [
        [5, 6],
        [3, 4],
        [7, 8],
      ],
    ]);
    y.mul(tensor([1, 10], { dtype: 'float64' }))
      .sum()
      .backward();
    // ∂L/∂W[i] = Σ over the positions holding i of (1, 10); row 3 (padding) none
    expect(emb.weight.grad?.toArray()).toEqual([
      [2, 20],
      [1, 10],
      [1, 10],
      [0, 0],
    ]);
  });

  it('initialises N(0, 1), seeded; without paddingIdx every row trains', () => {
    const e = new Embedding(200, 50, { rng: new Rng(3) });
    const v = Array.from(e.weight.data);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
    expect(Array.from(new Embedding(200, 50, { rng: new Rng(3) }).weight.data)).toEqual(v);
    const small = new Embedding(3, 1, { dtype: 'float64' });
    small
      .forward(tensor([0, 1, 2], { dtype: 'int32' }))
      .sum()
      .backward();
    expect(small.weight.grad?.toArray()).toEqual([[1], [1], [1]]);
    expect(small.toString()).toBe('Embedding(3, 1)');
  });

  it('rejects bad sizes, paddingIdx and indices, naming the layer or op; nothing changes', () => {
    expect(() => new Embedding(0, 2)).toThrow('Embedding: numEmbeddings must be a positive integer, got 0');
    expect(() => new Embedding(4, 2, { paddingIdx: 4 })).toThrow(
      'Embedding: paddingIdx must be an integer in [-4, 4), got 4',
    );
    expect(() => new Embedding(4, 2, { paddingIdx: -5 })).toThrow(ChainruleError);
    const emb = new Embedding(4, 2, { paddingIdx: 0 });
    const before = snapshot(emb);
    expect(() => emb.forward([1, 2] as unknown as Tensor)).toThrow('Embedding: indices must be an int32 Tensor');
    expect(() => emb.forward(tensor([1, 4], { dtype: 'int32' }))).toThrow(/^Embedding: embedding: .*4/);
    expect(snapshot(emb)).toEqual(before);
  });
});

describe('RNN, GRU, LSTM', () => {
  it("have PyTorch's parameter names, shapes and order (gates stacked in the rows)", () => {
    expect(names(new LSTM(3, 5, { numLayers: 2 }))).toEqual([
      ['weight_ih_l0', [20, 3]],
      ['weight_hh_l0', [20, 5]],
      ['bias_ih_l0', [20]],
      ['bias_hh_l0', [20]],
      ['weight_ih_l1', [20, 5]],
      ['weight_hh_l1', [20, 5]],
      ['bias_ih_l1', [20]],
      ['bias_hh_l1', [20]],
    ]);
    expect(names(new GRU(3, 5, { bias: false }))).toEqual([
      ['weight_ih_l0', [15, 3]],
      ['weight_hh_l0', [15, 5]],
    ]);
    expect(names(new RNN(3, 5)).map(([n]) => n)).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
    expect(names(new LSTMCell(3, 5))).toEqual([
      ['weight_ih', [20, 3]],
      ['weight_hh', [20, 5]],
      ['bias_ih', [20]],
      ['bias_hh', [20]],
    ]);
    expect(new GRU(3, 5, { numLayers: 2, batchFirst: true }).toString()).toBe(
      'GRU(3, 5, numLayers=2, batchFirst=true)',
    );
  });

  it('initialise every parameter U(±1/√hiddenSize), seeded, in the dtype asked', () => {
    const lstm = new LSTM(10, 16, { numLayers: 2, rng: new Rng(5) });
    const bound = 1 / 4;
    for (const p of lstm.parameters()) {
      const v = Array.from(p.data);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v)).toBeGreaterThan(0.85 * bound);
      expect(Math.min(...v)).toBeLessThan(-0.85 * bound);
    }
    const again = new LSTM(10, 16, { numLayers: 2, rng: new Rng(5) });
    expect(again.parameters().map((p) => Array.from(p.data))).toEqual(lstm.parameters().map((p) => Array.from(p.data)));
    expect(new GRUCell(2, 3, { dtype: 'float64' }).weight_ih.dtype).toBe('float64');
  });

  it('a one-layer RNN computes h_t = tanh(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh) (hand-derived)', () => {
    const rnn = new RNN(1, 1, { dtype: 'float64' });
    rnn.loadStateDict({
      weight_ih_l0: tensor([[0.5]], { dtype: 'float64' }),
      weight_hh_l0: tensor([[-1]], { dtype: 'float64' }),
      bias_ih_l0: tensor([0.1], { dtype: 'float64' }),
      bias_hh_l0: tensor([0.2], { dtype: 'float64' }),
    });
    const [out, hN] = rnn.forward(tensor([[1], [2]], { dtype: 'float64' })); // unbatched [T = 2, 1]
    const h1 = Math.tanh(0.5 + 0.3);
    const h2 = Math.tanh(1 - h1 + 0.3);
    expect(out.shape).toEqual([2, 1]);
    expect(out.data[0]).toBeCloseTo(h1, 14);
    expect(out.data[1]).toBeCloseTo(h2, 14);
    expect(hN.toArray()).toEqual([[out.data[1]]]);
  });

  it('unbatched input gives the batch of one without its batch dim; batchFirst only swaps the layout', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, rng: new Rng(1), dtype: 'float64' });
    const x = randn([5, 3], { dtype: 'float64', rng: new Rng(2) });
    const [out, [h, c]] = lstm.forward(x);
    const [outB, [hB, cB]] = lstm.forward(x.unsqueeze(1));
    expect(out.shape).toEqual([5, 4]);
    expect(h.shape).toEqual([2, 4]);
    expect(out.toArray()).toEqual(outB.squeeze(1).toArray());
    expect(h.toArray()).toEqual(hB.squeeze(1).toArray());
    expect(c.toArray()).toEqual(cB.squeeze(1).toArray());
    const gru = new GRU(3, 4, { rng: new Rng(1), dtype: 'float64' });
    const gruBF = new GRU(3, 4, { batchFirst: true, dtype: 'float64' });
    gruBF.loadStateDict(gru.stateDict());
    const xs = randn([5, 2, 3], { dtype: 'float64', rng: new Rng(3) });
    const [o1, h1] = gru.forward(xs);
    const [o2, h2] = gruBF.forward(xs.transpose(0, 1));
    expect(o2.transpose(0, 1).toArray()).toEqual(o1.toArray());
    expect(h2.toArray()).toEqual(h1.toArray());
  });

  it('batchFirst equals the sequence-first layer: 2 layers, both directions, lengths, gradients', () => {
    for (const Layer of [LSTM, GRU, RNN] as const) {
      const opts = { numLayers: 2, bidirectional: true, dtype: 'float64' as const };
      const seqFirst = new Layer(3, 4, { ...opts, rng: new Rng(5) });
      const bf = new Layer(3, 4, { ...opts, batchFirst: true });
      bf.loadStateDict(seqFirst.stateDict());
      const x = randn([6, 2, 3], { dtype: 'float64', rng: new Rng(6) });
      const probe = randn([6, 2, 8], { dtype: 'float64', rng: new Rng(7) });
      for (const lengths of [undefined, [6, 4]]) {
        const fwd = lengths ? { lengths } : {};
        const [o1, s1] = seqFirst.forward(x, undefined, fwd) as [Tensor, Tensor | Tensor[]];
        const [o2, s2] = bf.forward(x.transpose(0, 1), undefined, fwd) as [Tensor, Tensor | Tensor[]];
        expect(o2.shape).toEqual([2, 6, 8]);
        expect(o2.transpose(0, 1).toArray()).toEqual(o1.toArray());
        expect([s2].flat().map((t) => t.toArray())).toEqual([s1].flat().map((t) => t.toArray()));
        for (const m of [seqFirst, bf]) for (const p of m.parameters()) p.grad = null;
        o1.mul(probe).sum().backward();
        o2.mul(probe.transpose(0, 1)).sum().backward();
        // within rounding: a layout that sums the weight gradients' N·T rows in another order passes
        const want = seqFirst.parameters().flatMap((p) => [...(p.grad as Tensor).data]);
        const got = bf.parameters().flatMap((p) => [...(p.grad as Tensor).data]);
        expect(got.length).toBe(want.length);
        for (const [i, w] of want.entries()) expect(Math.abs((got[i] as number) - w)).toBeLessThan(1e-13);
      }
    }
  });

  it('batchFirst drops the same units between layers as the sequence-first layer, for one seed', () => {
    const opts = { numLayers: 3, dropout: 0.5, dtype: 'float64' as const };
    const seqFirst = new LSTM(3, 4, { ...opts, rng: new Rng(5) });
    const bf = new LSTM(3, 4, { ...opts, batchFirst: true });
    bf.loadStateDict(seqFirst.stateDict());
    const x = randn([5, 3, 3], { dtype: 'float64', rng: new Rng(6) });
    manualSeed(11);
    const [o1] = seqFirst.forward(x) as [Tensor, Tensor[]];
    manualSeed(11);
    const [o2] = bf.forward(x.transpose(0, 1)) as [Tensor, Tensor[]];
    expect(o2.transpose(0, 1).toArray()).toEqual(o1.toArray());
    // and the dropout is there: another seed gives other outputs
    manualSeed(12);
    expect((bf.forward(x.transpose(0, 1)) as [Tensor, Tensor[]])[0].toArray()).not.toEqual(o2.toArray());
  });

  it('a one-layer LSTM / GRU is its cell applied step by step', () => {
    const lstm = new LSTM(3, 4, { rng: new Rng(7), dtype: 'float64' });
    const cell = new LSTMCell(3, 4, { dtype: 'float64' });
    const gru = new GRU(3, 4, { rng: new Rng(8), dtype: 'float64' });
    const gcell = new GRUCell(3, 4, { dtype: 'float64' });
    for (const [layer, c] of [
      [lstm, cell],
      [gru, gcell],
    ] as const) {
      c.loadStateDict(Object.fromEntries(Object.entries(layer.stateDict()).map(([k, v]) => [k.replace('_l0', ''), v])));
    }
    const x = randn([3, 2, 3], { dtype: 'float64', rng: new Rng(9) });
    let hc = cell.forward(x.select(0, 0));
    let h = gcell.forward(x.select(0, 0));
    for (let t = 1; t < 3; t++) {
      hc = cell.forward(x.select(0, t), hc);
      h = gcell.forward(x.select(0, t), h);
    }
    const [, [hN, cN]] = lstm.forward(x);
    expect(hN.squeeze(0).toArray()).toEqual(hc[0].toArray());
    expect(cN.squeeze(0).toArray()).toEqual(hc[1].toArray());
    expect(gru.forward(x)[1].squeeze(0).toArray()).toEqual(h.toArray());
  });

  it('gradcheck (float64): a 2-layer GRU and an LSTM w.r.t. input, initial state and every parameter', () => {
    const rng = new Rng(4);
    const gru = new GRU(2, 3, { numLayers: 2, rng, dtype: 'float64' });
    const x = randn([3, 2, 2], { dtype: 'float64', rng, requiresGrad: true });
    const h0 = randn([2, 2, 3], { dtype: 'float64', rng, requiresGrad: true });
    checkModule(gru, (xs, h) => gru.forward(xs, h)[0].sum().add(gru.forward(xs, h)[1].square().sum()), [x, h0]);
    const lstm = new LSTM(2, 3, { batchFirst: true, rng, dtype: 'float64' });
    const xb = randn([2, 3, 2], { dtype: 'float64', rng, requiresGrad: true }); // [batch, seq, feature]
    const [h1, c1] = [0, 1].map(() => randn([1, 2, 3], { dtype: 'float64', rng, requiresGrad: true })) as [
      Tensor,
      Tensor,
    ];
    checkModule(
      lstm,
      (xs, h, c) => {
        const [out, [hN, cN]] = lstm.forward(xs, [h, c]);
        return out.square().sum().add(hN.sum()).add(cN.mul(cN.tanh()).sum());
      },
      [xb, h1, c1],
    );
  });

  it('gradcheck (float64): GRUCell and LSTMCell w.r.t. input and state', () => {
    const rng = new Rng(6);
    const gcell = new GRUCell(2, 3, { rng, dtype: 'float64' });
    const lcell = new LSTMCell(2, 3, { bias: false, rng, dtype: 'float64' });
    const x = randn([2, 2], { dtype: 'float64', rng, requiresGrad: true });
    const h = randn([2, 3], { dtype: 'float64', rng, requiresGrad: true });
    const c = randn([2, 3], { dtype: 'float64', rng, requiresGrad: true });
    checkModule(gcell, (xs, hs) => gcell.forward(xs, hs).square().sum(), [x, h]);
    checkModule(
      lcell,
      (xs, hs, cs) => {
        const [h1, c1] = lcell.forward(xs, [hs, cs]);
        return h1.sum().add(c1.square().sum());
      },
      [x, h, c],
    );
  });

  it('reject bad sizes, options and inputs, naming the layer; a failed forward changes nothing', () => {
    expect(() => new GRU(0, 4)).toThrow('GRU: inputSize must be a positive integer, got 0');
    expect(() => new LSTM(3, 4, { numLayers: 1.5 })).toThrow('LSTM: numLayers must be a positive integer, got 1.5');
    expect(() => new RNN(3, 4, { nonlinearity: 'gelu' as 'relu' })).toThrow(
      "RNN: nonlinearity must be 'tanh' or 'relu', got 'gelu'",
    );
    expect(() => new LSTMCell(3, -1)).toThrow('LSTMCell: hiddenSize must be a positive integer, got -1');
    const lstm = new LSTM(3, 4, { numLayers: 2 });
    const before = snapshot(lstm);
    expect(() => lstm.forward(randn([5, 2, 2]))).toThrow(
      'LSTM: input [5,2,2] must have inputSize 3 features in its last dim and at least one step',
    );
    expect(() => lstm.forward(randn([5, 2, 2, 3]))).toThrow('LSTM: input must be a 3-d Tensor [seq, batch, 3]');
    expect(() => lstm.forward(randn([0, 2, 3]))).toThrow(ChainruleError);
    expect(() => lstm.forward(randn([5, 2, 3]), [randn([2, 2, 4]), randn([1, 2, 4])])).toThrow(
      'LSTM: c0 has shape [1,2,4], expected [2,2,4]',
    );
    expect(() => lstm.forward(randn([5, 2, 3]), randn([2, 2, 4]) as unknown as [Tensor, Tensor])).toThrow(
      'LSTM: the initial state must be a pair [h0, c0]',
    );
    expect(() => new GRU(3, 4).forward(randn([5, 3]), randn([1, 2, 4]))).toThrow(
      'GRU: h0 has shape [1,2,4], expected [1,4]',
    );
    expect(() => new GRUCell(3, 4).forward(randn([2, 3]), randn([3, 4]))).toThrow(
      'GRUCell: h has shape [3,4], expected [2,4]',
    );
    expect(() => new LSTMCell(3, 4).forward(randn([2, 5]))).toThrow('LSTMCell: input must be a Tensor [batch, 3]');
    expect(snapshot(lstm)).toEqual(before);
  });
});
