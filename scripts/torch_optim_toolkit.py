"""torch's figures for the optimizer toolkit tests (packages/nn/test/torch-toolkit.test.ts).

Run with a Python that has torch (Debian: /usr/bin/python3 with python3-torch):
    /usr/bin/python3 scripts/torch_optim_toolkit.py > packages/nn/test/fixtures/optim_toolkit.json

- `optimizers`: float64 parameters in two groups (the first with its own lr and weight decay),
  8 steps with the gradients below and a StepLR(step_size=3, gamma=0.5) stepped after each;
  after step 4 the optimizer's state_dict is loaded into a fresh optimizer over fresh copies of
  the parameters, which finishes the run. `params[k]` holds every parameter after step k + 1.
- `clip`: clip_grad_norm_ (float64 gradients) for several norm types and max norms: the total
  norm returned and the gradients after clipping.
Python's json writes floats with repr, so every bit survives.
"""
import json
import math

import torch
from torch.nn.utils import clip_grad_norm_

torch.set_default_dtype(torch.float64)

THETA = [[0.5, -1.25, 2.0], [0.75, -0.5]]


def grad(k, i, n):
    return [math.sin(1.3 * k + 0.7 * i + j) * (1 + i) for j in range(n)]


OPTIMIZERS = [
    ("SGD nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, {"lr": 0.05, "weight_decay": 0.01},
     {"lr": 0.1, "momentum": 0.9, "nesterov": True}, {"lr": 0.05, "weightDecay": 0.01}),
    ("SGD dampening", "SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 0.3}, {"lr": 0.2},
     {"lr": 0.1, "momentum": 0.5, "dampening": 0.3}, {"lr": 0.2}),
    ("Adam amsgrad", "Adam", {"lr": 0.01, "amsgrad": True, "betas": (0.9, 0.5)}, {"lr": 0.02, "weight_decay": 0.1},
     {"lr": 0.01, "amsgrad": True, "betas": [0.9, 0.5]}, {"lr": 0.02, "weightDecay": 0.1}),
    ("AdamW", "AdamW", {"lr": 0.01}, {"lr": 0.03, "weight_decay": 0.2},
     {"lr": 0.01}, {"lr": 0.03, "weightDecay": 0.2}),
    ("RMSprop centered momentum", "RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}, {"alpha": 0.9, "lr": 0.005},
     {"lr": 0.01, "momentum": 0.5, "centered": True}, {"alpha": 0.9, "lr": 0.005}),
]


def run_optimizer(cls, defaults, group0):
    def fresh(values):
        return [torch.tensor(v, requires_grad=True) for v in values]

    def make(ps):
        opt = getattr(torch.optim, cls)([dict(params=[ps[0]], **group0), {"params": [ps[1]]}], **defaults)
        return opt, torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)

    ps = fresh(THETA)
    opt, sched = make(ps)
    out = []
    for k in range(8):
        if k == 4:
            saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
            ps = fresh([p.detach().tolist() for p in ps])
            opt, sched = make(ps)
            opt.load_state_dict(saved_opt)
            sched.load_state_dict(saved_sched)
        for i, p in enumerate(ps):
            p.grad = torch.tensor(grad(k, i, p.numel()))
        opt.step()
        sched.step()
        out.append([p.detach().tolist() for p in ps])
    return out


GRADS = [[3.0, -4.0, 0.5], [12.0, -0.25]]
CLIP = [(2, 6.5), (1, 6.5), (3, 2.0), (math.inf, 1.0), (2, 100.0), (0.5, 3.0)]


def main():
    optimizers = []
    for name, cls, defaults, group0, our_defaults, our_group0 in OPTIMIZERS:
        optimizers.append({
            "name": name, "optimizer": cls, "defaults": our_defaults, "group0": our_group0,
            "params": run_optimizer(cls, defaults, group0),
        })
    clips = []
    for norm_type, max_norm in CLIP:
        ps = [torch.zeros(len(g), requires_grad=True) for g in GRADS]
        for p, g in zip(ps, GRADS):
            p.grad = torch.tensor(g)
        total = clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        clips.append({
            "normType": "Infinity" if norm_type == math.inf else norm_type, "maxNorm": max_norm,
            "total": total.item(), "grads": [p.grad.tolist() for p in ps],
        })
    print(json.dumps({"torch": torch.__version__, "theta": THETA, "clipGrads": GRADS,
                      "optimizers": optimizers, "clip": clips}, indent=1))


if __name__ == "__main__":
    main()
