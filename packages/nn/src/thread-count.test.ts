/**
 * The CPU kernels split their work across worker threads so that every output element is computed
 * by the same calls in the same order whatever the thread count (and sums over images are added
 * in image order): so training gives the same bits on 1, 2 and 3 threads. Checked here on the
 * study's Table 3 network, with PyTorch's initial weights and the parity fixture's batch of 64.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fromNDArray } from '@tsgrad/autograd';
import { randn, setCpuThreads, tidy, workerJobs, type NDArray } from '@tsgrad/ndarray';
import { Adam } from '@tsgrad/optim';
import { Conv2d } from './layers/conv2d.js';
import { Flatten } from './layers/flatten.js';
import { Linear } from './layers/linear.js';
import { MaxPool2d } from './layers/max-pool2d.js';
import { ReLU } from './layers/activations.js';
import { Sequential } from './layers/sequential.js';
import { CrossEntropyLoss } from './losses.js';
import { load } from './safetensors-node.js';

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const init = load(fixture('parity-init.safetensors')).tensors;
const { tensors: batch } = load(fixture('parity-expected.safetensors'));

/** Two float32 Adam steps of Table 3: the losses, then every parameter's gradient and final value, as bits. */
function train(): Uint32Array[] {
  const model = new Sequential(
    new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
    new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
    new Flatten(), new Linear(64, 10));
  model.loadStateDict(init);
  const x = fromNDArray(batch.x.astype('float32').div(255)), y = fromNDArray(batch.y);
  const lossFn = new CrossEntropyLoss(), opt = new Adam(model.parameters(), { lr: 1e-3 });
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const loss = lossFn.forward(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    losses.push(loss.item());
    opt.step();
  }
  const bits = (a: NDArray): Uint32Array => new Uint32Array(Float32Array.from(a.toTypedArray()).buffer);
  return [
    new Uint32Array(Float32Array.from(losses).buffer),
    ...model.parameters().map((p) => bits(p.grad!.data)),
    ...model.parameters().map((p) => bits(p.data)),
  ];
}

describe('training gives the same bits on 1, 2 and 3 CPU threads', () => {
  afterAll(() => setCpuThreads(1));

  it('Table 3, two Adam steps: losses, gradients and parameters', async () => {
    setCpuThreads(1);
    const one = train();
    for (const threads of [2, 3]) {
      setCpuThreads(threads);
      // Start the workers and see them run shares first, so that the steps below really split.
      const a = randn([512, 512]);
      for (let attempt = 0; attempt < 200 && workerJobs() === 0; attempt++) {
        tidy(() => { a.matmul(a); }); // blocks of 2^23 multiply-adds: split
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(workerJobs()).toBeGreaterThan(0);
      const other = train();
      expect(other.length).toBe(one.length);
      one.forEach((bits, i) => {
        const bad = bits.findIndex((b, j) => other[i][j] !== b);
        expect(bad, `${threads} threads, array ${i} (0: losses, then gradients, then parameters), element ${bad}`).toBe(-1);
      });
    }
  });
});
