import { describe, expect, it } from 'vitest';
import { array, type NDArray } from '@tsgrad/ndarray';
import { fromNDArray, type Tensor } from '@tsgrad/autograd';
import { Subset } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import { deserialize, serialize } from '@tsgrad/nn';
import { TABLE1, TABLE3 } from '../../mnist-cnn/src/network.js';
import { setupTraining, trainStep, type ImageDataset } from '../../mnist-cnn/src/training-loop.js';
import { compileStep, createGpuBackend } from '@tsgrad/gpu';
import { NET_KEY, parseNet, Session, type SessionConfig } from './session.js';

const firstN = (ds: ImageDataset, n: number): ImageDataset => new Subset(ds, Array.from({ length: n }, (_, i) => i));
const data = { train: firstN(new MNIST({ train: true }), 256), test: firstN(new MNIST({ train: false }), 1200) };
const config: SessionConfig = { net: TABLE1, lr: 1e-3, batchSize: 64, epochs: 2, seed: 0 };

describe('Session', () => {
  it('takes the same steps as the study\'s loop, and moves to the next epoch after the last batch', () => {
    const s = new Session(config, data);
    expect(s.stepsPerEpoch).toBe(4); // 256 / 64
    const t = setupTraining({ ...config, optimizer: 'adam' }, data.train);
    const expected: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++) for (const [x, y] of t.loader) expected.push(trainStep(t, x, y, ''));
    const got: { loss: number; epochEnded: boolean }[] = [];
    while (!s.finished) got.push(s.trainOne());
    expect(got.map((g) => g.loss)).toEqual(expected);
    expect(got.map((g) => g.epochEnded)).toEqual([false, false, false, true, false, false, false, true]);
    expect([s.step, s.epoch, s.stepInEpoch]).toEqual([8, 2, 0]);
    expect(() => s.trainOne()).toThrow('the run has finished its 2 epochs');
  });

  it('changes the learning rate of the next step and rejects a bad one', () => {
    const s = new Session(config, data);
    s.setLearningRate(0.02);
    expect(s.learningRate).toBe(0.02);
    expect(s.training.optimizer.paramGroups.map((g) => g.lr)).toEqual([0.02]);
    expect(() => s.setLearningRate(0)).toThrow('Invalid learning rate: 0');
    expect(() => s.setLearningRate(Number.NaN)).toThrow('Invalid learning rate: NaN');
  });

  it('measures accuracy on the first 1000 test images, or all of them', () => {
    const s = new Session(config, data);
    expect(Number.isInteger(s.accuracy() * 10)).toBe(true); // a count out of 1000
    expect(Number.isInteger(s.accuracy(true) * 12)).toBe(true); // a count out of 1200
  });

  it('predicts probabilities that sum to 1 and returns the conv1 feature maps after ReLU', () => {
    const s = new Session({ ...config, net: TABLE3 }, data);
    const pixels = Float32Array.from(data.test.get(0)[0].toTypedArray());
    const { probabilities, featureMaps } = s.predict(pixels);
    expect(probabilities).toHaveLength(10);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect([featureMaps.count, featureMaps.height, featureMaps.width]).toEqual([32, 26, 26]);
    expect(Math.min(...featureMaps.data)).toBe(0); // ReLU
    expect(s.training.model.training).toBe(true);
    // The same numbers as the model's own forward pass.
    const logits = s.training.model.forward(fromPixels(pixels)).data.toTypedArray();
    const max = Math.max(...logits);
    const sum = Array.from(logits).reduce((a, v) => a + Math.exp(v - max), 0);
    probabilities.forEach((p, i) => expect(p).toBeCloseTo(Math.exp((logits[i] ?? 0) - max) / sum, 6));
    expect(() => s.predict(new Float32Array(10))).toThrow('predict: expected 784 pixels (28x28), got 10');
  });

  it('gives the conv1 filters as images', () => {
    const s = new Session(config, data);
    const f = s.filters();
    expect([f.count, f.height, f.width]).toEqual([4, 3, 3]);
    expect(Array.from(f.data)).toEqual(Array.from(s.training.model.stateDict()['0.weight']?.toTypedArray() ?? []));
  });

  it('draws one step\'s graph without changing the weights', () => {
    const s = new Session(config, data);
    const before = serialize(s.training.model.stateDict());
    const svg = s.graphSvg();
    expect(svg.startsWith('<svg')).toBe(true);
    for (const name of ['input', 'loss', '0.weight', '7.bias', 'conv2d', 'maxPool2d', 'logSoftmax(1)']) expect(svg).toContain(name);
    expect(serialize(s.training.model.stateDict())).toEqual(before);
  });

  it('saves the weights with the network, and loads them into a new run', () => {
    const s = new Session({ ...config, net: TABLE3 }, data);
    s.trainOne();
    const bytes = s.save();
    const { metadata } = deserialize(bytes);
    expect(metadata).toEqual({ [NET_KEY]: JSON.stringify(TABLE3), step: '1' });
    const loaded = Session.load(bytes, 'm.safetensors', { lr: 5e-4, batchSize: 32, epochs: 1, seed: 3 }, data);
    expect(loaded.config).toEqual({ net: TABLE3, lr: 5e-4, batchSize: 32, epochs: 1, seed: 3 });
    expect(serialize(loaded.training.model.stateDict())).toEqual(serialize(s.training.model.stateDict()));
  });

  it('trains, predicts and draws its graph on another backend (gpu.js), with the CPU backend\'s numbers', () => {
    const gpu = createGpuBackend('cpu');
    try {
      const onGpu = new Session(config, data, gpu);
      const onCpu = new Session(config, data);
      expect(onGpu.training.model.parameters()[0]?.data.backend).toBe(gpu); // the seeded weights moved there
      for (let i = 0; i < 3; i++) expect(onGpu.trainOne().loss).toBeCloseTo(onCpu.trainOne().loss, 5);
      const pixels = Float32Array.from(data.test.get(0)[0].toTypedArray());
      const [p, q] = [onGpu.predict(pixels), onCpu.predict(pixels)];
      p.probabilities.forEach((v, i) => expect(v).toBeCloseTo(q.probabilities[i] ?? NaN, 5));
      expect(Math.max(...p.featureMaps.data.map((v, i) => Math.abs(v - (q.featureMaps.data[i] ?? NaN))))).toBeLessThan(1e-5);
      expect(onGpu.graphSvg()).toContain('<svg');
      expect(onGpu.accuracy()).toBe(onCpu.accuracy());
    } finally {
      gpu.destroy();
    }
  }, 60_000);

  it('trains through an asynchronous (captured) step with the CPU backend\'s losses, and syncs before reads', async () => {
    const gpu = createGpuBackend('webasm');
    try {
      const calls: string[] = [];
      const captured = new Session(config, data, gpu, (t) => {
        const step = compileStep(t.model, t.lossFn, t.optimizer); // replayed on webasm: the page's WebGPU path, on the host
        return Object.assign((x: NDArray, y: NDArray) => (calls.push('step'), step(x, y)), { sync: () => (calls.push('sync'), step.sync()) });
      });
      const onCpu = new Session(config, data);
      expect(() => captured.trainOne()).toThrow('this run trains with an asynchronous step: call trainOneAsync()');
      // 1 eager step, 1 recorded, 3 replays; the 4th step ends the epoch
      const first = [captured.trainOneAsync(), captured.trainOneAsync()];
      const synced = captured.sync(); // asked for while the two steps run: it waits for them
      const rest = [captured.trainOneAsync(), captured.trainOneAsync(), captured.trainOneAsync()];
      await synced;
      const got = await Promise.all([...first, ...rest]);
      const cpu = Array.from({ length: 5 }, () => onCpu.trainOne());
      expect(calls).toEqual(['step', 'step', 'sync', 'step', 'step', 'step']); // in the order asked, never interleaved
      expect([captured.step, captured.epoch, captured.stepInEpoch]).toEqual([5, 1, 1]);
      expect(got.map((g) => g.epochEnded)).toEqual(cpu.map((c) => c.epochEnded));
      expect(cpu[0]?.loss).toBeGreaterThan(2);
      got.forEach((g, i) => expect(g.loss).toBeCloseTo(cpu[i]?.loss ?? NaN, 5));
      await captured.sync();
      const [p, q] = [captured.filters().data, onCpu.filters().data];
      expect(Math.max(...p.map((v, i) => Math.abs(v - (q[i] ?? NaN))))).toBeLessThan(1e-5);
    } finally {
      gpu.destroy();
    }
  }, 60_000);

  it('names what is wrong with a file it cannot load', () => {
    const other = { lr: 1e-3, batchSize: 64, epochs: 1, seed: 0 };
    expect(() => Session.load(serialize({}), 'a.safetensors', other, data)).toThrow(
      `a.safetensors: no "${NET_KEY}" in the file's metadata; only models saved by the playground can be loaded`,
    );
    const wrongWeights = serialize(new Session(config, data).training.model.stateDict(), { [NET_KEY]: JSON.stringify(TABLE3) });
    expect(() => Session.load(wrongWeights, 'b.safetensors', other, data)).toThrow(/size mismatch for 0\.weight/);
    expect(() => parseNet('{"conv1": 3}', 'c.safetensors')).toThrow(`c.safetensors: "${NET_KEY}" has conv1.outChannels = undefined; expected an integer >= 1`);
    expect(() => parseNet('nope', 'd.safetensors')).toThrow(`d.safetensors: "${NET_KEY}" is not JSON: nope`);
    expect(() => parseNet(JSON.stringify({ ...TABLE1, pool2: { kernel: 9, stride: 9 } }), 'e')).toThrow(/^pool2: MaxPool2d/);
  });
});

function fromPixels(pixels: Float32Array): Tensor {
  return fromNDArray(array(pixels, { shape: [1, 1, 28, 28], dtype: 'float32' }));
}
