"""Shared by the scripts here: a minimal safetensors reader and the Table 1 network in PyTorch."""
import json
import struct
import numpy as np
import torch
import torch.nn as nn


def read_safetensors(path):
    """{name: float32 tensor}; safetensors = 8-byte LE header length, JSON header, raw data. Drops tsgrad's `model.` prefix."""
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    tensors = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        assert v['dtype'] == 'F32', (k, v['dtype'])
        a, b = v['data_offsets']
        tensors[k.removeprefix('model.')] = torch.from_numpy(np.frombuffer(data[a:b], dtype='<f4').reshape(v['shape']).copy())
    return tensors


def net():
    """The study's Table 1 network (state-dict keys 0.weight ... 7.bias, as tsgrad's Sequential)."""
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Conv2d(4, 2, 3, stride=3), nn.ReLU(),
                         nn.MaxPool2d(4, 4), nn.Flatten(), nn.Linear(2, 10))
