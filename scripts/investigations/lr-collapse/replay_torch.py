"""Replays tsgrad's Table 1 run in PyTorch from tsgrad's seed-0 initial weights and batch order.

Reads what export_tsgrad.mjs wrote; prints per-step loss differences (tsgrad vs torch), the dead-ReLU
state of conv2's two channels, and the same-start runs with other (torch) batch orders, then runs from
PyTorch's own init with seeds 1..5. Usage: /usr/bin/python3 replay_torch.py <outDir> <lr> <steps>
"""
import json, sys
import numpy as np
import torch
import torch.nn as nn
from common import read_safetensors, net

out, lr, steps = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(1)

images = torch.from_numpy(np.fromfile(f'{out}/images.u8', dtype=np.uint8).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
labels = torch.from_numpy(np.fromfile(f'{out}/labels.i32', dtype='<i4').astype(np.int64))
order = torch.from_numpy(np.fromfile(f'{out}/order.i32', dtype='<i4').astype(np.int64))
init = read_safetensors(f'{out}/init.safetensors')
probe = images[:2000]  # fixed images for the dead-ReLU check

def alive(model):
    """Fraction of probe images for which each conv2 channel is > 0 somewhere after ReLU (= the feature is non-zero)."""
    with torch.no_grad():
        f = model[:6](probe).flatten(1)
    return (f > 0).float().mean(0).tolist()

def train(model, batches, n):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    lossf = nn.CrossEntropyLoss()
    losses, dead_at = [], None
    for s in range(n):
        idx = batches(s)
        loss = lossf(model(images[idx]), labels[idx])
        opt.zero_grad(); loss.backward(); opt.step()
        losses.append(loss.item())
        if dead_at is None and s % 10 == 9 and max(alive(model)) == 0:
            dead_at = s + 1
    return losses, dead_at

def windows(l):
    return ' '.join(f'{np.mean(l[a:b]):.4f}' for a, b in [(0, 50), (50, 100), (100, 200), (200, 300)] if b <= len(l))

# 1. Same start, same batches as tsgrad.
ts = json.load(open(f'{out}/tsgrad_losses_lr{sys.argv[2]}.json'))
m = net(); m.load_state_dict(init)
print('init alive fraction (conv2 ch0, ch1):', alive(m))
tl, dead = train(m, lambda s: order[s * 64:(s + 1) * 64], steps)
d = np.abs(np.array(tl) - np.array(ts[:steps]))
first = next((i + 1 for i, v in enumerate(d) if v > 1e-4), None)
print(f'same start + same batches, lr {lr}: torch loss steps 1..5', ' '.join(f'{v:.5f}' for v in tl[:5]))
print(f'  max |tsgrad - torch| over steps 1..10: {d[:10].max():.2e}; first step with diff > 1e-4: {first}; '
      f'max over all {steps}: {d.max():.2e}')
print(f'  window means torch: {windows(tl)} | tsgrad: {windows(ts)}')
print(f'  conv2 channels alive after {steps} steps (torch): {alive(m)}; both dead from step ~{dead}')
tsafter = read_safetensors(f'{out}/tsgrad_after{steps}_lr{sys.argv[2]}.safetensors')
m2 = net(); m2.load_state_dict(tsafter)
print(f'  conv2 channels alive after {steps} steps (tsgrad weights): {alive(m2)}')
print('  max |tsgrad - torch| weight after:', max((tsafter[k] - v).abs().max().item() for k, v in m.state_dict().items()))

# 2. Same start, other batch orders (torch seeds).
for seed in range(1, 6):
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(images), generator=g)
    m = net(); m.load_state_dict(init)
    l, dead = train(m, lambda s: perm[s * 64:(s + 1) * 64], steps)
    print(f'same start, torch batch order seed {seed}: windows {windows(l)}; alive {alive(m)}; both dead from ~{dead}')

# 3. PyTorch's own init and order, seeds 1..5.
for seed in range(1, 6):
    torch.manual_seed(seed)
    m = net()
    perm = torch.randperm(len(images))
    l, dead = train(m, lambda s: perm[s * 64:(s + 1) * 64], steps)
    print(f'torch init+order seed {seed}: windows {windows(l)}; alive {alive(m)}; both dead from ~{dead}')
