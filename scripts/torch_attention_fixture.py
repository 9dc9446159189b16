"""Writes packages/core/test/fixtures/attention.json: PyTorch's values and gradients for
scaled dot-product attention on fixed inputs (x_i = sin(c·i)), with no mask, a causal mask, a
bool mask and an additive float mask with a custom scale.

Run with Debian's torch: /usr/bin/python3 scripts/torch_attention_fixture.py
(torch 1.13 has no F.scaled_dot_product_attention; the reference below is its documented
math, softmax(q kᵀ·scale + mask) v, differentiated by torch's autograd.)
"""
import json
import pathlib

import torch


def mk(shape, c):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float64) * c).sin().reshape(shape).requires_grad_()


def sdpa(q, k, v, attn_mask=None, is_causal=False, scale=None):
    s = q @ k.transpose(-2, -1) * (scale if scale is not None else 1 / q.shape[-1] ** 0.5)
    if is_causal:
        s = s.masked_fill(~torch.ones(s.shape[-2], s.shape[-1], dtype=torch.bool).tril(), float("-inf"))
    elif attn_mask is not None:
        s = s.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else s + attn_mask
    return s.softmax(-1) @ v


q, k, v = mk([2, 3, 4], 0.37), mk([2, 5, 4], 0.53), mk([2, 5, 2], 0.71)
w = mk([2, 3, 2], 0.29).detach()
bool_mask = [[True, False, True, True, False], [False, True, True, False, True], [True, True, True, True, True]]
cases = {
    "plain": {},
    "causal": {"is_causal": True},
    "bool": {"attn_mask": torch.tensor(bool_mask)},
    "float": {"attn_mask": mk([3, 5], 0.11).detach(), "scale": 0.3},
}
out = {"boolMask": bool_mask}
for name, kw in cases.items():
    for t in (q, k, v):
        t.grad = None
    y = sdpa(q, k, v, **kw)
    (y * w).sum().backward()
    out[name] = {key: t.flatten().tolist() for key, t in (("y", y), ("gq", q.grad), ("gk", k.grad), ("gv", v.grad))}
path = pathlib.Path(__file__).resolve().parent.parent / "packages/core/test/fixtures/attention.json"
path.write_text(json.dumps(out) + "\n")
print("wrote", path)
