/**
 * The study's training loop, the part that runs anywhere: setting a run up, one optimisation
 * step, and the test evaluation. No Node built-ins, so the CLI (train.ts, which adds checkpoints
 * and files) and the browser playground (examples/playground, which adds pause and a live
 * learning rate) share it.
 */
import { manualSeed, tidy, withBackend, type Backend, type NDArray } from '@tsgrad/ndarray';
import { fromNDArray, noGrad, type Tensor } from '@tsgrad/autograd';
import { CrossEntropyLoss, type Sequential } from '@tsgrad/nn';
import { Adam, SGD, type BaseOptions, type Optimizer } from '@tsgrad/optim';
import { DataLoader, type Dataset } from '@tsgrad/data';
import { buildModel, type NetConfig } from './network.js';

/** A dataset of MNIST-like samples: an image and its label. */
export type ImageDataset = Dataset<[NDArray, number]>;

/** What a run needs to be set up: the network and the study's hyperparameters. */
export interface LoopConfig {
  net: NetConfig;
  batchSize: number;
  lr: number;
  optimizer: 'adam' | 'sgd';
  seed: number;
  /** Stop each epoch after this many steps (0 or absent: the whole epoch). */
  steps?: number;
}

/**
 * The backend a model's parameters live on; batches are moved there before each step.
 *
 * @example
 * modelBackend(buildModel(TABLE3)).name; // 'cpu'
 */
export function modelBackend(model: Sequential): Backend | undefined {
  // The first parameter only: listing them all (parameters()) walks every module, every step.
  for (const [, p] of model.namedParameters()) return p.data.backend;
  return undefined;
}

/** A run ready to train: the model, its optimizer, the loss and the shuffled batches. */
export interface Training {
  model: Sequential;
  optimizer: Optimizer<BaseOptions>;
  lossFn: CrossEntropyLoss;
  loader: DataLoader<[NDArray, number]>;
  stepsPerEpoch: number;
}

/**
 * Sets a run up as the study's PyTorch script does: seeds the default generator, builds the
 * network (its initial weights come from that generator), then Adam (or SGD), cross-entropy
 * loss, and a loader that shuffles with a generator of its own seeded with the same seed.
 *
 * @example
 * const t = setupTraining({ net: TABLE1, batchSize: 64, lr: 1e-3, optimizer: 'adam', seed: 0 }, trainSet);
 * t.stepsPerEpoch; // 938 for the 60,000 MNIST training images
 */
export function setupTraining(config: LoopConfig, trainSet: ImageDataset, backend?: Backend): Training {
  manualSeed(config.seed);
  const model = buildModel(config.net); // on the CPU backend: the same initial weights on every backend
  if (backend) model.to(backend); // before the optimizer, so that its state is made where the parameters are
  const optimizer: Optimizer<BaseOptions> =
    config.optimizer === 'adam' ? new Adam(model.parameters(), { lr: config.lr }) : new SGD(model.parameters(), { lr: config.lr });
  const loader = new DataLoader(trainSet, { batchSize: config.batchSize, shuffle: true, seed: config.seed });
  const stepsPerEpoch = config.steps ? Math.min(config.steps, loader.length) : loader.length;
  return { model, optimizer, lossFn: new CrossEntropyLoss(), loader, stepsPerEpoch };
}

/**
 * One optimisation step on the batch `x`, `y` (moved to the model's backend first): forward, loss,
 * zeroed gradients, backward, update. Returns the batch's loss (a synchronous read of one number);
 * throws when it is not finite, naming where (`at`) and the learning rate.
 *
 * @example
 * for (const [x, y] of t.loader) {
 *   const loss = trainStep(t, x, y, 'epoch 1, step 1'); // about 2.3 on the first batch
 *   break;
 * }
 */
export function trainStep(t: Pick<Training, 'model' | 'optimizer' | 'lossFn'>, x: NDArray, y: NDArray, at: string): number {
  const on = modelBackend(t.model);
  // The step's activations and temporaries are disposed when it ends (their buffers serve the
  // next step); the parameters' gradients are returned, so they stay until the next zeroGrad.
  // On another backend, the batch moves there and arrays that ops create are made there too.
  let value = NaN;
  tidy(() => {
    const step = (): (Tensor | null)[] => {
      value = stepOn(t, on ? x.to(on) : x, on ? y.to(on) : y);
      return t.optimizer.paramGroups.flatMap((group) => group.params.map((p) => p.grad));
    };
    return on ? withBackend(on, step) : step();
  });
  if (!Number.isFinite(value)) {
    throw new Error(`training diverged: loss is ${value} at ${at} (lr ${t.optimizer.paramGroups[0]?.lr})`);
  }
  return value;
}

/** The step itself, on whatever backend `x`, `y` and the model share. */
function stepOn(t: Pick<Training, 'model' | 'optimizer' | 'lossFn'>, x: NDArray, y: NDArray): number {
  const loss = t.lossFn.forward(t.model.forward(fromNDArray(x)), fromNDArray(y));
  t.optimizer.zeroGrad();
  loss.backward();
  t.optimizer.step();
  return loss.data.item();
}

/**
 * Test accuracy in percent: the model in eval mode, no graph recorded, the test set in batches.
 * Small batches keep the peak memory low (a batch of 1000 has 86 MB of conv1 activations in
 * Table 3); batches of 64, the training batch, reuse the buffers training disposed, and each
 * batch's arrays are disposed before the next one (`tidy`) for the next batch to reuse.
 *
 * @example
 * const acc = evaluate(model, testSet); // e.g. 97.4
 */
export function evaluate(model: Sequential, test: ImageDataset, batchSize = 64): number {
  model.eval();
  let correct = 0;
  const on = modelBackend(model);
  const count = (x: NDArray, y: NDArray): number => model.forward(fromNDArray(x)).data.argmax(1).eq(y).sum().item();
  noGrad(() => {
    // A seed of its own, so that evaluating never draws from the default generator.
    for (const [x, y] of new DataLoader(test, { batchSize, shuffle: false, seed: 0 })) {
      correct += tidy(() => (on ? withBackend(on, () => count(x.to(on), y.to(on))) : count(x, y)));
      x.dispose();
      y.dispose();
    }
  });
  model.train();
  return (100 * correct) / test.length;
}

/**
 * Resolves after the event loop has had a turn, so that signals, timers and (in a worker)
 * messages get handled during a long loop: `setImmediate` in Node, a zero timeout elsewhere.
 *
 * @example
 * if (step % 32 === 0) await yieldToEventLoop();
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
