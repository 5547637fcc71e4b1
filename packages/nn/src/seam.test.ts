/**
 * The storage seam, end to end: the study's Table 3 network trained on a backend whose storage is
 * opaque and whose reads are counted. A training step must not read device memory (no loss target
 * checks, class weights or running statistics brought to the host), and memory must stay flat.
 */
import { describe, expect, it } from 'vitest';
import { fromNDArray, tensor, type Tensor } from '@tsgrad/autograd';
import { array, Generator, memory, randint, randn, tidy, withBackend, zeros } from '@tsgrad/ndarray';
import { CountingBackend } from '@tsgrad/ndarray/testing';
import { Adam } from '@tsgrad/optim';
import { Conv2d } from './layers/conv2d.js';
import { Flatten } from './layers/flatten.js';
import { Linear } from './layers/linear.js';
import { MaxPool2d } from './layers/max-pool2d.js';
import { ReLU } from './layers/activations.js';
import { Sequential } from './layers/sequential.js';
import { BatchNorm2d } from './layers/batch-norm2d.js';
import { CrossEntropyLoss } from './losses.js';

const table3 = (): Sequential => new Sequential(
  new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
  new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
  new Flatten(), new Linear(64, 10));

describe('the storage seam on an opaque, read-counting backend', () => {
  it('a Table 3 training step (forward, loss, backward, Adam) performs zero synchronous reads', () => {
    // syncRead: false makes any synchronous read throw, as on WebGPU.
    const counting = new CountingBackend(undefined, 'no-sync-reads', { syncRead: false });
    withBackend(counting, () => {
      const g = new Generator(0);
      const model = table3();
      const opt = new Adam(model.parameters(), { lr: 1e-3 });
      const lossFn = new CrossEntropyLoss();
      const x = fromNDArray(randn([8, 1, 28, 28], { generator: g }));
      const y = fromNDArray(randint(0, 10, [8], { generator: g }));
      for (let step = 0; step < 2; step++) {
        opt.zeroGrad();
        lossFn.forward(model.forward(x), y).backward();
        opt.step();
      }
      expect(counting.counts.syncReads).toBe(0);
      expect(counting.counts.kernels).toBeGreaterThan(50);
    });
  });

  it('weighted, ignoring, label-smoothed cross-entropy and BatchNorm2d train without reads too', () => {
    const counting = new CountingBackend(undefined, 'no-sync-reads', { syncRead: false });
    withBackend(counting, () => {
      const bn = new BatchNorm2d(3, { momentum: null });
      const x = tensor([[[[1, 2], [3, 4]], [[0, 1], [1, 0]], [[2, 2], [3, 3]]], [[[5, 2], [1, 4]], [[1, 1], [1, 2]], [[0, 2], [1, 3]]]], { requiresGrad: true });
      const logits = bn.forward(x).flatten(1).narrow(1, 0, 4);
      const loss = new CrossEntropyLoss({ weight: tensor([1, 2, 3, 4]), ignoreIndex: 1, labelSmoothing: 0.1 })
        .forward(logits, tensor([3, 1], { dtype: 'int32' }));
      loss.backward();
      expect(counting.counts.syncReads).toBe(0);
    });
  });

  it('an out-of-range target is still an error with PyTorch\'s words', () => {
    const lossFn = new CrossEntropyLoss();
    expect(() => lossFn.forward(tensor([[0, 1, 2]]), tensor([3], { dtype: 'int32' }))).toThrow('Target 3 is out of bounds.');
    expect(() => lossFn.forward(tensor([[0, 1, 2]]), tensor([-2], { dtype: 'int32' }))).toThrow('Target -2 is out of bounds.');
  });

  it('1,000 training steps in tidy keep live bytes flat', () => {
    const counting = new CountingBackend();
    withBackend(counting, () => {
      const g = new Generator(1);
      // Table 3's layers at batch 1, so that 1,000 steps take seconds.
      const model = table3();
      const opt = new Adam(model.parameters(), { lr: 1e-3 });
      const lossFn = new CrossEntropyLoss();
      const x = fromNDArray(randn([1, 1, 28, 28], { generator: g }));
      const y = fromNDArray(array([7], { dtype: 'int32' }));
      const step = (): Tensor => tidy(() => {
        opt.zeroGrad();
        const loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss;
      });
      const losses: number[] = [];
      const after: number[] = [];
      const before = memory(counting).bytes; // parameters, data (and any garbage of the init, GC's business)
      for (let i = 0; i < 1000; i++) {
        const loss = step();
        losses.push(loss.item());
        loss.dispose();
        if (i === 0 || i === 999) after.push(memory(counting).bytes);
      }
      // The same bytes after the first step and the thousandth: only Adam's state was added.
      expect(after[1]).toBe(after[0]);
      const params = model.parameters().reduce((n, p) => n + p.size * 4, 0);
      // Each parameter's expAvg and expAvgSq, and the few cached scalar operands (0-d, kept).
      expect(after[0] - before).toBeGreaterThanOrEqual(2 * params);
      expect(after[0] - before).toBeLessThanOrEqual(2 * params + 256 * 8);
      expect(losses[999]).toBeLessThan(losses[0] / 10); // it did learn the one example
    });
  });

  it('loadStateDict writes in place: a graph built before the load refuses to backpropagate', () => {
    const lin = new Linear(2, 1);
    const out = lin.forward(tensor([[1, 2]])).sum();
    lin.loadStateDict({ weight: zeros([1, 2]), bias: zeros([1]) });
    expect(lin.weight.version).toBe(1);
    expect(() => out.backward()).toThrow('has been modified by an inplace operation');
  });
});

describe('cross-entropy when every target is ignored', () => {
  it("the loss is NaN as PyTorch's, and the gradient is zero, not NaN", () => {
    const x = tensor([[1, 2, 3], [0, 1, 0]], { requiresGrad: true });
    const loss = new CrossEntropyLoss({ ignoreIndex: 1 }).forward(x, tensor([1, 1], { dtype: 'int32' }));
    expect(loss.item()).toBeNaN();
    loss.backward();
    expect(x.grad?.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });
});
