#!/usr/bin/env python3
"""PyTorch parity, round two: the fixtures of packages/nn/test/parity.test.ts and
packages/core/test/tensor/parity.test.ts, computed and saved the way PyTorch computes and saves.

Run with Debian's torch (python3-torch):  /usr/bin/python3 scripts/torch_parity.py
The fixtures are committed, so the tests and CI need no Python.

packages/nn/test/fixtures/
  resnet_bn_torch.safetensors   a ResNet-style model's state_dict after 3 SGD steps in training
                                mode, written with torch's own dtypes (F32 weights and running
                                statistics, I64 num_batches_tracked), as safetensors.torch.save_file
                                writes it (Debian has no safetensors package: `save_file` below is
                                a byte-for-byte equivalent writer: sorted by alignment then name).
  resnet_bn_io.safetensors      an input and the model's eval-mode output for it (F32).
  dtypes_torch.safetensors      one tensor per dtype PyTorch writes (F64 F32 F16 BF16 I64 I32 I16
                                I8 U8 BOOL); their values as float64 are in parity.json ("dtypes").
  i64_overflow.safetensors      an I64 tensor holding 2**40 (does not fit int32).
packages/nn/test/fixtures/parity.json   losses (cross_entropy / nll_loss options) with gradients,
                                the dtype values, LambdaLR / OneCycleLR / SequentialLR sequences.
packages/core/test/fixtures/parity.json sort/argsort/topk/masked_select/x[mask] values, indices
                                and gradients, linspace in float32 and float64, eye.
Python's json writes floats with repr, so every bit survives.
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages')
NN = os.path.join(ROOT, 'nn', 'test', 'fixtures')
CORE = os.path.join(ROOT, 'core', 'test', 'fixtures')

DTYPES = {torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
          torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8',
          torch.bool: 'BOOL'}


def save_file(tensors, path, metadata=None):
    """safetensors.torch.save_file: each tensor in its own dtype, little-endian, ordered by
    alignment (largest element first) then name, the header padded with spaces to 8 bytes."""
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header = {} if metadata is None else {'__metadata__': metadata}
    blobs, offset = [], 0
    for name in order:
        t = tensors[name].detach().contiguous().cpu()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def tolist(t):
    return t.detach().to(torch.float64).tolist() if t.is_floating_point() else t.detach().tolist()


# ---------------------------------------------------------------- checkpoints


class Block(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = nn.Sequential(Block(8, 8, 1))
        self.layer2 = nn.Sequential(Block(8, 16, 2))
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        return self.fc(x.mean((2, 3)))


def checkpoints():
    torch.manual_seed(0)
    model = ResNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        x = torch.randn(4, 3, 8, 8)
        loss = F.cross_entropy(model(x), torch.randint(0, 5, (4,)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    save_file(model.state_dict(), os.path.join(NN, 'resnet_bn_torch.safetensors'),
              {'parameters': str(sum(p.numel() for p in model.parameters()))})
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        save_file({'input': x, 'output': model(x)}, os.path.join(NN, 'resnet_bn_io.safetensors'))
    # the reverse direction: a file written like chainrule's saveSafetensors(..., { int64: true })
    # loads back into torch with strict=True (checked here, at generation time)
    sd = {k: v.to(torch.int32) if v.dtype == torch.int64 else v for k, v in model.state_dict().items()}
    ResNet().load_state_dict(sd, strict=True)

    vals = [0.0, -1.5, 65504.0, 6.1e-05, 3.140625, 1e-7, -0.0, 2.5]
    tensors = {
        'f64': torch.tensor(vals, dtype=torch.float64) / 3,
        'f32': torch.tensor(vals, dtype=torch.float32) / 3,
        'f16': torch.tensor(vals, dtype=torch.float16),
        'bf16': torch.tensor(vals + [3e38, -1e-38], dtype=torch.bfloat16),
        'i64': torch.tensor([[0, -1], [2147483647, -2147483648]], dtype=torch.int64),
        'i32': torch.tensor([7, -7], dtype=torch.int32),
        'i16': torch.tensor([-32768, 32767, 5], dtype=torch.int16),
        'i8': torch.tensor([-128, 127, 0], dtype=torch.int8),
        'u8': torch.tensor([0, 255, 17], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
    }
    save_file(tensors, os.path.join(NN, 'dtypes_torch.safetensors'), {'written_by': 'torch_parity.py'})
    save_file({'big': torch.tensor([1, 2 ** 40], dtype=torch.int64)}, os.path.join(NN, 'i64_overflow.safetensors'))
    return {k: {'shape': list(v.shape), 'values': tolist(v.to(torch.float64) if v.is_floating_point() else v)}
            for k, v in tensors.items()}


# ---------------------------------------------------------------- losses


def losses():
    torch.manual_seed(1)
    logits = torch.randn(5, 4, dtype=torch.float64)
    labels = torch.tensor([0, 3, -100, 1, 3])
    labels_ii = torch.tensor([0, 2, 2, 1, 3])
    weight = torch.tensor([0.5, 2.0, 1.0, 0.25], dtype=torch.float64)
    probs = torch.softmax(torch.randn(5, 4, dtype=torch.float64), -1)
    cases = [
        ('default ignoreIndex -100', labels, {}, {}),
        ('ignoreIndex 2', labels_ii, {'ignore_index': 2}, {'ignoreIndex': 2}),
        ('labelSmoothing', labels_ii, {'label_smoothing': 0.1}, {'labelSmoothing': 0.1}),
        ('weight', labels_ii, {'weight': weight}, {'weight': True}),
        ('weight + ignoreIndex + labelSmoothing', labels, {'weight': weight, 'label_smoothing': 0.2},
         {'weight': True, 'labelSmoothing': 0.2}),
        ('weight + labelSmoothing, sum', labels_ii, {'weight': weight, 'label_smoothing': 0.3, 'reduction': 'sum'},
         {'weight': True, 'labelSmoothing': 0.3, 'reduction': 'sum'}),
        ('labelSmoothing + ignoreIndex, none', labels, {'label_smoothing': 0.25, 'reduction': 'none'},
         {'labelSmoothing': 0.25, 'reduction': 'none'}),
        ('probability targets', probs, {}, {}),
        ('probability targets, weight, labelSmoothing', probs, {'weight': weight, 'label_smoothing': 0.1},
         {'weight': True, 'labelSmoothing': 0.1}),
        ('probability targets, none', probs, {'reduction': 'none'}, {'reduction': 'none'}),
    ]
    out = {'logits': tolist(logits), 'weight': tolist(weight), 'crossEntropy': [], 'nll': []}
    for name, target, torch_opts, opts in cases:
        z = logits.clone().requires_grad_(True)
        loss = F.cross_entropy(z, target, **torch_opts)
        gen = torch.Generator().manual_seed(5)
        probe = torch.randn(loss.shape, generator=gen, dtype=torch.float64)
        (loss * probe).sum().backward()
        out['crossEntropy'].append({'name': name, 'target': tolist(target), 'probabilityTarget': target.is_floating_point(),
                                    'options': opts, 'loss': tolist(loss), 'probe': tolist(probe), 'grad': tolist(z.grad)})
    logp = torch.log_softmax(logits, -1)
    for name, target, torch_opts, opts in cases[:7]:
        if 'label_smoothing' in torch_opts:
            continue
        z = logp.clone().requires_grad_(True)
        loss = F.nll_loss(z, target, **torch_opts)
        loss.sum().backward()
        out['nll'].append({'name': name, 'target': tolist(target), 'options': opts, 'loss': tolist(loss),
                           'grad': tolist(z.grad)})
    out['logProbs'] = tolist(logp)
    # float32 as a model computes it: the loss of a float32 batch with every option
    z32 = logits.to(torch.float32).requires_grad_(True)
    l32 = F.cross_entropy(z32, labels, weight=weight.float(), label_smoothing=0.1)
    l32.backward()
    out['float32'] = {'loss': tolist(l32), 'grad': tolist(z32.grad)}
    return out


# ---------------------------------------------------------------- schedulers


def schedulers():
    from torch.optim import lr_scheduler as S

    def optimizer():
        a = torch.zeros(2, requires_grad=True)
        b = torch.zeros(3, requires_grad=True)
        return torch.optim.SGD([{'params': [a], 'lr': 0.1}, {'params': [b], 'lr': 0.05}], lr=0.1, momentum=0.9)

    def run(make, steps, momentum=False):
        opt = optimizer()
        sched = make(opt)
        lrs, moms = [sched.get_last_lr()], [[g['momentum'] for g in opt.param_groups]]
        for _ in range(steps):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
            moms.append([g['momentum'] for g in opt.param_groups])
        return {'lrs': lrs, 'momentum': moms} if momentum else {'lrs': lrs}

    cases = []
    cases.append(dict(name='LambdaLR 0.95^epoch', **run(lambda o: S.LambdaLR(o, lambda e: 0.95 ** e), 10)))
    cases.append(dict(name='LambdaLR per group', **run(lambda o: S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: e % 3]), 8)))
    cases.append(dict(name='OneCycleLR cos', options={'maxLr': [1.0, 0.5], 'totalSteps': 20},
                      **run(lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=20), 20, True)))
    cases.append(dict(name='OneCycleLR linear three-phase', options={'maxLr': 0.3, 'totalSteps': 16, 'pctStart': 0.25,
                                                                     'annealStrategy': 'linear', 'threePhase': True,
                                                                     'divFactor': 10, 'finalDivFactor': 100},
                      **run(lambda o: S.OneCycleLR(o, max_lr=0.3, total_steps=16, pct_start=0.25, anneal_strategy='linear',
                                                   three_phase=True, div_factor=10, final_div_factor=100), 16, True)))
    cases.append(dict(name='OneCycleLR epochs x stepsPerEpoch, no momentum cycling',
                      options={'maxLr': 0.2, 'epochs': 3, 'stepsPerEpoch': 4, 'cycleMomentum': False},
                      **run(lambda o: S.OneCycleLR(o, max_lr=0.2, epochs=3, steps_per_epoch=4, cycle_momentum=False), 12, True)))
    cases.append(dict(name='SequentialLR warmup + cosine', options={'milestones': [3]},
                      **run(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3),
                                                         S.CosineAnnealingLR(o, T_max=7)], milestones=[3]), 12)))
    cases.append(dict(name='SequentialLR three schedulers', options={'milestones': [2, 5]},
                      **run(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=2),
                                                         S.StepLR(o, step_size=2, gamma=0.5),
                                                         S.ExponentialLR(o, gamma=0.9)], milestones=[2, 5]), 10)))
    return cases


# ---------------------------------------------------------------- core ops


def core_ops():
    torch.manual_seed(2)
    x = torch.tensor([[3., 1., 2., 1., 5., 1.], [0., -2., 7., 7., -2., 4.], [1., 1., 1., 1., 1., 1.]], dtype=torch.float64)
    out = {'x': tolist(x), 'sort': [], 'topk': []}
    for dim in (0, 1, -1):
        for desc in (False, True):
            xs = x.clone().requires_grad_(True)
            v, i = torch.sort(xs, dim=dim, descending=desc, stable=True)
            probe = torch.arange(v.numel(), dtype=torch.float64).reshape(v.shape)
            (v * probe).sum().backward()
            out['sort'].append({'dim': dim, 'descending': desc, 'values': tolist(v), 'indices': tolist(i),
                                'argsort': tolist(torch.argsort(x, dim=dim, descending=desc, stable=True)),
                                'grad': tolist(xs.grad)})
    y = torch.randn(4, 7, dtype=torch.float64)
    out['y'] = tolist(y)
    for k, dim, largest in ((3, 1, True), (2, 0, False), (7, -1, True), (1, 0, True), (0, 1, True)):
        ys = y.clone().requires_grad_(True)
        v, i = torch.topk(ys, k, dim=dim, largest=largest, sorted=True)
        probe = torch.arange(v.numel(), dtype=torch.float64).reshape(v.shape) + 1
        (v * probe).sum().backward()
        out['topk'].append({'k': k, 'dim': dim, 'largest': largest, 'values': tolist(v), 'indices': tolist(i),
                            'grad': tolist(ys.grad)})
    nan = torch.tensor([2., float('nan'), -1., float('nan'), 0.])
    out['nan'] = {'ascending': tolist(torch.sort(nan, stable=True).indices),
                  'descending': tolist(torch.sort(nan, descending=True, stable=True).indices)}
    # masked_select with broadcasting, and x[mask] over leading dims
    z = torch.randn(3, 4, dtype=torch.float64).requires_grad_(True)
    mask = torch.tensor([True, False, True, True])
    ms = torch.masked_select(z, mask)
    (ms * torch.arange(ms.numel(), dtype=torch.float64)).sum().backward()
    out['maskedSelect'] = {'x': tolist(z), 'mask': mask.tolist(), 'values': tolist(ms), 'grad': tolist(z.grad)}
    w = torch.randn(3, 2, 2, dtype=torch.float64).requires_grad_(True)
    m2 = torch.tensor([False, True, True])
    sel = w[m2]
    (sel * torch.arange(sel.numel(), dtype=torch.float64).reshape(sel.shape)).sum().backward()
    out['boolIndex'] = {'x': tolist(w), 'mask': m2.tolist(), 'values': tolist(sel), 'shape': list(sel.shape),
                        'grad': tolist(w.grad)}
    m3 = torch.tensor([[True, False], [False, True]])
    out['boolIndex2d'] = {'mask': m3.tolist(), 'values': tolist(w[0][m3])}
    out['linspace'] = []
    for start, end, steps in ((0, 1, 5), (-3.7, 11.2, 13), (0, 1, 11), (1e-3, 5.5, 100), (2, -2, 7), (0.1, 0.1, 3), (5, 9, 1), (0, 1, 0)):
        out['linspace'].append({'start': start, 'end': end, 'steps': steps,
                                'float32': tolist(torch.linspace(start, end, steps, dtype=torch.float32)),
                                'float64': tolist(torch.linspace(start, end, steps, dtype=torch.float64))})
    out['eye'] = {'3': tolist(torch.eye(3)), '2x4': tolist(torch.eye(2, 4)), '4x2': tolist(torch.eye(4, 2))}
    return out


# ---------------------------------------------------------------- init


def inits():
    """Moments of 10⁶ draws of each torch.nn.init sampler (the streams differ from chainrule's;
    the distributions must not)."""
    torch.manual_seed(3)
    out = []
    for name, fill, opts in (
        ('truncNormal', lambda t: nn.init.trunc_normal_(t, mean=0.5, std=1.0, a=-1.0, b=1.5), {'mean': 0.5, 'std': 1, 'a': -1, 'b': 1.5}),
        ('truncNormal', lambda t: nn.init.trunc_normal_(t, std=0.02), {'std': 0.02}),
        ('normal', lambda t: nn.init.normal_(t, mean=-1.0, std=3.0), {'mean': -1, 'std': 3}),
        ('uniform', lambda t: nn.init.uniform_(t, a=-0.5, b=2.0), {'a': -0.5, 'b': 2}),
    ):
        t = torch.empty(1000000, dtype=torch.float64)
        fill(t)
        out.append({'fn': name, 'options': opts, 'mean': t.mean().item(), 'std': t.std().item(),
                    'min': t.min().item(), 'max': t.max().item()})
    return out


def main():
    os.makedirs(NN, exist_ok=True)
    os.makedirs(CORE, exist_ok=True)
    nn_out = {'torch': torch.__version__, 'dtypes': checkpoints(), 'losses': losses(), 'schedulers': schedulers(), 'init': inits()}
    with open(os.path.join(NN, 'parity.json'), 'w') as f:
        json.dump(nn_out, f, indent=1)
    with open(os.path.join(CORE, 'parity.json'), 'w') as f:
        json.dump(dict(core_ops(), torch=torch.__version__), f, indent=1)


if __name__ == '__main__':
    main()
