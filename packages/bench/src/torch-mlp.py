# PyTorch with one thread on the training step of src/peers.ts (MLP, ReLU, softmax cross-entropy,
# SGD lr 0.01, float32): prints samples/s. Usage: torch-mlp.py '{"sizes": [...], "batch": n}'.
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
case = json.loads(sys.argv[1])
sizes, batch = case["sizes"], case["batch"]
layers = []
for i in range(1, len(sizes)):
    layers.append(torch.nn.Linear(sizes[i - 1], sizes[i]))
    if i + 1 < len(sizes):
        layers.append(torch.nn.ReLU())
model = torch.nn.Sequential(*layers)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(batch, sizes[0])
y = torch.arange(batch) % sizes[-1]


def step():
    loss = torch.nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(20):
    step()
# the fastest of 20 windows of at least 0.1 s, as the JavaScript side reports its fastest sample
best = 0.0
for _ in range(20):
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.1:
        step()
        steps += 1
    best = max(best, batch * steps / (time.perf_counter() - start))
print(best)
