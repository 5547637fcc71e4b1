/**
 * One training run of the playground, step by step: what the worker drives. It uses the study's
 * browser-safe loop (setup, one step, evaluation) and adds what a page needs: single steps
 * (so the worker can pause between any two), a live learning rate, a prediction with the conv1
 * feature maps, the filters, the autograd graph of one step, and save/load as safetensors.
 * No DOM and no worker API here, so the tests run it in Node.
 */
import { array, withBackend, type Backend, type NDArray } from '@tsgrad/ndarray';
import { fromNDArray, noGrad, softmax, toSvg } from '@tsgrad/autograd';
import { DataLoader, Subset } from '@tsgrad/data';
import { deserialize, serialize } from '@tsgrad/nn';
// The study example's loop, imported by path: it is browser-safe, the rest of that example is a CLI.
import { layerShapes, type NetConfig } from '../../mnist-cnn/src/network.js';
import { evaluate, setupTraining, trainStep, type ImageDataset, type Training } from '../../mnist-cnn/src/training-loop.js';

/** What a run is: the network and the study's hyperparameters (always Adam, as the study). */
export interface SessionConfig {
  net: NetConfig;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

/** A stack of same-sized grey images (filters or feature maps), row-major, one after another. */
export interface ImageStack {
  count: number;
  height: number;
  width: number;
  data: Float32Array;
}

/** The network's answer for one image: the class probabilities and the conv1 feature maps (after ReLU). */
export interface Prediction {
  probabilities: number[];
  featureMaps: ImageStack;
}

/** The metadata key under which a saved model keeps its network, so loading can rebuild it. */
export const NET_KEY = 'tsgrad.playground.net';

/** What a captured step is made from: the run's model, loss and optimizer. */
export type StepParts = Pick<Training, 'model' | 'lossFn' | 'optimizer'>;

/**
 * A training step that runs asynchronously and may keep the model's state elsewhere (a WebGPU
 * device) until `sync()` copies it back: `@tsgrad/gpu`'s `compileStep` is one.
 */
export interface AsyncStep {
  (x: NDArray, y: NDArray): Promise<number>;
  sync(): Promise<void>;
}

/** How many test images the accuracy curve is measured on (the first ones, always the same). */
export const QUICK_TEST_IMAGES = 1000;

/**
 * A run: `trainOne()` takes one step, moving to the next epoch when one ends.
 *
 * @example
 * const s = new Session({ net: TABLE1, lr: 1e-3, batchSize: 64, epochs: 2, seed: 0 }, { train, test });
 * while (s.step < 100) s.trainOne();
 * s.accuracy(); // percent on the first 1000 test images
 */
export class Session {
  readonly training: Training;
  /** Steps taken in all, and within the current epoch; epochs completed. */
  step = 0;
  stepInEpoch = 0;
  epoch = 0;
  private batches: Iterator<[NDArray, NDArray]>;
  private readonly quickTest: ImageDataset;
  private readonly asyncStep: AsyncStep | undefined;
  // Steps and syncs of an asynchronous step run one after another, never interleaved.
  private deviceWork: Promise<unknown> = Promise.resolve();

  /**
   * `backend`: where the model trains (its weights are made on the CPU backend from the seed,
   * then moved there); undefined trains on the CPU backend. `capture`: makes the asynchronous
   * step that `trainOneAsync` takes (a captured step replayed on WebGPU); the model's arrays are
   * current only after `sync()`.
   */
  constructor(
    readonly config: SessionConfig,
    readonly data: { train: ImageDataset; test: ImageDataset },
    readonly backend?: Backend,
    capture?: (t: StepParts) => AsyncStep,
  ) {
    this.training = setupTraining({ ...config, optimizer: 'adam' }, data.train, backend);
    this.asyncStep = capture?.(this.training);
    this.batches = this.training.loader[Symbol.iterator]();
    const n = Math.min(QUICK_TEST_IMAGES, data.test.length);
    this.quickTest = new Subset(data.test, Array.from({ length: n }, (_, i) => i));
  }

  /** Steps in one epoch (the training set over the batch size, rounded up). */
  get stepsPerEpoch(): number {
    return this.training.stepsPerEpoch;
  }

  /** True once every epoch asked for has run. */
  get finished(): boolean {
    return this.epoch >= this.config.epochs;
  }

  /** The number of trainable values in the network. */
  get parameterCount(): number {
    return this.training.model.parameters().reduce((sum, p) => sum + p.size, 0);
  }

  /**
   * One optimisation step on the next batch; returns its loss and whether it ended an epoch.
   *
   * @example
   * const { loss, epochEnded } = session.trainOne();
   */
  trainOne(): { loss: number; epochEnded: boolean } {
    if (this.asyncStep !== undefined) throw new Error('this run trains with an asynchronous step: call trainOneAsync()');
    const [x, y] = this.nextBatch();
    return this.advance(trainStep(this.training, x, y, this.where()));
  }

  /**
   * One step, through the asynchronous step when the run has one (else as `trainOne`).
   *
   * @example
   * const { loss } = await session.trainOneAsync();
   */
  trainOneAsync(): Promise<{ loss: number; epochEnded: boolean }> {
    const step = this.asyncStep;
    if (step === undefined) return Promise.resolve(this.trainOne());
    return this.exclusive(async () => {
      const [x, y] = this.nextBatch();
      const loss = await step(x, y);
      if (!Number.isFinite(loss)) {
        throw new Error(`training diverged: loss is ${loss} at ${this.where()} (lr ${this.learningRate})`);
      }
      return this.advance(loss);
    });
  }

  /**
   * Brings the model's state home from where the asynchronous step keeps it; call it before
   * reading the model (filters, predictions, accuracy, save). Nothing to do without one.
   *
   * @example
   * await session.sync();
   * session.filters();
   */
  sync(): Promise<void> {
    const step = this.asyncStep;
    return step === undefined ? Promise.resolve() : this.exclusive(() => step.sync());
  }

  /** Runs `f` after every step and sync queued before it. */
  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const done = this.deviceWork.then(f);
    this.deviceWork = done.catch(() => undefined);
    return done;
  }

  private where(): string {
    return `epoch ${this.epoch + 1}, step ${this.stepInEpoch + 1}`;
  }

  private nextBatch(): [NDArray, NDArray] {
    if (this.finished) throw new Error(`the run has finished its ${this.config.epochs} epochs`);
    const next = this.batches.next();
    if (next.done) throw new Error(`the loader ran out of batches at step ${this.stepInEpoch} of ${this.stepsPerEpoch}`);
    return next.value;
  }

  /** Counts a step of loss `loss`, moving to the next epoch when one ends. */
  private advance(loss: number): { loss: number; epochEnded: boolean } {
    this.step++;
    this.stepInEpoch++;
    const epochEnded = this.stepInEpoch >= this.stepsPerEpoch;
    if (epochEnded) {
      this.epoch++;
      this.stepInEpoch = 0;
      this.batches = this.training.loader[Symbol.iterator](); // the next epoch's order
    }
    return { loss, epochEnded };
  }

  /**
   * Sets the learning rate of every parameter group; the next step uses it (Adam's moments are kept).
   *
   * @example
   * session.setLearningRate(3e-4);
   */
  setLearningRate(lr: number): void {
    if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
    for (const group of this.training.optimizer.paramGroups) group.lr = lr;
  }

  /** The learning rate in use. */
  get learningRate(): number {
    return this.training.optimizer.paramGroups[0]?.lr ?? this.config.lr;
  }

  /**
   * Test accuracy in percent, on the first 1000 test images (`full`: all of them).
   *
   * @example
   * session.accuracy(); // e.g. 91.3
   */
  accuracy(full = false): number {
    return evaluate(this.training.model, full ? this.data.test : this.quickTest);
  }

  /**
   * Classifies one 28x28 image (values in [0, 1], row-major) and returns the ten class
   * probabilities with the conv1 feature maps after ReLU (what the second conv layer sees).
   *
   * @example
   * const { probabilities, featureMaps } = session.predict(pixels);
   */
  predict(pixels: Float32Array): Prediction {
    if (pixels.length !== 28 * 28) throw new RangeError(`predict: expected 784 pixels (28x28), got ${pixels.length}`);
    const model = this.training.model;
    model.eval();
    try {
      return this.onBackend(() => noGrad(() => {
        let x = fromNDArray(this.here(array(pixels, { shape: [1, 1, 28, 28], dtype: 'float32' })));
        let maps: NDArray | undefined;
        for (const [i, layer] of [...model].entries()) {
          x = layer.forward(x);
          if (i === 1) maps = x.data; // conv1 -> ReLU
        }
        if (maps === undefined) throw new Error('predict: the network has fewer than two layers');
        const [, count, height, width] = maps.shape;
        return {
          probabilities: Array.from(softmax(x, 1).data.toTypedArray()),
          featureMaps: { count, height, width, data: Float32Array.from(maps.toTypedArray()) },
        };
      }));
    } finally {
      model.train();
    }
  }

  /**
   * The conv1 filters (weights [C, 1, k, k]) as a stack of k x k images.
   *
   * @example
   * session.filters().count; // 32 for Table 3
   */
  filters(): ImageStack {
    const conv1: NDArray | undefined = this.training.model.stateDict()['0.weight'];
    if (conv1 === undefined) throw new Error('filters: the model has no "0.weight" (conv1)');
    const [count, , height, width] = conv1.shape;
    return { count, height, width, data: Float32Array.from(conv1.toTypedArray()) };
  }

  /**
   * The autograd graph of one training step on the first `batch` training images, as SVG:
   * forward and backward are run (gradients shown), the weights are not updated.
   *
   * @example
   * document.body.innerHTML = session.graphSvg();
   */
  graphSvg(batch = 4): string {
    const { model, lossFn, optimizer } = this.training;
    const first = new DataLoader(this.data.train, { batchSize: batch, shuffle: false })[Symbol.iterator]().next();
    if (first.done) throw new Error('graphSvg: the training set is empty');
    const [x, y] = first.value;
    return this.onBackend(() => {
      const input = fromNDArray(this.here(x));
      const loss = lossFn.forward(model.forward(input), fromNDArray(this.here(y)));
      optimizer.zeroGrad();
      loss.backward();
      const svg = toSvg(loss, { values: true, grads: true, maxElements: 4, names: { input, loss, ...Object.fromEntries(model.namedParameters()) } });
      optimizer.zeroGrad(); // the next step starts from clean gradients anyway; leave none behind
      return svg;
    });
  }

  /** Runs `f` with the session's backend active, so the arrays ops make are made there. */
  private onBackend<T>(f: () => T): T {
    return this.backend === undefined ? f() : withBackend(this.backend, f);
  }

  /** `a` on the session's backend. */
  private here(a: NDArray): NDArray {
    return this.backend === undefined ? a : a.to(this.backend);
  }

  /**
   * The model as a safetensors file, with the network (and the step) in its metadata.
   *
   * @example
   * const bytes = session.save(); // download as 'model.safetensors'
   */
  save(): Uint8Array {
    return serialize(this.training.model.stateDict(), { [NET_KEY]: JSON.stringify(this.config.net), step: String(this.step) });
  }

  /**
   * A new run from a file `save()` wrote: its network and weights, the other settings from
   * `config` (a fresh optimizer; the step count restarts). `source` names the file in errors.
   *
   * @example
   * const s = Session.load(bytes, 'model.safetensors', { lr: 1e-3, batchSize: 64, epochs: 2, seed: 0 }, data);
   */
  static load(
    bytes: Uint8Array,
    source: string,
    config: Omit<SessionConfig, 'net'>,
    data: { train: ImageDataset; test: ImageDataset },
    backend?: Backend,
    capture?: (t: StepParts) => AsyncStep,
  ): Session {
    const { tensors, metadata } = deserialize(bytes, { source });
    const text = metadata[NET_KEY];
    if (text === undefined) {
      throw new Error(`${source}: no "${NET_KEY}" in the file's metadata; only models saved by the playground can be loaded`);
    }
    const net = parseNet(text, source);
    const session = new Session({ ...config, net }, data, backend, capture);
    session.training.model.loadStateDict(tensors);
    return session;
  }
}

/**
 * A network description read back from a file's metadata, checked field by field; errors name
 * `source`, the field and its value.
 *
 * @example
 * parseNet(JSON.stringify(TABLE1), 'model.safetensors'); // TABLE1
 */
export function parseNet(text: string, source: string): NetConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source}: "${NET_KEY}" is not JSON: ${text.slice(0, 80)}`);
  }
  const int = (layer: string, key: string, min: number): number => {
    const v: unknown = isRecord(value) && isRecord(value[layer]) ? value[layer][key] : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new Error(`${source}: "${NET_KEY}" has ${layer}.${key} = ${JSON.stringify(v)}; expected an integer >= ${min}`);
    }
    return v;
  };
  const conv = (layer: string): NetConfig['conv1'] => ({
    outChannels: int(layer, 'outChannels', 1),
    kernel: int(layer, 'kernel', 1),
    stride: int(layer, 'stride', 1),
    padding: int(layer, 'padding', 0),
  });
  const pool = (layer: string): NetConfig['pool1'] => ({ kernel: int(layer, 'kernel', 1), stride: int(layer, 'stride', 1) });
  const net = { conv1: conv('conv1'), pool1: pool('pool1'), conv2: conv('conv2'), pool2: pool('pool2') };
  layerShapes(net); // throws, naming the layer, when one does not fit
  return net;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
