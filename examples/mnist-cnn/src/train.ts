import { existsSync } from 'node:fs';
import { defaultGenerator, type Backend, type NDArray } from '@tsgrad/ndarray';
import type { Sequential } from '@tsgrad/nn';
import type { Optimizer, BaseOptions } from '@tsgrad/optim';
import type { NetConfig } from './network.js';
import { evaluate, setupTraining, trainStep, yieldToEventLoop, type ImageDataset } from './training-loop.js';
import { evaluateAsync, readsAsync, trainStepAsync } from './training-loop-async.js';
import {
  identityMismatch,
  loadCheckpoint,
  prepareCheckpointPath,
  saveCheckpoint,
  type Checkpoint,
  type CheckpointState,
  type RunSource,
  type RunHistory,
  type RunIdentity,
  type TrainingCurves,
} from './checkpoint.js';

// The browser-safe part of the loop lives in training-loop.ts; these names stay importable from here.
export { evaluate, type ImageDataset };

/** What to train and how: the study's hyperparameters. */
export interface TrainConfig {
  net: NetConfig;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: 'adam' | 'sgd';
  seed: number;
  /** Stop each epoch after this many steps (0: the whole epoch). */
  steps?: number;
  /** Report the loss every this many steps (the study: 100). */
  logEvery?: number;
  /** Measure test accuracy after every epoch, not only at the end (for accuracy-vs-epochs curves). */
  evalEveryEpoch?: boolean;
}

/** Where to write and read checkpoints. */
export interface CheckpointOptions {
  /** Write a checkpoint here after every epoch (and every `saveEverySteps` steps). */
  save?: string;
  saveEverySteps?: number;
  /** Continue from this checkpoint; with `resumeIfExists`, only when the file exists. */
  resume?: string;
  resumeIfExists?: boolean;
  /** The checkpoint at `resume`, when the caller has loaded (and checked) it already. */
  loaded?: Checkpoint;
  /** Recorded in every checkpoint, so that the run can be resumed from the file alone. */
  source?: RunSource;
}

/** What the loop tells its caller as it goes; the CLI prints, the study records, tests count. */
export interface TrainHooks {
  onStart?(e: { epochs: number; stepsPerEpoch: number; epoch: number; step: number; resumedFrom?: string }): void;
  /** After every step; `epoch` and `step` count from 1, `loss` is this batch's loss. */
  onStep?(e: { epoch: number; step: number; stepsPerEpoch: number; loss: number }): void;
  /** After an epoch's training steps, before its evaluation. */
  onEpochEnd?(e: { epoch: number; seconds: number; meanLoss: number }): void;
  /** After a test evaluation; `last` marks the final one, after the last epoch. */
  onEvaluate?(e: { epoch: number; accuracy: number; seconds: number; last: boolean }): void;
  onCheckpoint?(e: { path: string; epoch: number; step: number }): void;
}

/** A finished (or stopped) run. */
export interface TrainResult extends TrainingCurves {
  model: Sequential;
  optimizer: Optimizer<BaseOptions>;
  /** Test accuracy in percent after the last epoch (NaN when stopped before it). */
  accuracy: number;
  /** Training seconds plus the final evaluation's, over all sessions (per-epoch evaluations left out). */
  totalSeconds: number;
  stepsPerEpoch: number;
  /** True when `signal` stopped the run early. */
  stopped: boolean;
}

/** Loads per-parameter state into an optimizer that keeps its own param groups (the run's settings). */
function restoreOptimizer<O extends BaseOptions>(optimizer: Optimizer<O>, state: Record<number, Record<string, NDArray | number>>): void {
  optimizer.loadStateDict({ state, paramGroups: optimizer.stateDict().paramGroups });
}

/** The study's defaults (its Table 1 and 3 settings). */
export const DEFAULTS = { epochs: 2, batchSize: 64, lr: 0.001, optimizer: 'adam', seed: 0, logEvery: 100 } as const;

/**
 * Trains the study's CNN: seeds the default generator, builds the network, then runs Adam (or SGD)
 * on cross-entropy loss over shuffled batches, as the study's PyTorch script does. Writes atomic
 * checkpoints when asked and resumes from one so that the final weights equal an uninterrupted
 * run's: the checkpoint holds the loader generator's state at the start of the current epoch,
 * and a resumed epoch replays that epoch's order and skips the batches already done.
 *
 * @example
 * const r = await train({ net: TABLE3, epochs: 2, batchSize: 64, lr: 1e-3, optimizer: 'adam', seed: 0 },
 *   { train: new MNIST({ train: true }), test: new MNIST({ train: false }) });
 * r.accuracy; // about 97
 */
export async function train(
  config: TrainConfig,
  data: { train: ImageDataset; test: ImageDataset },
  opts: { hooks?: TrainHooks; checkpoint?: CheckpointOptions; signal?: AbortSignal; backend?: Backend } = {},
): Promise<TrainResult> {
  const { hooks = {}, checkpoint = {}, signal, backend } = opts;
  const logEvery = config.logEvery ?? DEFAULTS.logEvery;
  const training = setupTraining(config, data.train, backend);
  const { model, optimizer, loader, stepsPerEpoch } = training;
  const asyncReads = readsAsync(model);
  const identity: RunIdentity = {
    net: config.net,
    batchSize: config.batchSize,
    lr: config.lr,
    optimizer: config.optimizer,
    seed: config.seed,
    trainLength: data.train.length,
    stepsPerEpoch,
  };

  let epoch = 0;
  let skip = 0;
  let history: RunHistory = {
    epochTimes: [],
    epochLosses: [],
    epochAccuracies: [],
    lossLog: [],
    printedLosses: [],
    epochLossSum: 0,
    windowLossSum: 0,
    windowCount: 0,
    epochSeconds: 0,
    totalSeconds: 0,
  };
  let resumedFrom: string | undefined;
  if (checkpoint.save) prepareCheckpointPath(checkpoint.save); // fail now, not after an epoch of training
  if (checkpoint.resume && (!checkpoint.resumeIfExists || existsSync(checkpoint.resume))) {
    const saved = checkpoint.loaded ?? (await loadCheckpoint(checkpoint.resume));
    const mismatch = identityMismatch(saved.state.identity, identity);
    if (mismatch) throw new Error(`--resume ${checkpoint.resume}: the checkpoint belongs to another run (${mismatch})`);
    if (saved.state.epoch > config.epochs) {
      throw new Error(`--resume ${checkpoint.resume}: the checkpoint has ${saved.state.epoch} epochs done, more than the ${config.epochs} asked for`);
    }
    model.loadStateDict(saved.model);
    restoreOptimizer(optimizer, saved.optimizerState);
    defaultGenerator().setState(saved.state.rng.default);
    loader.generator.setState(saved.state.rng.loaderEpochStart);
    ({ epoch, step: skip, history } = saved.state);
    resumedFrom = checkpoint.resume;
  }

  let loaderEpochStart = loader.generator.getState();
  const snapshot = (e: number, s: number): Omit<CheckpointState, 'optimizer'> => ({
    version: 1,
    identity,
    ...(checkpoint.source ? { run: { epochs: config.epochs, steps: config.steps ? config.steps : null, source: checkpoint.source } } : {}),
    epoch: e,
    step: s,
    rng: { default: defaultGenerator().getState(), loaderEpochStart },
    history: structuredClone(history),
  });
  const writeCheckpoint = async (e: number, s: number): Promise<void> => {
    if (!checkpoint.save) return;
    await saveCheckpoint(checkpoint.save, model.stateDict(), optimizer.stateDict(), snapshot(e, s));
    hooks.onCheckpoint?.({ path: checkpoint.save, epoch: e + 1, step: s });
  };

  hooks.onStart?.({ epochs: config.epochs, stepsPerEpoch, epoch: epoch + 1, step: skip, resumedFrom });
  model.train();
  let stopped = false;
  for (; epoch < config.epochs && !stopped; epoch++) {
    loaderEpochStart = loader.generator.getState(); // before the loader draws this epoch's order
    let sessionStart = performance.now();
    const seconds = (): number => history.epochSeconds + (performance.now() - sessionStart) / 1000;
    let step = 0;
    for (const [x, y] of loader) {
      if (step < skip) {
        step++; // replaying a resumed epoch: these batches were trained on before the checkpoint
        x.dispose();
        y.dispose();
        continue;
      }
      const at = `epoch ${epoch + 1}, step ${step + 1}`;
      // a backend without synchronous reads (webgpu) reads the loss with await
      const value = asyncReads ? await trainStepAsync(training, x, y, at) : trainStep(training, x, y, at);
      // The batch's buffers serve the next batch (the loader's arrays are ours to dispose).
      x.dispose();
      y.dispose();
      step++;
      history.epochLossSum += value;
      history.windowLossSum += value;
      history.windowCount++;
      if (history.windowCount === logEvery) {
        history.lossLog.push({ step: epoch * stepsPerEpoch + step, loss: history.windowLossSum / logEvery });
        history.windowLossSum = 0;
        history.windowCount = 0;
      }
      if (step % logEvery === 0) history.printedLosses.push({ epoch: epoch + 1, step, loss: value });
      hooks.onStep?.({ epoch: epoch + 1, step, stepsPerEpoch, loss: value });
      const lastStep = step >= stepsPerEpoch;
      if (!lastStep && checkpoint.saveEverySteps && step % checkpoint.saveEverySteps === 0) {
        history.epochSeconds = seconds();
        await writeCheckpoint(epoch, step);
        sessionStart = performance.now(); // time spent writing counts in neither the epoch nor the total
      }
      await yieldToEventLoop(); // let signals (Ctrl-C) and timers run: every step
      if (lastStep) break;
      if (signal?.aborted) {
        stopped = true;
        history.epochSeconds = seconds();
        await writeCheckpoint(epoch, step);
        break;
      }
    }
    if (stopped) break;
    skip = 0;
    const epochSeconds = seconds();
    history.epochTimes.push(epochSeconds);
    history.epochLosses.push(history.epochLossSum / step);
    history.totalSeconds += epochSeconds;
    history.epochLossSum = 0;
    history.epochSeconds = 0;
    hooks.onEpochEnd?.({ epoch: epoch + 1, seconds: epochSeconds, meanLoss: history.epochLosses.at(-1) ?? NaN });
    const last = epoch === config.epochs - 1;
    if (config.evalEveryEpoch || last) {
      const t0 = performance.now();
      const accuracy = asyncReads ? await evaluateAsync(model, data.test) : evaluate(model, data.test);
      const evalSeconds = (performance.now() - t0) / 1000;
      if (last) history.totalSeconds += evalSeconds; // as the study: training plus one final test
      history.epochAccuracies.push(accuracy);
      hooks.onEvaluate?.({ epoch: epoch + 1, accuracy, seconds: evalSeconds, last });
    }
    loaderEpochStart = loader.generator.getState();
    await writeCheckpoint(epoch + 1, 0);
    if (signal?.aborted && epoch + 1 < config.epochs) stopped = true;
  }
  return {
    model,
    optimizer,
    accuracy: stopped ? NaN : (history.epochAccuracies.at(-1) ?? NaN),
    epochTimes: history.epochTimes,
    epochLosses: history.epochLosses,
    epochAccuracies: history.epochAccuracies,
    lossLog: history.lossLog,
    printedLosses: history.printedLosses,
    totalSeconds: history.totalSeconds,
    stepsPerEpoch,
    stopped,
  };
}
