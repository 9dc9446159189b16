"""Learning-rate sequences of torch.optim.lr_scheduler, for packages/nn/test/scheduler.test.ts.

Run with a Python that has torch (Debian: /usr/bin/python3 with python3-torch):
    /usr/bin/python3 scripts/torch_schedulers.py > packages/nn/test/fixtures/schedulers.json
Each case: an SGD with two parameter groups (lr 0.1 and 0.05), the scheduler made with the
options given (torch's names; `options` holds chainrule's), then `steps` calls of step()
(ReduceLROnPlateau: step(metric) for each metric). `lrs[0]` is get_last_lr() right after
construction (for ReduceLROnPlateau, the groups' lrs), `lrs[k]` after the k-th step. Python's
json writes floats with repr, so every bit survives.
"""
import json

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S

CASES = [
    ("StepLR", "StepLR", {"step_size": 3, "gamma": 0.5}, {"stepSize": 3, "gamma": 0.5}, 12),
    ("StepLR default gamma", "StepLR", {"step_size": 2}, {"stepSize": 2}, 7),
    ("MultiStepLR (a repeated milestone)", "MultiStepLR", {"milestones": [9, 2, 5, 5], "gamma": 0.3},
     {"milestones": [9, 2, 5, 5], "gamma": 0.3}, 12),
    ("ExponentialLR", "ExponentialLR", {"gamma": 0.9}, {"gamma": 0.9}, 15),
    ("CosineAnnealingLR", "CosineAnnealingLR", {"T_max": 10}, {"tMax": 10}, 10),
    ("CosineAnnealingLR past T_max", "CosineAnnealingLR", {"T_max": 4, "eta_min": 0.001},
     {"tMax": 4, "etaMin": 0.001}, 20),
    ("CosineAnnealingLR long", "CosineAnnealingLR", {"T_max": 100, "eta_min": 1e-5}, {"tMax": 100, "etaMin": 1e-5}, 100),
    ("LinearLR defaults", "LinearLR", {}, {}, 8),
    ("LinearLR warm-down", "LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 4},
     {"startFactor": 1, "endFactor": 0.1, "totalIters": 4}, 7),
]

METRICS = [1.0, 0.9, 0.95, 0.9, 0.91, 0.92, 0.899, 0.8999, 0.9, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92,
           0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, float("nan"), 0.4, 0.4, 0.4, 0.4]
PLATEAU = [
    ("ReduceLROnPlateau rel", {"patience": 2}, {"patience": 2}),
    ("ReduceLROnPlateau abs, cooldown",
     {"patience": 1, "threshold": 0.01, "threshold_mode": "abs", "cooldown": 2, "factor": 0.5},
     {"patience": 1, "threshold": 0.01, "thresholdMode": "abs", "cooldown": 2, "factor": 0.5}),
    ("ReduceLROnPlateau max, minLr per group", {"mode": "max", "patience": 0, "factor": 0.2, "min_lr": [0.01, 0.0001]},
     {"mode": "max", "patience": 0, "factor": 0.2, "minLr": [0.01, 0.0001]}),
    ("ReduceLROnPlateau max abs", {"mode": "max", "patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
     {"mode": "max", "patience": 1, "threshold": 0.05, "thresholdMode": "abs"}),
    ("ReduceLROnPlateau eps", {"patience": 0, "factor": 0.5, "min_lr": 0.02, "eps": 0.004},
     {"patience": 0, "factor": 0.5, "minLr": 0.02, "eps": 0.004}),
]


def optimizer():
    a = torch.zeros(2, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    return SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.05}], lr=0.1)


def main():
    out = []
    for name, cls, torch_opts, opts, steps in CASES:
        opt = optimizer()
        sched = getattr(S, cls)(opt, **torch_opts)
        lrs = [sched.get_last_lr()]
        for _ in range(steps):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        out.append({"name": name, "scheduler": cls, "options": opts, "lrs": lrs})
    for name, torch_opts, opts in PLATEAU:
        opt = optimizer()
        sched = S.ReduceLROnPlateau(opt, **torch_opts)
        lrs = [[g["lr"] for g in opt.param_groups]]
        for m in METRICS:
            opt.step()
            sched.step(m)
            lrs.append([g["lr"] for g in opt.param_groups])
        # NaN is not JSON: the metric is written as null and read back as NaN by the test.
        metrics = [None if m != m else m for m in METRICS]
        out.append({"name": name, "scheduler": "ReduceLROnPlateau", "options": opts, "metrics": metrics, "lrs": lrs})
    print(json.dumps({"torch": torch.__version__, "cases": out}, indent=1))


if __name__ == "__main__":
    main()
