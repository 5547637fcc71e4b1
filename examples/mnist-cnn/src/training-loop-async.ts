/**
 * The training loop's reads for a backend without synchronous reads (`capabilities.syncRead`
 * false: WebGPU, whose values come back through `mapAsync` only). The step and the evaluation
 * are training-loop.ts's; only the reads differ: each is started (`data()`) inside the step's
 * `tidy`, so on a queued device it is ordered before the frees of the step's arrays, and awaited
 * after it.
 */
import { tidy, withBackend, type NDArray, type TypedArray } from '@tsgrad/ndarray';
import { fromNDArray, noGrad, type Tensor } from '@tsgrad/autograd';
import type { Sequential } from '@tsgrad/nn';
import { DataLoader } from '@tsgrad/data';
import { modelBackend, type ImageDataset, type Training } from './training-loop.js';

/**
 * Whether the model's backend reads only asynchronously (then train with `trainStepAsync` and
 * `evaluateAsync`).
 *
 * @example
 * readsAsync(buildModel(TABLE3)); // false: the CPU backend reads synchronously
 */
export function readsAsync(model: Sequential): boolean {
  return modelBackend(model)?.capabilities.syncRead === false;
}

/** A read started inside a `tidy` scope, awaited after it. */
interface PendingRead {
  values: Promise<TypedArray> | null;
}

/** The values of a read started inside a scope, or an error naming what was not read. */
async function settle(read: PendingRead, what: string): Promise<TypedArray> {
  if (read.values === null) throw new Error(`${what} was not read`);
  return read.values;
}

/**
 * `trainStep` with the loss read asynchronously: forward, loss, zeroed gradients, backward, update,
 * then `await loss.data()`. Throws when the loss is not finite, naming where (`at`) and the lr.
 *
 * @example
 * for (const [x, y] of t.loader) {
 *   const loss = await trainStepAsync(t, x, y, 'epoch 1, step 1'); // about 2.3 on the first batch
 *   break;
 * }
 */
export async function trainStepAsync(t: Pick<Training, 'model' | 'optimizer' | 'lossFn'>, x: NDArray, y: NDArray, at: string): Promise<number> {
  const on = modelBackend(t.model);
  const read: PendingRead = { values: null };
  tidy(() => {
    const step = (): (Tensor | null)[] => {
      const loss = t.lossFn.forward(t.model.forward(fromNDArray(on ? x.to(on) : x)), fromNDArray(on ? y.to(on) : y));
      t.optimizer.zeroGrad();
      loss.backward();
      t.optimizer.step();
      read.values = loss.data.data();
      // the gradients stay until the next zeroGrad, as in trainStep
      return t.optimizer.paramGroups.flatMap((group) => group.params.map((p) => p.grad));
    };
    return on ? withBackend(on, step) : step();
  });
  const value = (await settle(read, `the loss at ${at}`))[0];
  if (!Number.isFinite(value)) {
    throw new Error(`training diverged: loss is ${value} at ${at} (lr ${t.optimizer.paramGroups[0]?.lr})`);
  }
  return value;
}

/**
 * `evaluate` with each batch's count of correct predictions read asynchronously: test accuracy
 * in percent, the model in eval mode, no graph recorded, the test set in batches.
 *
 * @example
 * const acc = await evaluateAsync(model, testSet); // e.g. 97.4
 */
export async function evaluateAsync(model: Sequential, test: ImageDataset, batchSize = 64): Promise<number> {
  model.eval();
  let correct = 0;
  const on = modelBackend(model);
  const count = (x: NDArray, y: NDArray): Promise<TypedArray> => model.forward(fromNDArray(x)).data.argmax(1).eq(y).sum().data();
  try {
    // A seed of its own, so that evaluating never draws from the default generator.
    for (const [x, y] of new DataLoader(test, { batchSize, shuffle: false, seed: 0 })) {
      const read: PendingRead = { values: null };
      noGrad(() => tidy(() => {
        read.values = on ? withBackend(on, () => count(x.to(on), y.to(on))) : count(x, y);
      }));
      x.dispose();
      y.dispose();
      correct += (await settle(read, 'a test batch'))[0];
    }
  } finally {
    model.train();
  }
  return (100 * correct) / test.length;
}
