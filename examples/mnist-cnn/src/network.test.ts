import { describe, expect, it } from 'vitest';
import { manualSeed, zeros } from '@tsgrad/ndarray';
import { fromNDArray } from '@tsgrad/autograd';
import { buildModel, describeNet, layerShapes, linearInFeatures, parameterShapes, TABLE1, TABLE3 } from './network.js';
import { formatSummary, summaryRows } from './summary.js';

describe('the study network', () => {
  it('knows every parameter\'s shape without building the model', () => {
    for (const net of [TABLE1, TABLE3, { ...TABLE1, conv1: { ...TABLE1.conv1, outChannels: 7, kernel: 5 } }]) {
      const built = Object.fromEntries(Object.entries(buildModel(net).stateDict()).map(([k, v]) => [k, v.shape]));
      expect(parameterShapes(net)).toEqual(built);
    }
  });

  it('sends 2 features to the linear layer in Table 1 and 64 in Table 3', () => {
    // 28 -k3-> 26 -pool2-> 13 -k3 s3-> 4 -pool4-> 1, times 2 channels
    expect(layerShapes(TABLE1).map((l) => l.outputShape)).toEqual([
      [4, 26, 26], [4, 26, 26], [4, 13, 13], [2, 4, 4], [2, 4, 4], [2, 1, 1], [2], [10],
    ]);
    // 28 -k5 p1-> 26 -pool2-> 13 -k5 s3 p1-> 4 -pool4-> 1, times 64 channels
    expect(layerShapes(TABLE3).map((l) => l.outputShape)).toEqual([
      [32, 26, 26], [32, 26, 26], [32, 13, 13], [64, 4, 4], [64, 4, 4], [64, 1, 1], [64], [10],
    ]);
    expect(linearInFeatures(TABLE1)).toBe(2);
    expect(linearInFeatures(TABLE3)).toBe(64);
  });

  it('names the layer whose output would be empty', () => {
    const bad = { ...TABLE1, pool1: { kernel: 4, stride: 4 } }; // 26 -> 6 -k3 s3-> 2 -pool4-> empty
    expect(() => layerShapes(bad)).toThrow(/pool2: MaxPool2d\(kernel_size=4, stride=4\) on 2x2x2 gives an empty output/);
  });

  it('builds a model with PyTorch state-dict keys and parameter counts, whose output is [N, 10]', () => {
    manualSeed(0);
    const model = buildModel(TABLE3);
    const sd = model.stateDict();
    expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias']);
    const rows = summaryRows(TABLE3, sd);
    // conv1 32*1*5*5+32, conv2 64*32*5*5+64, fc 64*10+10 (the counts PyTorch's model.parameters() gives)
    expect(rows.map((r) => r.params)).toEqual([832, 0, 0, 51264, 0, 0, 0, 650]);
    expect(formatSummary(rows)).toContain('Total params: 52,746');
    expect(summaryRows(TABLE1, buildModel(TABLE1).stateDict()).reduce((s, r) => s + r.params, 0)).toBe(40 + 74 + 30);
    expect(model.forward(fromNDArray(zeros([3, 1, 28, 28]))).shape).toEqual([3, 10]);
  });

  it('describes a configuration in one line', () => {
    expect(describeNet(TABLE1)).toBe('conv1 4@k3s1p0, pool1 k2s2, conv2 2@k3s3p0, pool2 k4s4');
  });
});
