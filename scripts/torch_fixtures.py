#!/usr/bin/env python3
"""Writes the PyTorch fixtures of packages/nn/test/fixtures/: for each layer, PyTorch's weights,
an input, the output and the gradients of every parameter and float input, in float64.

Run with Debian's torch (python3-torch):  /usr/bin/python3 scripts/torch_fixtures.py
The fixtures are committed, so the tests and CI need no Python.

One file per case, <name>.safetensors (written by hand below: u64 LE header length, JSON
header, raw little-endian data; every float tensor F64, every integer tensor of the state dict in
torch's own int64, I64, as PyTorch saves it):
  state.<key>        the layer's state_dict (num_batches_tracked int64, as PyTorch keeps it)
  input.<role>       the inputs (x, h0, c0, query, key, value, indices, attnMask, keyPaddingMask);
                     integer indices and boolean masks are stored as float64 (0/1 for masks,
                     1 = True, i.e. "masked out" as PyTorch)
  output.<path>      every tensor the forward returns, flattened: output.0, output.1.0, ...
  probe.<path>       a fixed random tensor per output; the loss is L = Σ_path Σ(output·probe)
  grad.<key>         ∂L/∂ of every parameter (PyTorch's names)
  grad_input.<role>  ∂L/∂ of every float input (masks excepted: they are constants)
  after.<key>        buffers after the forward (BatchNorm's running statistics in training)
The "__metadata__" entry "config" is JSON: the chainrule layer name, constructor arguments and
options (camelCase, chainrule's names), the forward options, and the mode (train / eval).
"""
import json
import os
import struct
import sys
import zlib

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'nn', 'test', 'fixtures')
torch.set_default_dtype(torch.float64)


def write_safetensors(path, tensors, metadata):
    header = {'__metadata__': metadata}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        if t.dtype == torch.int64:
            raw, dtype = struct.pack('<%dq' % t.numel(), *t.flatten().tolist()), 'I64'
        else:
            raw, dtype = struct.pack('<%dd' % t.numel(), *t.to(torch.float64).flatten().tolist()), 'F64'
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def flatten_outputs(out, path='output'):
    """(name, tensor) for every tensor in a nested tuple/list output."""
    if isinstance(out, torch.Tensor):
        return [(path, out)]
    if isinstance(out, (tuple, list)):
        res = []
        for i, o in enumerate(out):
            res += flatten_outputs(o, '%s.%d' % (path, i))
        return res
    if out is None:
        return []
    raise TypeError(type(out))


def case(name, layer, config, inputs, call, train=True, prepare=None, constant=()):
    """Runs `call(layer, inputs)`, backpropagates L = Σ⟨output, probe⟩ and writes the fixture.
    Float inputs get gradients, except the roles in `constant` (masks)."""
    torch.manual_seed(zlib.crc32(name.encode()))
    if prepare:
        prepare(layer)
    layer.train(train)
    tensors = {}
    for k, v in layer.state_dict().items():
        tensors['state.' + k] = v.clone()
    float_inputs = {}
    for role, v in inputs.items():
        if v.dtype == torch.float64 and role not in constant:
            v.requires_grad_(True)
            float_inputs[role] = v
        tensors['input.' + role] = v.detach().to(torch.float64)
    out = call(layer, inputs)
    outs = flatten_outputs(out)
    gen = torch.Generator().manual_seed(1234)
    loss = 0
    for path, o in outs:
        probe = torch.randn(o.shape, generator=gen)
        tensors[path] = o.detach()
        tensors['probe' + path[len('output'):]] = probe
        loss = loss + (o * probe).sum()
    loss.backward()
    for k, p in layer.named_parameters():
        tensors['grad.' + k] = p.grad if p.grad is not None else torch.zeros_like(p)
    for role, v in float_inputs.items():
        tensors['grad_input.' + role] = v.grad if v.grad is not None else torch.zeros_like(v)
    for k, b in layer.named_buffers():
        tensors['after.' + k] = b.clone()
    config = dict(config, mode='train' if train else 'eval', torch=torch.__version__)
    write_safetensors(os.path.join(OUT, name + '.safetensors'), tensors, {'config': json.dumps(config)})
    print('%-28s %s' % (name, ', '.join('%s%s' % (p, list(o.shape)) for p, o in outs)))


def randn(*shape):
    return torch.randn(*shape)


def conv_cases():
    nn = torch.nn
    specs = [
        ('conv1d_stride_padding', 'Conv1d', [3, 4, 3], {'stride': 2, 'padding': 1}, (2, 3, 9)),
        ('conv1d_same_dilation_groups', 'Conv1d', [4, 6, 3], {'padding': 'same', 'dilation': 2, 'groups': 2}, (2, 4, 8)),
        ('conv2d_padding', 'Conv2d', [3, 4, 3], {'padding': 1}, (2, 3, 6, 5)),
        ('conv2d_stride_pair_nobias', 'Conv2d', [2, 3, [3, 2]], {'stride': [2, 1], 'padding': [1, 0], 'bias': False}, (2, 2, 7, 6)),
        ('conv2d_dilation', 'Conv2d', [2, 2, 3], {'dilation': 2, 'padding': 2}, (1, 2, 7, 7)),
        ('conv2d_groups_stride', 'Conv2d', [4, 6, 3], {'groups': 2, 'stride': 2}, (2, 4, 7, 7)),
        ('conv2d_same_even_kernel', 'Conv2d', [2, 3, [2, 4]], {'padding': 'same'}, (2, 2, 5, 6)),
        ('conv2d_valid', 'Conv2d', [1, 2, 3], {'padding': 'valid'}, (3, 1, 5, 5)),
    ]
    for name, kind, args, opts, shape in specs:
        torch.manual_seed(len(name))
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in opts.items()}
        targs = [tuple(a) if isinstance(a, list) else a for a in args]
        layer = getattr(nn, kind)(*targs, **kw)
        case(name, layer, {'layer': kind, 'args': args, 'opts': opts}, {'x': randn(*shape)}, lambda m, i: m(i['x']))


def pool_cases():
    nn = torch.nn
    specs = [
        ('maxpool2d', 'MaxPool2d', [2], {}, (2, 3, 6, 6)),
        ('maxpool2d_stride_padding', 'MaxPool2d', [3], {'stride': 2, 'padding': 1}, (2, 2, 7, 7)),
        ('avgpool2d', 'AvgPool2d', [2], {}, (2, 3, 6, 6)),
        ('avgpool2d_stride_padding', 'AvgPool2d', [[3, 2]], {'stride': [2, 1], 'padding': [1, 1]}, (2, 2, 7, 6)),
    ]
    for name, kind, args, opts, shape in specs:
        torch.manual_seed(len(name))
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in opts.items()}
        layer = getattr(nn, kind)(*[tuple(a) if isinstance(a, list) else a for a in args], **kw)
        case(name, layer, {'layer': kind, 'args': args, 'opts': opts}, {'x': randn(*shape)}, lambda m, i: m(i['x']))


def batchnorm_cases():
    def randomize(m):
        with torch.no_grad():
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.5, 0.5)
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            m.num_batches_tracked.fill_(3)

    torch.manual_seed(7)
    case('batchnorm2d_train', torch.nn.BatchNorm2d(3), {'layer': 'BatchNorm2d', 'args': [3], 'opts': {}},
         {'x': randn(4, 3, 5, 5) * 2 + 1}, lambda m, i: m(i['x']), train=True, prepare=randomize)
    torch.manual_seed(8)
    case('batchnorm2d_momentum_none', torch.nn.BatchNorm2d(2, momentum=None),
         {'layer': 'BatchNorm2d', 'args': [2], 'opts': {'momentum': None}},
         {'x': randn(3, 2, 4, 3)}, lambda m, i: m(i['x']), train=True, prepare=randomize)
    torch.manual_seed(10)
    case('batchnorm1d_train_ncl', torch.nn.BatchNorm1d(3), {'layer': 'BatchNorm1d', 'args': [3], 'opts': {}},
         {'x': randn(4, 3, 5)}, lambda m, i: m(i['x']), train=True, prepare=randomize)
    torch.manual_seed(12)
    case('batchnorm1d_eval_nc', torch.nn.BatchNorm1d(3), {'layer': 'BatchNorm1d', 'args': [3], 'opts': {}},
         {'x': randn(6, 3)}, lambda m, i: m(i['x']), train=False, prepare=randomize)
    torch.manual_seed(9)
    case('batchnorm2d_eval', torch.nn.BatchNorm2d(3), {'layer': 'BatchNorm2d', 'args': [3], 'opts': {}},
         {'x': randn(2, 3, 4, 4)}, lambda m, i: m(i['x']), train=False, prepare=randomize)


def embedding_cases():
    torch.manual_seed(11)
    layer = torch.nn.Embedding(10, 4, padding_idx=1)
    idx = torch.tensor([[1, 2, 4], [4, 1, 9]])
    case('embedding_padding_idx', layer, {'layer': 'Embedding', 'args': [10, 4], 'opts': {'paddingIdx': 1}},
         {'indices': idx}, lambda m, i: m(i['indices']))


def recurrent_cases():
    nn = torch.nn
    torch.manual_seed(21)
    case('rnn_tanh_2layers_h0', nn.RNN(3, 5, num_layers=2),
         {'layer': 'RNN', 'args': [3, 5], 'opts': {'numLayers': 2}},
         {'x': randn(6, 2, 3), 'h0': randn(2, 2, 5)}, lambda m, i: m(i['x'], i['h0']))
    torch.manual_seed(22)
    case('rnn_relu_2layers_batchfirst', nn.RNN(3, 5, num_layers=2, nonlinearity='relu', batch_first=True),
         {'layer': 'RNN', 'args': [3, 5], 'opts': {'numLayers': 2, 'nonlinearity': 'relu', 'batchFirst': True}},
         {'x': randn(2, 6, 3)}, lambda m, i: m(i['x']))
    torch.manual_seed(23)
    case('gru_2layers_h0', nn.GRU(3, 4, num_layers=2),
         {'layer': 'GRU', 'args': [3, 4], 'opts': {'numLayers': 2}},
         {'x': randn(5, 2, 3), 'h0': randn(2, 2, 4)}, lambda m, i: m(i['x'], i['h0']))
    torch.manual_seed(24)
    case('gru_batchfirst_nobias', nn.GRU(3, 4, batch_first=True, bias=False),
         {'layer': 'GRU', 'args': [3, 4], 'opts': {'batchFirst': True, 'bias': False}},
         {'x': randn(2, 5, 3)}, lambda m, i: m(i['x']))
    torch.manual_seed(25)
    case('lstm_2layers_batchfirst_h0c0', nn.LSTM(3, 4, num_layers=2, batch_first=True),
         {'layer': 'LSTM', 'args': [3, 4], 'opts': {'numLayers': 2, 'batchFirst': True}},
         {'x': randn(2, 5, 3), 'h0': randn(2, 2, 4), 'c0': randn(2, 2, 4)},
         lambda m, i: m(i['x'], (i['h0'], i['c0'])))
    torch.manual_seed(26)
    case('lstm_1layer', nn.LSTM(3, 4), {'layer': 'LSTM', 'args': [3, 4], 'opts': {}},
         {'x': randn(5, 2, 3)}, lambda m, i: m(i['x']))
    torch.manual_seed(41)
    case('gru_bidirectional_2layers_h0', nn.GRU(3, 4, num_layers=2, bidirectional=True),
         {'layer': 'GRU', 'args': [3, 4], 'opts': {'numLayers': 2, 'bidirectional': True}},
         {'x': randn(5, 2, 3), 'h0': randn(4, 2, 4)}, lambda m, i: m(i['x'], i['h0']))
    torch.manual_seed(42)
    case('lstm_bidirectional_batchfirst', nn.LSTM(3, 4, bidirectional=True, batch_first=True),
         {'layer': 'LSTM', 'args': [3, 4], 'opts': {'bidirectional': True, 'batchFirst': True}},
         {'x': randn(2, 5, 3)}, lambda m, i: m(i['x']))
    torch.manual_seed(43)
    case('rnn_bidirectional_dropout_eval', nn.RNN(3, 5, num_layers=2, bidirectional=True, dropout=0.5),
         {'layer': 'RNN', 'args': [3, 5], 'opts': {'numLayers': 2, 'bidirectional': True, 'dropout': 0.5}},
         {'x': randn(4, 2, 3)}, lambda m, i: m(i['x']), train=False)

    def packed(m, i, state=None):
        pk = nn.utils.rnn.pack_padded_sequence(i['x'], i['lengths'], batch_first=m.batch_first, enforce_sorted=False)
        out, hn = m(pk, state)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=m.batch_first, total_length=i['x'].shape[1 if m.batch_first else 0])
        return out, hn
    torch.manual_seed(44)
    case('lstm_packed_bidirectional_2layers', nn.LSTM(3, 4, num_layers=2, bidirectional=True),
         {'layer': 'LSTM', 'args': [3, 4], 'opts': {'numLayers': 2, 'bidirectional': True},
          'forwardOpts': {'lengths': 'input.lengths (pack_padded_sequence, enforce_sorted=False)'}},
         {'x': randn(6, 3, 3), 'lengths': torch.tensor([4, 6, 2])}, lambda m, i: packed(m, i))
    torch.manual_seed(45)
    case('gru_packed_batchfirst_h0', nn.GRU(3, 4, batch_first=True),
         {'layer': 'GRU', 'args': [3, 4], 'opts': {'batchFirst': True},
          'forwardOpts': {'lengths': 'input.lengths (pack_padded_sequence, enforce_sorted=False)'}},
         {'x': randn(3, 5, 3), 'h0': randn(1, 3, 4), 'lengths': torch.tensor([5, 1, 3])},
         lambda m, i: packed(m, i, i['h0']))
    torch.manual_seed(27)
    case('grucell_h', nn.GRUCell(3, 4), {'layer': 'GRUCell', 'args': [3, 4], 'opts': {}},
         {'x': randn(2, 3), 'h0': randn(2, 4)}, lambda m, i: m(i['x'], i['h0']))
    torch.manual_seed(28)
    case('lstmcell_hc', nn.LSTMCell(3, 4), {'layer': 'LSTMCell', 'args': [3, 4], 'opts': {}},
         {'x': randn(2, 3), 'h0': randn(2, 4), 'c0': randn(2, 4)}, lambda m, i: m(i['x'], (i['h0'], i['c0'])))


def attention_cases():
    nn = torch.nn
    torch.manual_seed(31)
    L, S, N, E = 4, 5, 2, 8
    attn = torch.randn(L, S) * 0.5
    attn[0, 3] = float('-inf')
    kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    case('mha_masks', nn.MultiheadAttention(E, 2),
         {'layer': 'MultiheadAttention', 'args': [E, 2], 'opts': {},
          'forwardOpts': {'attnMask': 'input.attnMask (additive float)', 'keyPaddingMask': 'input.keyPaddingMask (1 = pad)'}},
         {'query': randn(L, N, E), 'key': randn(S, N, E), 'value': randn(S, N, E),
          'attnMask': attn, 'keyPaddingMask': kpm},
         lambda m, i: m(i['query'], i['key'], i['value'], attn_mask=i['attnMask'],
                        key_padding_mask=i['keyPaddingMask']), constant=('attnMask',))
    torch.manual_seed(32)
    causal = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)
    x = randn(N, L, E)
    case('mha_batchfirst_selfattention_boolmask', nn.MultiheadAttention(E, 4, batch_first=True),
         {'layer': 'MultiheadAttention', 'args': [E, 4], 'opts': {'batchFirst': True},
          'forwardOpts': {'attnMask': 'input.attnMask (bool, 1 = masked: causal)'}},
         {'x': x, 'attnMask': causal},
         lambda m, i: m(i['x'], i['x'], i['x'], attn_mask=i['attnMask']), constant=('attnMask',))


def main():
    os.makedirs(OUT, exist_ok=True)
    conv_cases()
    pool_cases()
    batchnorm_cases()
    embedding_cases()
    recurrent_cases()
    attention_cases()


if __name__ == '__main__':
    sys.exit(main())
