"""PyTorch side of `npm run bench`: the same workloads as scripts/bench.mjs, timed the same way.

Usage: /usr/bin/python3 scripts/bench_torch.py [--reps 7] [--clock wall|cpu]
Prints one JSON object: {"torch": version, "threads": {"1": {row: ms}, "2": {row: ms}}}.
Rows are named exactly as in bench.mjs (scripts/bench-workloads.mjs lists them); every value is
the median time in milliseconds of `reps` runs after two warm-up runs, float32 throughout; wall
time, or with --clock cpu this process's CPU time (summed over threads).
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

WORKLOADS = json.loads(open(__file__.replace("bench_torch.py", "bench-workloads.json")).read())


CLOCK = [time.perf_counter]


def median_ms(fn, reps):
    clock = CLOCK[0]
    fn()
    fn()
    times = []
    for _ in range(reps):
        t0 = clock()
        fn()
        times.append((clock() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2]


def fmt_shape(shape):
    # a shape as bench.mjs names its rows: [64,32,26,26]
    return "[" + ",".join(str(d) for d in shape) + "]"


def operand(rows, cols, transposed):
    # a transposed operand is a view of a [cols, rows] tensor, as the conv backward passes use it
    return torch.randn(cols, rows).t() if transposed else torch.randn(rows, cols)


def conv_workloads(spec, reps):
    n, c, h, w = spec["input"]
    o, _, kh, kw = spec["weight"]
    stride, padding = spec["stride"], spec["padding"]
    x = torch.randn(n, c, h, w)
    wt = torch.randn(o, c, kh, kw)
    y = F.conv2d(x, wt, stride=stride, padding=padding)
    gy = torch.randn_like(y)

    def backward(mask):
        # the call autograd makes for conv2d's backward
        return torch.ops.aten.convolution_backward(
            gy, x, wt, None, stride, padding, [1, 1], False, [0, 0], 1, mask)

    with torch.no_grad():
        rows = {
            "forward": median_ms(lambda: F.conv2d(x, wt, stride=stride, padding=padding), reps),
            "backward input": median_ms(lambda: backward([True, False, False]), reps),
            "backward weight": median_ms(lambda: backward([False, True, False]), reps),
        }
        # the gradient a conv output gets in training: through ReLU and a max pool (mostly zeros)
        pool = spec["pool"]
        relu = F.relu(y)
        values, indices = F.max_pool2d(relu, pool, pool, return_indices=True)
        gy = torch.ops.aten.max_pool2d_with_indices_backward(
            torch.randn_like(values), relu, [pool, pool], [pool, pool], [0, 0], [1, 1], False, indices) * (y > 0)
        rows["backward input, training gy"] = median_ms(lambda: backward([True, False, False]), reps)
        rows["backward weight, training gy"] = median_ms(lambda: backward([False, True, False]), reps)
        return rows


def pool_workloads(spec, reps):
    x = torch.randn(*spec["input"], requires_grad=True)
    k, s = spec["kernel"], spec["stride"]
    y, idx = F.max_pool2d(x, k, s, return_indices=True)
    gy = torch.randn_like(y)
    with torch.no_grad():
        fwd = median_ms(lambda: F.max_pool2d(x, k, s, return_indices=True), reps)
        bwd = median_ms(lambda: torch.ops.aten.max_pool2d_with_indices_backward(gy, x, [k, k], [s, s], [0, 0], [1, 1], False, idx), reps)
    return {"forward": fwd, "backward": bwd}


def run(reps):
    rows = {}
    for mm in WORKLOADS["matmul"]:
        m, k, n = mm["m"], mm["k"], mm["n"]
        a, b = operand(m, k, mm.get("transposeA", False)), operand(k, n, mm.get("transposeB", False))
        rows[f"matmul {mm['name']}"] = median_ms(lambda: torch.mm(a, b), reps)
    for conv in WORKLOADS["conv2d"]:
        for part, ms in conv_workloads(conv, reps).items():
            rows[f"{conv['name']} {part}"] = ms
    for pool in WORKLOADS["maxPool2d"]:
        for part, ms in pool_workloads(pool, reps).items():
            rows[f"{pool['name']} {part}"] = ms
    for ew in WORKLOADS["elementwise"]:
        x, bias = torch.randn(*ew["input"]), torch.randn(*ew["bias"])
        shape, bshape = fmt_shape(ew["input"]), fmt_shape(ew["bias"])
        dims = [d for d in range(x.dim()) if d < x.dim() - len(ew["bias"]) or ew["bias"][d - x.dim()] == 1]
        rows[f"bias add {shape}+{bshape}"] = median_ms(lambda: x + bias, reps)
        rows[f"relu {shape}"] = median_ms(lambda: F.relu(x), reps)
        rows[f"bias grad sum {shape}->{bshape}"] = median_ms(lambda: x.sum(dims, keepdim=True), reps)
    a, b = torch.randn(4), torch.randn(4)
    calls = WORKLOADS["tinyCalls"]

    def tiny():
        for _ in range(calls):
            torch.add(a, b)

    rows["add [4]+[4] per call"] = median_ms(tiny, reps) / calls
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = parser.parse_args()
    CLOCK[0] = time.process_time if args.clock == "cpu" else time.perf_counter
    torch.manual_seed(0)
    result = {"torch": torch.__version__, "threads": {}}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        result["threads"][str(threads)] = run(args.reps)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
