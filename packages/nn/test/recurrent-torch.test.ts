// Embedding, the recurrent layers and MultiheadAttention against PyTorch (scripts/torch_fixtures.py): float64, 1e-10,
// output, every parameter gradient and every input gradient.
import type { Tensor } from '@chainrule/core';
import { describe, it } from 'vitest';
import { Embedding, GRU, GRUCell, LSTM, LSTMCell, type Module, MultiheadAttention, RNN } from '../src/index';
import { expectMatchesTorch, loadFixture } from './fixtures';

// biome-ignore lint/suspicious/noExplicitAny: constructor arguments come from the fixture's JSON config
type Ctor = new (...args: any[]) => Module;
const layers: Record<string, Ctor> = { Embedding, RNN, GRU, LSTM, GRUCell, LSTMCell, MultiheadAttention };

function check(name: string, call: (m: Module, inputs: Record<string, Tensor>) => unknown): void {
  const fixture = loadFixture(name);
  const { layer, args, opts } = fixture.config;
  const module = new (layers[layer] as Ctor)(...args, { ...opts, dtype: 'float64' });
  expectMatchesTorch(fixture, module, call);
}

describe('embedding and recurrent layers against PyTorch (float64, 1e-10)', () => {
  it('Embedding with paddingIdx: the padding row gets no gradient', () => {
    check('embedding_padding_idx', (m, i) => m.forward(i.indices?.to('int32')));
  });

  for (const name of [
    'rnn_tanh_2layers_h0',
    'rnn_relu_2layers_batchfirst',
    'gru_2layers_h0',
    'gru_batchfirst_nobias',
  ]) {
    it(`${name}: [output, hN]`, () => {
      check(name, (m, i) => m.forward(i.x, i.h0));
    });
  }

  for (const name of ['lstm_2layers_batchfirst_h0c0', 'lstm_1layer']) {
    it(`${name}: [output, [hN, cN]]`, () => {
      check(name, (m, i) => m.forward(i.x, i.h0 ? [i.h0, i.c0] : undefined));
    });
  }

  for (const name of [
    'gru_bidirectional_2layers_h0',
    'lstm_bidirectional_batchfirst',
    'rnn_bidirectional_dropout_eval',
  ]) {
    it(`${name}: bidirectional (PyTorch's _reverse parameters, hN [numLayers·2, N, H])`, () => {
      check(name, (m, i) => m.forward(i.x, m instanceof LSTM ? undefined : i.h0));
    });
  }

  it('lstm_packed_bidirectional_2layers: lengths as pack_padded_sequence(enforce_sorted=False)', () => {
    check('lstm_packed_bidirectional_2layers', (m, i) =>
      m.forward(i.x, undefined, { lengths: [...(i.lengths as Tensor).data] }),
    );
  });

  it('gru_packed_batchfirst_h0: lengths with an initial state, batchFirst', () => {
    check('gru_packed_batchfirst_h0', (m, i) => m.forward(i.x, i.h0, { lengths: i.lengths }));
  });

  it('GRUCell: h′', () => {
    check('grucell_h', (m, i) => m.forward(i.x, i.h0));
  });

  it('LSTMCell: [h′, c′]', () => {
    check('lstmcell_hc', (m, i) => m.forward(i.x, [i.h0, i.c0]));
  });
});

describe('MultiheadAttention against PyTorch (float64, 1e-10)', () => {
  it('mha_masks: additive float attnMask and a bool keyPaddingMask, [output, weights averaged over heads]', () => {
    check('mha_masks', (m, i) =>
      m.forward(i.query, i.key, i.value, { attnMask: i.attnMask, keyPaddingMask: i.keyPaddingMask?.to('bool') }),
    );
  });

  it('mha_batchfirst_selfattention_boolmask: a bool causal attnMask (true = not allowed)', () => {
    check('mha_batchfirst_selfattention_boolmask', (m, i) =>
      m.forward(i.x, i.x, i.x, { attnMask: i.attnMask?.to('bool') }),
    );
  });
});
