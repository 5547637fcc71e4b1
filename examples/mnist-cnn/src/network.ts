import { convOutputSize, poolOutputSize } from '@tsgrad/ndarray';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';

/** One convolution of the study's network: `nn.Conv2d(in, outChannels, kernel, stride, padding)`. */
export interface ConvSpec {
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
}

/** One max pooling of the study's network: `nn.MaxPool2d(kernel, stride)`. */
export interface PoolSpec {
  kernel: number;
  stride: number;
}

/**
 * The study's network, conv1 -> ReLU -> pool1 -> conv2 -> ReLU -> pool2 -> flatten -> linear,
 * described by the parameters the study varies.
 */
export interface NetConfig {
  conv1: ConvSpec;
  pool1: PoolSpec;
  conv2: ConvSpec;
  pool2: PoolSpec;
}

/** The study's Table 1 (and Table 2) network: only 2 features reach the linear layer. */
export const TABLE1: NetConfig = {
  conv1: { outChannels: 4, kernel: 3, stride: 1, padding: 0 },
  pool1: { kernel: 2, stride: 2 },
  conv2: { outChannels: 2, kernel: 3, stride: 3, padding: 0 },
  pool2: { kernel: 4, stride: 4 },
};

/** The study's Table 3 network: 64 features reach the linear layer. */
export const TABLE3: NetConfig = {
  conv1: { outChannels: 32, kernel: 5, stride: 1, padding: 1 },
  pool1: { kernel: 2, stride: 2 },
  conv2: { outChannels: 64, kernel: 5, stride: 3, padding: 1 },
  pool2: { kernel: 4, stride: 4 },
};

/** The named configurations the CLI's `--config` accepts. */
export const CONFIGS: Readonly<Record<string, NetConfig>> = { table1: TABLE1, table3: TABLE3 };

/** MNIST's input: one channel of 28 x 28 pixels. */
export const INPUT_SHAPE: readonly [number, number, number] = [1, 28, 28];

/** One row of the model summary: a layer, what it computes, and its output shape (batch left out). */
export interface LayerInfo {
  name: string;
  description: string;
  outputShape: number[];
}

/**
 * Walks the input shape through the network and returns each layer's output shape, or throws an
 * error naming the layer whose output would be empty.
 *
 * @example
 * const layers = layerShapes(TABLE1);
 * layers.at(-2)?.outputShape; // [2]: the features the linear layer sees
 */
export function layerShapes(net: NetConfig): LayerInfo[] {
  let [c, h, w] = INPUT_SHAPE;
  const layers: LayerInfo[] = [];
  const check = (name: string, what: string): void => {
    if (h < 1 || w < 1) {
      throw new Error(`${name}: ${what} gives an empty output (${h}x${w}); choose a smaller kernel or stride`);
    }
  };
  const conv = (name: string, s: ConvSpec): void => {
    const what = `Conv2d(${c}, ${s.outChannels}, kernel_size=${s.kernel}, stride=${s.stride}, padding=${s.padding}) on ${c}x${h}x${w}`;
    h = convOutputSize(h, s.kernel, s.stride, s.padding, 1);
    w = convOutputSize(w, s.kernel, s.stride, s.padding, 1);
    check(name, what);
    layers.push({ name, description: what.split(' on ')[0] ?? what, outputShape: [s.outChannels, h, w] });
    c = s.outChannels;
  };
  const pool = (name: string, s: PoolSpec): void => {
    const what = `MaxPool2d(kernel_size=${s.kernel}, stride=${s.stride}) on ${c}x${h}x${w}`;
    h = poolOutputSize(h, s.kernel, s.stride, 0, 1, false);
    w = poolOutputSize(w, s.kernel, s.stride, 0, 1, false);
    check(name, what);
    layers.push({ name, description: what.split(' on ')[0] ?? what, outputShape: [c, h, w] });
  };
  conv('conv1', net.conv1);
  layers.push({ name: 'relu1', description: 'ReLU()', outputShape: [c, h, w] });
  pool('pool1', net.pool1);
  conv('conv2', net.conv2);
  layers.push({ name: 'relu2', description: 'ReLU()', outputShape: [c, h, w] });
  pool('pool2', net.pool2);
  const features = c * h * w;
  layers.push({ name: 'flatten', description: 'Flatten()', outputShape: [features] });
  layers.push({ name: 'fc', description: `Linear(in_features=${features}, out_features=10)`, outputShape: [10] });
  return layers;
}

/**
 * The number of features that reach the linear layer: channels x height x width after pool2.
 *
 * @example
 * linearInFeatures(TABLE1); // 2  (28 -k3-> 26 -pool2-> 13 -k3 s3-> 4 -pool4-> 1, times 2 channels)
 * linearInFeatures(TABLE3); // 64
 */
export function linearInFeatures(net: NetConfig): number {
  const flat = layerShapes(net).find((l) => l.name === 'flatten');
  return flat?.outputShape[0] ?? 0;
}

/**
 * The shape of every parameter of `buildModel(net)`, by state-dict key, without building the
 * model (building draws initial weights from the default generator). A checkpoint's tensors are
 * checked against it.
 *
 * @example
 * parameterShapes(TABLE1)['7.weight']; // [10, 2]
 */
export function parameterShapes(net: NetConfig): Record<string, number[]> {
  const { conv1, conv2 } = net;
  return {
    '0.weight': [conv1.outChannels, INPUT_SHAPE[0], conv1.kernel, conv1.kernel],
    '0.bias': [conv1.outChannels],
    '3.weight': [conv2.outChannels, conv1.outChannels, conv2.kernel, conv2.kernel],
    '3.bias': [conv2.outChannels],
    '7.weight': [10, linearInFeatures(net)],
    '7.bias': [10],
  };
}

/**
 * Builds the study's network as a `Sequential` whose state-dict keys match the PyTorch reference
 * (`0.weight`, `0.bias`, `3.weight`, ..., `7.bias`). Draws the initial weights from the default
 * generator, so call `manualSeed` first for a reproducible model.
 *
 * @example
 * manualSeed(0);
 * const model = buildModel(TABLE3);
 * model.forward(fromNDArray(zeros([1, 1, 28, 28]))).shape; // [1, 10]
 */
export function buildModel(net: NetConfig): Sequential {
  const features = linearInFeatures(net); // also validates every layer's output size
  const { conv1, pool1, conv2, pool2 } = net;
  return new Sequential(
    new Conv2d(INPUT_SHAPE[0], conv1.outChannels, conv1.kernel, { stride: conv1.stride, padding: conv1.padding }),
    new ReLU(),
    new MaxPool2d(pool1.kernel, { stride: pool1.stride }),
    new Conv2d(conv1.outChannels, conv2.outChannels, conv2.kernel, { stride: conv2.stride, padding: conv2.padding }),
    new ReLU(),
    new MaxPool2d(pool2.kernel, { stride: pool2.stride }),
    new Flatten(),
    new Linear(features, 10),
  );
}

/**
 * A one-line description of a configuration, for logs and the report.
 *
 * @example
 * describeNet(TABLE1); // 'conv1 4@k3s1p0, pool1 k2s2, conv2 2@k3s3p0, pool2 k4s4'
 */
export function describeNet(net: NetConfig): string {
  const c = (s: ConvSpec): string => `${s.outChannels}@k${s.kernel}s${s.stride}p${s.padding}`;
  const p = (s: PoolSpec): string => `k${s.kernel}s${s.stride}`;
  return `conv1 ${c(net.conv1)}, pool1 ${p(net.pool1)}, conv2 ${c(net.conv2)}, pool2 ${p(net.pool2)}`;
}
