import { describe, expect, it } from 'vitest';
import { buildModel, TABLE1, TABLE3, type NetConfig } from '../../mnist-cnn/src/network.js';
import { summaryRows } from '../../mnist-cnn/src/summary.js';
import { fits, layerRows } from './layer-rows.js';

describe('layerRows', () => {
  it.each([['Table 1', TABLE1], ['Table 3', TABLE3]] as const)('agrees with the models the example builds (%s)', (_, net) => {
    const built = summaryRows(net, buildModel(net).stateDict());
    const rows = layerRows(net);
    expect(rows.map((r) => [r.name, r.outputShape, r.params])).toEqual(built.map((r) => [r.name, r.outputShape, r.params]));
    expect(rows.map((r) => r.description)).toEqual(built.map((r) => r.description));
    expect(fits(rows)).toBe(true);
  });

  it('counts Table 3 as the study does: 52,746 parameters, 64 features into the linear layer', () => {
    const rows = layerRows(TABLE3);
    expect(rows.reduce((s, r) => s + r.params, 0)).toBe(52746);
    expect(rows.find((r) => r.name === 'flatten')?.outputShape).toEqual([64]);
  });

  it('puts the error on the layer that does not fit, and no shapes after it', () => {
    const net: NetConfig = { ...TABLE1, conv2: { outChannels: 2, kernel: 3, stride: 3, padding: 0 }, pool2: { kernel: 5, stride: 5 } };
    const rows = layerRows(net);
    expect(rows.find((r) => r.name === 'pool2')?.error).toBe('a 5x5 window does not fit the 2x4x4 input');
    expect(rows.slice(0, 5).every((r) => r.error === undefined && r.outputShape !== undefined)).toBe(true);
    expect(rows.slice(6).map((r) => r.outputShape)).toEqual([undefined, undefined]);
    expect(fits(rows)).toBe(false);
  });

  it('names a bad setting and its value', () => {
    const rows = layerRows({ ...TABLE3, conv1: { ...TABLE3.conv1, kernel: 0 } });
    expect(rows[0]?.error).toBe('kernel must be an integer >= 1, got 0');
    const big = layerRows({ ...TABLE3, conv1: { ...TABLE3.conv1, kernel: 31 } });
    expect(big[0]?.error).toBe('a 31x31 kernel with padding 1 does not fit the 1x28x28 input (output 0x0)');
    expect(layerRows({ ...TABLE3, conv2: { ...TABLE3.conv2, padding: -1 } })[3]?.error).toBe('padding must be an integer >= 0, got -1');
  });
});
