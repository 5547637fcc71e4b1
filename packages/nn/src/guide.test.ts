/** The examples of docs/guides/modules.md, run as written (the guide must not drift from the code). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromNDArray, noGrad, randn, type Tensor } from '@tsgrad/autograd';
import { manualSeed, ones, randint, rand } from '@tsgrad/ndarray';
import { Adam } from '@tsgrad/optim';
import {
  Conv2d, CrossEntropyLoss, Dropout, Flatten, Linear, MaxPool2d, Module, ModuleDict, ModuleList, Parameter, ReLU, Sequential,
  functional as F, init, load, save,
} from './index.js';

function table3(): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
    new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
    new Flatten(), new Linear(64, 10));
}

class Mlp extends Module {
  hidden = [new Linear(784, 128), new Linear(128, 64)];
  out = new Linear(64, 10);
  drop = new Dropout(0.2);
  temperature = new Parameter(ones([1]));

  forward(x: Tensor): Tensor {
    for (const layer of this.hidden) x = this.drop.forward(F.relu(layer.forward(x)));
    return this.out.forward(x).div(this.temperature);
  }
}

class TwoHeads extends Module {
  blocks = new ModuleList([new Linear(8, 16), new Linear(16, 16)]);
  heads = new ModuleDict({ digit: new Linear(16, 10), parity: new Linear(16, 2) });
  forward(x: Tensor): Tensor {
    for (const block of this.blocks) x = F.relu(block.forward(x));
    return this.heads.get('digit').forward(x);
  }
}

describe('docs/guides/modules.md', () => {
  it('defining a model: Sequential', () => {
    manualSeed(0);
    const model = table3();
    expect(model.forward(randn([8, 1, 28, 28])).shape).toEqual([8, 10]);
    expect(model[0]).toBeInstanceOf(Conv2d);
    expect(model.numParameters()).toBe(52746);
    expect(String(model).split('\n').slice(0, 3)).toEqual([
      'Sequential(', '  (0): Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1), padding=(1, 1))', '  (1): ReLU()']);
  });

  it('defining a model: a Module subclass', () => {
    const mlp = new Mlp();
    expect([...mlp.namedParameters()].map(([n]) => n)).toEqual([
      'temperature', 'hidden.0.weight', 'hidden.0.bias', 'hidden.1.weight', 'hidden.1.bias', 'out.weight', 'out.bias']);
    expect(mlp.forward(randn([3, 784])).shape).toEqual([3, 10]);
  });

  it('defining a model: ModuleList and ModuleDict', () => {
    const model = new TwoHeads();
    expect(Object.keys(model.stateDict())).toEqual([
      'blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', 'blocks.1.bias',
      'heads.digit.weight', 'heads.digit.bias', 'heads.parity.weight', 'heads.parity.bias']);
    expect(model.forward(randn([3, 8])).shape).toEqual([3, 10]);
  });

  it('training, saving and loading a checkpoint', () => {
    manualSeed(1);
    const model = table3();
    const x = rand([16, 1, 28, 28]);
    const y = randint(0, 10, [16]);
    const lossFn = new CrossEntropyLoss();
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      const loss = lossFn.forward(model.forward(fromNDArray(x)), fromNDArray(y));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[4]).toBeLessThan(losses[0]); // one small batch: the loss must go down
    model.eval();
    const predictions = noGrad(() => model.forward(fromNDArray(x)).data.argmax(1));

    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-nn-'));
    try {
      save(model.stateDict(), join(dir, 'model.safetensors'), { epoch: '3' });
      const { tensors, metadata } = load(join(dir, 'model.safetensors'));
      expect(metadata).toEqual({ epoch: '3' });
      const copy = table3().eval();
      copy.loadStateDict(tensors);
      expect(noGrad(() => copy.forward(fromNDArray(x)).data.argmax(1)).toArray()).toEqual(predictions.toArray());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('custom initialisation with apply', () => {
    const model = table3();
    model.apply((m) => {
      if (m instanceof Conv2d) init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      if (m instanceof Linear && m.bias) init.zeros_(m.bias);
    });
    expect(model[7].stateDict().bias.toArray()).toEqual(new Array(10).fill(0));
  });
});
