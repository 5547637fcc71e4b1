// `node scripts/bench-reuse.mjs <t1|t3> <tidy|gc>`: the mean time of a training step of the study's
// Table 1 or Table 3 network (random batch of 64, Adam, 1 thread) over 100 (t1) or 25 (t3) steps
// after 5 warm-up, the step run in `tidy` (temporaries disposed, their buffers reused by the
// CPU backend's BufferPool) or not (`gc`: the garbage collector frees them). A mean, not a median,
// so the collector's pauses count; one mode per process, so neither pays for the other's garbage:
//   for i in 1 2 3; do node scripts/bench-reuse.mjs t3 gc; node scripts/bench-reuse.mjs t3 tidy; done
// Imports the BUILT packages: run `npm run build` first.
import * as nd from '@tsgrad/ndarray';
import { fromNDArray } from '@tsgrad/autograd';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
nd.setCpuThreads(1);
const t3 = process.argv[2] === 't3', reuse = process.argv[3] === 'tidy';
const g = new nd.Generator(0);
const model = t3 ? new Sequential(new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }), new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }), new Flatten(), new Linear(64, 10)) : new Sequential(new Conv2d(1, 4, 3), new ReLU(), new MaxPool2d(2, { stride: 2 }), new Conv2d(4, 2, 3, { stride: 3 }), new ReLU(), new MaxPool2d(4, { stride: 4 }), new Flatten(), new Linear(2, 10));
const x = fromNDArray(nd.randn([64, 1, 28, 28], { generator: g })), y = fromNDArray(nd.randint(0, 10, [64], { generator: g }));
const opt = new Adam(model.parameters(), { lr: 1e-3 }), lf = new CrossEntropyLoss();
const body = () => { opt.zeroGrad(); const l = lf.forward(model.forward(x), y); l.backward(); opt.step(); l.data.item(); return model.parameters().map((p) => p.grad); };
const step = reuse ? () => nd.tidy(body) : body;
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const N = t3 ? 25 : 100; for (let i = 0; i < 5; i++) step();
const c0 = cpuMs(), w0 = performance.now(), each = [];
for (let i = 0; i < N; i++) {
  const c = cpuMs();
  step();
  each.push(cpuMs() - c);
}
const median = each.sort((a, b) => a - b)[N >> 1];
console.log(process.argv[2], process.argv[3], 'mean cpu', ((cpuMs() - c0) / N).toFixed(2), 'median cpu', median.toFixed(2), 'mean wall', ((performance.now() - w0) / N).toFixed(2));
