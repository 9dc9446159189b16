"""Writes packages/core/test/fixtures/higher-order.json: what PyTorch computes with create_graph,
tensor hooks, a custom autograd.Function and torch.func (functorch in torch 1.13) on fixed float64
inputs (x_i = sin(c·i)), for core's higher-order tests.

Run with Debian's torch: /usr/bin/python3 scripts/torch_higher_order.py
"""
import json
import pathlib

import torch
from functorch import grad, hessian, jacfwd, jacrev, jvp, vjp

torch.set_default_dtype(torch.float64)


def mk(shape, c, requires_grad=False):
    n = 1
    for s in shape:
        n *= s
    t = (torch.arange(n, dtype=torch.float64) * c + 0.3).sin().reshape(shape)
    return t.requires_grad_(requires_grad)


def flat(t):
    return t.detach().reshape(-1).tolist()


out = {}

# torch.func on a scalar function of a vector
x = mk([4], 0.7)
v = mk([4], 1.3)


def f(x):
    return (x.tanh() ** 3 * x).sum() + (x[0] * x[1] * x[2]).exp()


out["f"] = {
    "x": flat(x),
    "v": flat(v),
    "value": f(x).item(),
    "grad": flat(grad(f)(x)),
    "hvp": flat(jvp(grad(f), (x,), (v,))[1]),
    "hessian": flat(hessian(f)(x)),
}


def g(x):
    return torch.stack([x[0] * x[1], x[2].sin() * x[3], x[0] ** 3, (x * x).sum().sqrt()])


out["g"] = {"jacrev": flat(jacrev(g)(x)), "jacfwd": flat(jacfwd(g)(x)), "jvp": flat(jvp(g, (x,), (v,))[1])}
y, vjp_fn = vjp(g, x)
out["g"]["vjp"] = flat(vjp_fn(v)[0])


# argnums and has_aux
def two(a, b):
    return (a.sin() * b).sum(), a.cos()


ga, gb = grad(lambda a, b: two(a, b)[0], argnums=(0, 1))(x, v)
gaux, aux = grad(two, has_aux=True)(x, v)
out["argnums"] = {"ga": flat(ga), "gb": flat(gb), "gaux": flat(gaux), "aux": flat(aux)}

# create_graph: third derivative of a scalar function, and a WGAN-GP penalty's parameter gradients
s = mk([3], 0.9, True)
(d1,) = torch.autograd.grad((s.sin() * s.square()).sum(), s, create_graph=True)
(d2,) = torch.autograd.grad(d1.sum(), s, create_graph=True)
(d3,) = torch.autograd.grad(d2.sum(), s)
out["third"] = {"x": flat(s), "d1": flat(d1), "d2": flat(d2), "d3": flat(d3)}

torch.manual_seed(0)
critic = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
with torch.no_grad():
    for i, p in enumerate(critic.parameters()):
        p.copy_(mk(list(p.shape), 0.37 + 0.11 * i) * 0.8)
pts = mk([5, 2], 0.53, True)
(gx,) = torch.autograd.grad(critic(pts).sum(), pts, create_graph=True)
penalty = ((gx.norm(2, dim=1) - 1) ** 2).mean()
penalty.backward()
out["penalty"] = {
    "points": flat(pts),
    "params": {n: flat(p) for n, p in critic.named_parameters()},
    "shapes": {n: list(p.shape) for n, p in critic.named_parameters()},
    "penalty": penalty.item(),
    "grads": {n: None if p.grad is None else flat(p.grad) for n, p in critic.named_parameters()},
}

# a tensor hook that doubles the gradient through an intermediate, and retain_grad
a = mk([3], 0.41, True)
h = a.sin()
h.retain_grad()
h.register_hook(lambda grad: grad * 2)
(h * h).sum().backward()
out["hooks"] = {"a": flat(a), "h_grad": flat(h.grad), "a_grad": flat(a.grad)}


# a custom Function whose backward is written in differentiable ops: second derivative through it
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * 3 * x**2


c = mk([3], 0.61, True)
(dc,) = torch.autograd.grad(Cube.apply(c).sin().sum(), c, create_graph=True)
(ddc,) = torch.autograd.grad(dc.sum(), c)
out["custom"] = {"x": flat(c), "d1": flat(dc), "d2": flat(ddc)}

path = pathlib.Path(__file__).resolve().parent.parent / "packages/core/test/fixtures/higher-order.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print("wrote", path)
