"""PyTorch's printing of the tensors that packages/core/test/tensor/format.test.ts builds, so the
test can check that chainrule prints them the same way. Run with Debian's python3-torch:

    /usr/bin/python3 scripts/print-fixtures.py > packages/core/test/tensor/fixtures/print.json

Spellings are translated to chainrule's: `dtype=torch.float64` -> `dtype=float64`,
`requires_grad=True` -> `requiresGrad=true`, `size=(2, 0)` -> `size=[2, 0]`, bool `True` -> `true`.
"""
import json
import re

import torch

cases = {
    "scalar": torch.tensor(1.0),
    "scalarFraction": torch.tensor(2.5),
    "vector": torch.tensor([1.0, 2.0, 3.0]),
    "matrix": torch.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "fractions": torch.tensor([[0.1, -2.25], [3.33333, 100.5]]),
    "negativeFractions": torch.tensor([-0.5, 0.25]),
    "tiny": torch.tensor([1e-5, 1.0, 3e3]),
    "huge": torch.tensor([1e9, 2.0]),
    "nonFinite": torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "zeros": torch.zeros(2, 3),
    "float64RequiresGrad": torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True),
    "cube": torch.arange(8.0).reshape(2, 2, 2),
    "wrapped": torch.arange(30.0) / 7,
    "summarized1d": torch.arange(1001.0),
    "summarized2d": torch.arange(1200.0).reshape(40, 30) / 3,
    "summarized3d": torch.arange(2000.0).reshape(10, 10, 20),
    "empty": torch.zeros(0),
    "empty2d": torch.zeros(2, 0),
    "int32": torch.tensor([[1, -20], [300, 4]], dtype=torch.int32),
    "bool": torch.tensor([[True, False], [False, True]]),
}


def chainrule_spelling(s: str) -> str:
    s = s.replace("torch.", "").replace("requires_grad=True", "requiresGrad=true")
    s = re.sub(r"size=\(([^)]*)\)", r"size=[\1]", s)
    return s.replace("True", "true").replace("False", "false")


out = {name: chainrule_spelling(repr(t)) for name, t in cases.items()}
# PyTorch does not print the dtype of bool tensors (bool is a default dtype there); chainrule
# prints every dtype but float32, so that a printed tensor can be typed back in as it was.
out["bool"] = out["bool"][:-1] + ", dtype=bool)"
print(json.dumps({"torch": torch.__version__, "cases": out}, indent=2))
