// Exports what PyTorch needs to replay tsgrad's Table 1 run from the same start:
// the seed-0 initial state dict, the MNIST training images/labels (uint8/int32), the loader's
// index order of the first <steps> batches, tsgrad's per-step losses and weights after <steps> steps at <lr>.
// Usage: node export_tsgrad.mjs <outDir> <lr> <steps>   (run from the repo root after `npm run build -s`)
import { writeFileSync, mkdirSync } from 'node:fs';
import { manualSeed } from '@tsgrad/ndarray';
import { fromNDArray, noGrad } from '@tsgrad/autograd';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, CrossEntropyLoss, save } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { DataLoader } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';

const [outDir = '/tmp/lrc', lrArg = '0.01', stepsArg = '300'] = process.argv.slice(2);
const lr = Number(lrArg), steps = Number(stepsArg);
mkdirSync(outDir, { recursive: true });

// Exactly examples/mnist-cnn's train(): manualSeed(seed), then buildModel(TABLE1), then the loader.
manualSeed(0);
const model = new Sequential(
  new Conv2d(1, 4, 3, { stride: 1, padding: 0 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
  new Conv2d(4, 2, 3, { stride: 3, padding: 0 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
  new Flatten(), new Linear(2, 10),
);
await save(model.stateDict(), `${outDir}/init.safetensors`);
const optimizer = new Adam(model.parameters(), { lr });
const lossFn = new CrossEntropyLoss();
const mnist = new MNIST({ train: true });
writeFileSync(`${outDir}/images.u8`, mnist.data.contiguous().storage);
writeFileSync(`${outDir}/labels.i32`, new Int32Array(mnist.targets.astype('int32').contiguous().storage));

// Record which indices the loader asks for, in order (the epoch's permutation).
const order = [];
const recording = {
  length: mnist.length,
  get(i) { order.push(i); return mnist.get(i); },
  getBatch: mnist.getBatch ? (idx) => { order.push(...idx); return mnist.getBatch(idx); } : undefined,
};
if (!recording.getBatch) delete recording.getBatch;
const loader = new DataLoader(recording, { batchSize: 64, shuffle: true, seed: 0 });

const losses = [], alive = [];
model.train();
let step = 0;
for (const [x, y] of loader) {
  const xt = fromNDArray(x);
  const loss = lossFn.forward(model.forward(xt), fromNDArray(y));
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  losses.push(loss.data.item());
  step++;
  if (step >= steps) break;
}
writeFileSync(`${outDir}/order.i32`, new Int32Array(order));
writeFileSync(`${outDir}/tsgrad_losses_lr${lrArg}.json`, JSON.stringify(losses));
await save(model.stateDict(), `${outDir}/tsgrad_after${steps}_lr${lrArg}.safetensors`);
console.log(`lr ${lr}: ${steps} steps; loss at steps 1..5`, losses.slice(0, 5).map((v) => v.toFixed(5)).join(' '),
  '; mean of steps 1-50, 51-100, 101-200, 201-300:',
  [[0, 50], [50, 100], [100, 200], [200, 300]].map(([a, b]) => (losses.slice(a, b).reduce((s, v) => s + v, 0) / (b - a)).toFixed(4)).join(' '));
