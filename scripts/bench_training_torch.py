"""PyTorch side of `npm run bench -- training`: training steps of the study's networks.

Usage: /usr/bin/python3 scripts/bench_training_torch.py BATCH.json [--reps 15] [--threads 1,2] [--clock wall|cpu] [--serve]
BATCH.json (written by scripts/bench-training.mjs) holds one real MNIST batch: "x" (nested
[64,1,28,28] floats in [0,1]) and "y" (64 labels). For each network (Table 1, Table 3: the
layers of shared/study/pytorch_reference.py) and each thread count, times full training steps
(forward, cross-entropy, zero_grad, backward, Adam step, loss.item()) after three warm-up steps.
Prints one JSON object: {"torch": version, "steps": {"table1": {"1": ms, "2": ms}, ...}}, medians.

With --serve (and one thread count in --threads) it prints {"torch": version} and then answers
requests, one a line on stdin, "NETWORK REPS", with {"times": [ms, ...]}: REPS more steps of that
network's model (one model per network, warmed up on its first request). The bench keeps one such
process per thread count (switching a process between 1 and 2 threads restarts OpenMP's pool) and
asks for a few steps at a time, alternating with tsgrad's, so both sides see the same minutes.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn

NETS = {
    # (conv1 out, kernel, stride, padding), (conv2 ...), features reaching the linear layer
    "table1": ((4, 3, 1, 0), (2, 3, 3, 0), 2),
    "table3": ((32, 5, 1, 1), (64, 5, 3, 1), 64),
}


def build(name):
    (o1, k1, s1, p1), (o2, k2, s2, p2), feat = NETS[name]
    return nn.Sequential(
        nn.Conv2d(1, o1, k1, stride=s1, padding=p1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(o1, o2, k2, stride=s2, padding=p2), nn.ReLU(), nn.MaxPool2d(4, 4),
        nn.Flatten(), nn.Linear(feat, 10))


CLOCK = [time.perf_counter]


def make_step(name, x, y):
    """A training step of a fresh model of network `name`, warmed up by three steps."""
    torch.manual_seed(0)
    model = build(name)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = nn.CrossEntropyLoss()

    def step():
        loss = lossf(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()

    for _ in range(3):
        step()
    return step


def time_steps(step, reps):
    times = []
    for _ in range(reps):
        t0 = CLOCK[0]()
        step()
        times.append((CLOCK[0]() - t0) * 1e3)
    return times


def step_ms(name, x, y, reps):
    times = sorted(time_steps(make_step(name, x, y), reps))
    return times[len(times) // 2]


def serve(x, y, threads):
    torch.set_num_threads(threads)
    steps = {}
    print(json.dumps({"torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        name, reps = line.split()
        if name not in steps:
            steps[name] = make_step(name, x, y)
        print(json.dumps({"times": time_steps(steps[name], int(reps))}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("batch")
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--clock", default="wall", choices=["wall", "cpu"])
    p.add_argument("--serve", action="store_true")
    a = p.parse_args()
    if a.clock == "cpu":
        CLOCK[0] = time.process_time  # this process's CPU time, summed over its threads
    batch = json.load(open(a.batch))
    x = torch.tensor(batch["x"], dtype=torch.float32)
    y = torch.tensor(batch["y"], dtype=torch.int64)
    if a.serve:
        serve(x, y, int(a.threads))
        return
    steps = {}
    for name in NETS:
        steps[name] = {}
        for t in a.threads.split(","):
            torch.set_num_threads(int(t))
            steps[name][t] = step_ms(name, x, y, a.reps)
    print(json.dumps({"torch": torch.__version__, "steps": steps}))


if __name__ == "__main__":
    main()
