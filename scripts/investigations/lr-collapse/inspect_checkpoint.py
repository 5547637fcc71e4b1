"""Dead-ReLU check of a trained tsgrad checkpoint (the CLI's --save file) on all 60000 training images.
Usage: /usr/bin/python3 inspect_checkpoint.py <checkpoint.safetensors> <outDir of export_tsgrad.mjs>"""
import sys
import numpy as np
import torch
from common import read_safetensors, net
ck, out = sys.argv[1], sys.argv[2]
sd = {k: v for k, v in read_safetensors(ck).items() if not k.startswith('optimizer')}
m = net(); m.load_state_dict({k: sd[k] for k in m.state_dict()})
images = torch.from_numpy(np.fromfile(f'{out}/images.u8', dtype=np.uint8).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
with torch.no_grad():
    f = m[:6](images).flatten(1)
    pred = m(images).argmax(1)
print('conv2 channel non-zero fraction over 60000 images:', (f > 0).float().mean(0).tolist(), 'max feature:', f.max().item())
print('predicted classes:', torch.bincount(pred, minlength=10).tolist())
print('fc bias:', [round(v, 3) for v in m[7].bias.tolist()])
