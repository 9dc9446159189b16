# PyTorch's side of the workload tables (src/workloads.ts): the same float32 steps on the same
# shapes. Usage: torch-workloads.py <threads> '<workload ids JSON>'. Prints one JSON line per
# workload, {"seconds": fastest window's seconds per step, "cpuSeconds": CPU time per step}, then
# {"blas": [...]}: the BLAS libraries mapped into the process (from /proc/self/maps).
# Run with Debian's OpenBLAS (LD_LIBRARY_PATH=/usr/lib/<arch>/openblas-pthread, OPENBLAS_NUM_THREADS=1):
# with the reference BLAS every product is ~20x slower.
import json
import sys
import time

import torch
import torch.nn.functional as F

threads, ids = int(sys.argv[1]), json.loads(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
nn = torch.nn


def mlp(sizes, batch):
    layers = []
    for i in range(1, len(sizes)):
        layers.append(nn.Linear(sizes[i - 1], sizes[i]))
        if i + 1 < len(sizes):
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(batch, sizes[0])
    y = torch.arange(batch) % sizes[-1]

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def cnn(train):
    conv1 = nn.Conv2d(1, 16, 3, padding=1)
    conv2 = nn.Conv2d(16, 32, 3, padding=1)
    fc = nn.Linear(32 * 7 * 7, 10)
    params = [*conv1.parameters(), *conv2.parameters(), *fc.parameters()]
    x = torch.randn(64, 1, 28, 28)
    y = torch.arange(64) % 10

    def loss():
        h = F.max_pool2d(F.relu(conv1(x)), 2)
        z = F.max_pool2d(F.relu(conv2(h)), 2)
        return F.cross_entropy(fc(z.flatten(1)), y)

    if not train:

        def forward():
            with torch.no_grad():
                return loss().item()

        return forward
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        l = loss()
        l.backward()
        opt.step()
        return l.item()

    return step


def lstm(train):
    layer = nn.LSTM(64, 128, batch_first=True)
    x = torch.randn(32, 32, 64)
    probe = torch.randn(32, 32, 128)

    def loss():
        return (layer(x)[0] * probe).sum()

    if not train:

        def forward():
            with torch.no_grad():
                return loss().item()

        return forward

    def step():
        layer.zero_grad(set_to_none=True)
        l = loss()
        l.backward()
        return l.item()

    return step


def transformer():
    d, heads, seq, batch = 128, 4, 64, 16
    ln1, ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
    attn = nn.MultiheadAttention(d, heads, batch_first=True)
    fc1, fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
    params = [p for m in (attn, ln1, ln2, fc1, fc2) for p in m.parameters()]
    x = torch.randn(batch, seq, d)
    probe = torch.randn(batch, seq, d)
    mask = torch.ones(seq, seq, dtype=torch.bool).triu(1)  # True: not allowed
    opt = torch.optim.AdamW(params, lr=1e-3)

    def step():
        a = ln1(x)
        h = x + attn(a, a, a, attn_mask=mask, need_weights=False)[0]
        y = h + fc2(F.gelu(fc1(ln2(h))))
        l = (y * probe).mean()
        opt.zero_grad()
        l.backward()
        opt.step()
        return l.item()

    return step


RUNNERS = {
    "mlp": lambda: mlp([784, 128, 64, 10], 64),
    "mlp-large": lambda: mlp([784, 512, 512, 10], 256),
    "mlp-small": lambda: mlp([2, 64, 64, 2], 32),
    "cnn": lambda: cnn(True),
    "cnn-forward": lambda: cnn(False),
    "lstm": lambda: lstm(True),
    "lstm-forward": lambda: lstm(False),
    "transformer": transformer,
}

max_time = float(sys.argv[3]) if len(sys.argv) > 3 else 1.5
for name in ids:
    step = RUNNERS[name]()
    for _ in range(3):
        step()
    # the fastest of the windows (each >= 0.1 s and 3 steps) within max_time, as the JavaScript side
    # reports its fastest sample; CPU time per step over the same windows
    best, cpu_best, start_all = float("inf"), float("inf"), time.perf_counter()
    while time.perf_counter() - start_all < max_time or best == float("inf"):
        steps, start, cpu = 0, time.perf_counter(), time.process_time()
        while steps < 3 or time.perf_counter() - start < 0.1:
            step()
            steps += 1
        best = min(best, (time.perf_counter() - start) / steps)
        cpu_best = min(cpu_best, (time.process_time() - cpu) / steps)
    print(json.dumps({"seconds": best, "cpuSeconds": cpu_best}))
maps = {line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and "/" in line}
print(json.dumps({"blas": sorted(maps)}))
