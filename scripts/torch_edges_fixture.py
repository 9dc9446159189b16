"""Writes packages/core/test/fixtures/edges.json: PyTorch's values at numerical edges that
chainrule once got wrong without an error (issue 20): log_softmax of logits of 1e13 and more, and
binary_cross_entropy_with_logits (values and gradients) at infinite logits, in float32 and float64,
as torch computes them with its own dtypes and defaults; and the arange calls torch rejects.

Run with Debian's torch: /usr/bin/python3 scripts/torch_edges_fixture.py
Non-finite numbers are written as the strings "inf", "-inf" and "nan".
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F


def enc(values):
    def one(v):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v

    return [one(v) for v in values]


out = {"logSoftmax": [], "bceWithLogits": [], "arangeRejected": [], "torch": torch.__version__}
rows = [
    [1e13, 1e13 + 2**20, 0.0],
    [1e15, 1e15, 1e15 - 1],
    [3e38, 3e38, -3e38],
    [-1e14, -1e14 + 3, -1e14 + 7, 2.5],
]
for dtype in ["float32", "float64"]:
    dt = getattr(torch, dtype)
    for row in rows:
        x = torch.tensor(row, dtype=dt)
        out["logSoftmax"].append({"dtype": dtype, "x": enc(x.tolist()), "y": enc(F.log_softmax(x, 0).tolist())})
    inf = float("inf")
    z = torch.tensor([inf, inf, inf, -inf, -inf, -inf, 3.0, -40.0], dtype=dt, requires_grad=True)
    t = torch.tensor([1.0, 0.0, 0.5, 1.0, 0.0, 0.5, 1.0, 0.25], dtype=dt)
    loss = F.binary_cross_entropy_with_logits(z, t, reduction="none")
    loss.sum().backward()
    out["bceWithLogits"].append(
        {"dtype": dtype, "z": enc(z.tolist()), "t": t.tolist(), "loss": enc(loss.tolist()), "grad": enc(z.grad.tolist())}
    )
for args in [(0, 10, -1), (10, 0, 1), (0, -3, 1), (-3,)]:
    try:
        torch.arange(*args)
        out["arangeRejected"].append({"args": list(args), "error": None})
    except RuntimeError as e:
        out["arangeRejected"].append({"args": list(args), "error": str(e)})

path = pathlib.Path(__file__).resolve().parent.parent / "packages/core/test/fixtures/edges.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
