/**
 * The layer table of the network editor: each layer's output shape and parameter count,
 * worked out from the settings alone (no model is built), with an error on the first layer
 * that does not fit, so the page can show it as the user types.
 */
import { convOutputSize, poolOutputSize } from '@tsgrad/ndarray';
import { INPUT_SHAPE, type ConvSpec, type NetConfig, type PoolSpec } from '../../mnist-cnn/src/network.js';

/** One row of the table: a layer and its output shape and parameters, or why it does not fit. */
export interface LayerRow {
  name: string;
  description: string;
  /** [C, H, W] or [features]; absent after an error. */
  outputShape?: number[];
  params: number;
  error?: string;
}

/**
 * The rows of the study's network conv1, relu1, pool1, conv2, relu2, pool2, flatten, fc. A layer
 * whose settings are not valid, or whose output would be empty, gets an `error`; the rows after
 * it have no shape.
 *
 * @example
 * layerRows(TABLE1).map((r) => r.outputShape); // [[4,26,26], [4,26,26], [4,13,13], [2,4,4], [2,4,4], [2,1,1], [2], [10]]
 * layerRows(TABLE1).reduce((s, r) => s + r.params, 0); // 148
 */
export function layerRows(net: NetConfig): LayerRow[] {
  const rows: LayerRow[] = [];
  let shape: [number, number, number] | undefined = [...INPUT_SHAPE];
  const push = (name: string, description: string, params: number, next: (s: [number, number, number]) => [number, number, number] | string): void => {
    if (shape === undefined) {
      rows.push({ name, description, params });
      return;
    }
    const out = next(shape);
    if (typeof out === 'string') {
      rows.push({ name, description, params, error: out });
      shape = undefined;
    } else {
      rows.push({ name, description, params, outputShape: out });
      shape = out;
    }
  };
  const conv = (name: string, s: ConvSpec): void => {
    const inChannels = shape?.[0] ?? 0;
    const problem = invalid(s, ['outChannels', 'kernel', 'stride'], ['padding']);
    push(name, `Conv2d(${inChannels}, ${s.outChannels}, kernel_size=${s.kernel}, stride=${s.stride}, padding=${s.padding})`,
      problem ? 0 : s.outChannels * (inChannels * s.kernel * s.kernel + 1), ([c, h, w]) => {
        if (problem) return problem;
        const oh = convOutputSize(h, s.kernel, s.stride, s.padding, 1);
        const ow = convOutputSize(w, s.kernel, s.stride, s.padding, 1);
        return oh < 1 || ow < 1
          ? `a ${s.kernel}x${s.kernel} kernel with padding ${s.padding} does not fit the ${c}x${h}x${w} input (output ${oh}x${ow})`
          : [s.outChannels, oh, ow];
      });
  };
  const pool = (name: string, s: PoolSpec): void => {
    const problem = invalid(s, ['kernel', 'stride'], []);
    push(name, `MaxPool2d(kernel_size=${s.kernel}, stride=${s.stride})`, 0, ([c, h, w]) => {
      if (problem) return problem;
      const oh = poolOutputSize(h, s.kernel, s.stride, 0, 1, false);
      const ow = poolOutputSize(w, s.kernel, s.stride, 0, 1, false);
      return oh < 1 || ow < 1 ? `a ${s.kernel}x${s.kernel} window does not fit the ${c}x${h}x${w} input` : [c, oh, ow];
    });
  };
  const relu = (name: string): void => push(name, 'ReLU()', 0, (s) => s);
  conv('conv1', net.conv1);
  relu('relu1');
  pool('pool1', net.pool1);
  conv('conv2', net.conv2);
  relu('relu2');
  pool('pool2', net.pool2);
  const features = shape === undefined ? undefined : shape[0] * shape[1] * shape[2];
  rows.push(features === undefined ? { name: 'flatten', description: 'Flatten()', params: 0 } : { name: 'flatten', description: 'Flatten()', params: 0, outputShape: [features] });
  rows.push(
    features === undefined
      ? { name: 'fc', description: 'Linear(in_features=?, out_features=10)', params: 0 }
      : { name: 'fc', description: `Linear(in_features=${features}, out_features=10)`, params: features * 10 + 10, outputShape: [10] },
  );
  return rows;
}

/** Why a layer's settings are not valid (not integers, or below 1, padding below 0), or undefined. */
function invalid<S extends object>(spec: S, positive: readonly (keyof S & string)[], nonNegative: readonly (keyof S & string)[]): string | undefined {
  for (const key of positive) {
    const v = spec[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return `${key} must be an integer >= 1, got ${String(v)}`;
  }
  for (const key of nonNegative) {
    const v = spec[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `${key} must be an integer >= 0, got ${String(v)}`;
  }
  return undefined;
}

/**
 * True when every row fits (the network can be built).
 *
 * @example
 * fits(layerRows(TABLE3)); // true
 */
export function fits(rows: readonly LayerRow[]): boolean {
  return rows.every((r) => r.error === undefined && r.outputShape !== undefined);
}
