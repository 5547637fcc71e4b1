/**
 * The checkpoint's schema: every field of its metadata and every tensor, checked for type, range
 * and consistency (with each other, with the network the checkpoint describes, and with the
 * optimizer's step count), so that a damaged or hand-edited checkpoint fails at load time with
 * the field's name instead of misbehaving later.
 */
import type { NDArray } from '@tsgrad/ndarray';
import type { CheckpointState, RunHistory, RunIdentity, RunPlan } from './checkpoint.js';
import { layerShapes, parameterShapes, type ConvSpec, type NetConfig, type PoolSpec } from './network.js';

/** A field that does not fit the schema; `field` is its dotted path, e.g. `history.epochTimes[2]`. */
export class CheckpointFieldError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`field "${field}": ${problem}`);
    this.name = 'CheckpointFieldError';
  }
}

/** A value as it reads in an error message: JSON, cut to 60 characters. */
function show(v: unknown): string {
  const text = v === undefined ? 'nothing (the field is missing)' : (JSON.stringify(v) ?? String(v));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function expected(field: string, what: string, got: unknown): never {
  throw new CheckpointFieldError(field, `expected ${what}, got ${show(got)}`);
}

function record(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) expected(field, 'an object', v);
  return Object.fromEntries(Object.entries(v));
}

function integer(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER, why = ''): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    expected(field, `an integer ${range}${why}`, v);
  }
  return v;
}

function number(v: unknown, field: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = min === -Infinity ? 'a finite number' : max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`;
    expected(field, range, v);
  }
  return v;
}

function list<T>(v: unknown, field: string, item: (x: unknown, field: string) => T): T[] {
  if (!Array.isArray(v)) expected(field, 'an array', v);
  return v.map((x: unknown, i) => item(x, `${field}[${i}]`));
}

function optional<T>(v: unknown, field: string, item: (x: unknown, field: string) => T): T | null {
  return v === null ? null : item(v, field);
}

function conv(v: unknown, field: string): ConvSpec {
  const o = record(v, field);
  return {
    outChannels: integer(o.outChannels, `${field}.outChannels`, 1),
    kernel: integer(o.kernel, `${field}.kernel`, 1),
    stride: integer(o.stride, `${field}.stride`, 1),
    padding: integer(o.padding, `${field}.padding`, 0),
  };
}

function pool(v: unknown, field: string): PoolSpec {
  const o = record(v, field);
  return { kernel: integer(o.kernel, `${field}.kernel`, 1), stride: integer(o.stride, `${field}.stride`, 1) };
}

function netConfig(v: unknown, field: string): NetConfig {
  const o = record(v, field);
  const net = { conv1: conv(o.conv1, `${field}.conv1`), pool1: pool(o.pool1, `${field}.pool1`), conv2: conv(o.conv2, `${field}.conv2`), pool2: pool(o.pool2, `${field}.pool2`) };
  try {
    layerShapes(net);
  } catch (e) {
    throw new CheckpointFieldError(field, e instanceof Error ? e.message : String(e));
  }
  return net;
}

function identity(v: unknown): RunIdentity {
  const o = record(v, 'identity');
  const batchSize = integer(o.batchSize, 'identity.batchSize', 1);
  const trainLength = integer(o.trainLength, 'identity.trainLength', 1);
  const optimizer = o.optimizer;
  if (optimizer !== 'adam' && optimizer !== 'sgd') expected('identity.optimizer', '"adam" or "sgd"', optimizer);
  const lr = number(o.lr, 'identity.lr');
  if (lr <= 0) expected('identity.lr', 'a positive number', lr);
  const batches = Math.ceil(trainLength / batchSize);
  return {
    net: netConfig(o.net, 'identity.net'),
    batchSize,
    lr,
    optimizer,
    seed: integer(o.seed, 'identity.seed', 0),
    trainLength,
    stepsPerEpoch: integer(o.stepsPerEpoch, 'identity.stepsPerEpoch', 1, batches, ` (${trainLength} images in batches of ${batchSize})`),
  };
}

function generatorState(v: unknown, field: string): number[] {
  const words = list(v, field, (x, f) => integer(x, f, 0, 2 ** 32 - 1));
  if (words.length !== 4 || words.every((w) => w === 0)) expected(field, '4 unsigned 32-bit integers, not all zero', v);
  return words;
}

function plan(v: unknown): RunPlan {
  const o = record(v, 'run');
  const text = (x: unknown, f: string): string => (typeof x === 'string' ? x : expected(f, 'a string', x));
  const positive = (x: unknown, f: string): number => integer(x, f, 1);
  const s = record(o.source, 'run.source');
  return {
    epochs: integer(o.epochs, 'run.epochs', 1),
    steps: optional(o.steps, 'run.steps', positive),
    source: {
      configName: text(s.configName, 'run.source.configName'),
      data: optional(s.data, 'run.source.data', text),
      trainSubset: optional(s.trainSubset, 'run.source.trainSubset', positive),
      testSubset: optional(s.testSubset, 'run.source.testSubset', positive),
    },
  };
}

function history(v: unknown, epoch: number, done: number): RunHistory {
  const o = record(v, 'history');
  const seconds = (x: unknown, f: string): number => number(x, f, 0);
  const loss = (x: unknown, f: string): number => number(x, f, 0);
  const perEpoch = (key: 'epochTimes' | 'epochLosses', item: (x: unknown, f: string) => number): number[] => {
    const xs = list(o[key], `history.${key}`, item);
    if (xs.length !== epoch) expected(`history.${key}`, `one entry per finished epoch (${epoch})`, `${xs.length} entries`);
    return xs;
  };
  const epochAccuracies = list(o.epochAccuracies, 'history.epochAccuracies', (x, f) => number(x, f, 0, 100));
  if (epochAccuracies.length > epoch) expected('history.epochAccuracies', `at most one entry per finished epoch (${epoch})`, `${epochAccuracies.length} entries`);
  const lossLog = list(o.lossLog, 'history.lossLog', (x, f) => {
    const e = record(x, f);
    return { step: integer(e.step, `${f}.step`, 1, done, ` (the steps done, ${done})`), loss: loss(e.loss, `${f}.loss`) };
  });
  const printedLosses = list(o.printedLosses, 'history.printedLosses', (x, f) => {
    const e = record(x, f);
    return { epoch: integer(e.epoch, `${f}.epoch`, 1, epoch + 1), step: integer(e.step, `${f}.step`, 1), loss: loss(e.loss, `${f}.loss`) };
  });
  return {
    epochTimes: perEpoch('epochTimes', seconds),
    epochLosses: perEpoch('epochLosses', loss),
    epochAccuracies,
    lossLog,
    printedLosses,
    epochLossSum: loss(o.epochLossSum, 'history.epochLossSum'),
    windowLossSum: loss(o.windowLossSum, 'history.windowLossSum'),
    windowCount: integer(o.windowCount, 'history.windowCount', 0, done),
    epochSeconds: seconds(o.epochSeconds, 'history.epochSeconds'),
    totalSeconds: seconds(o.totalSeconds, 'history.totalSeconds'),
  };
}

/**
 * Checks a checkpoint's metadata (the parsed JSON) field by field and returns it typed, or throws
 * a `CheckpointFieldError` naming the first field that is wrong.
 *
 * @example
 * checkCheckpointState(JSON.parse(metadata['tsgrad.checkpoint'])).epoch; // e.g. 1
 * checkCheckpointState({ ...state, step: -5 }); // throws: field "step": expected an integer in [0, 15] ...
 */
export function checkCheckpointState(v: unknown): CheckpointState {
  const o = record(v, '(metadata)');
  if (o.version !== 1) expected('version', '1 (the only checkpoint version)', o.version);
  const id = identity(o.identity);
  const run = o.run === undefined ? undefined : plan(o.run);
  const epoch = integer(o.epoch, 'epoch', 0, run?.epochs ?? Number.MAX_SAFE_INTEGER, run ? ` (the run's ${run.epochs} epochs)` : '');
  const lastStep = run !== undefined && epoch === run.epochs ? 0 : id.stepsPerEpoch - 1;
  const step = integer(o.step, 'step', 0, lastStep, lastStep === 0 ? ' (the run is finished)' : ` (below the ${id.stepsPerEpoch} steps of an epoch)`);
  const rng = record(o.rng, 'rng');
  const optimizer = record(o.optimizer, 'optimizer');
  const paramGroups = list(optimizer.paramGroups, 'optimizer.paramGroups', (x, f) => record(x, f));
  if (paramGroups.length !== 1) expected('optimizer.paramGroups', 'one parameter group', `${paramGroups.length}`);
  if (paramGroups[0]?.lr !== id.lr) expected('optimizer.paramGroups[0].lr', `the run's lr ${id.lr}`, paramGroups[0]?.lr);
  const scalarsIn = record(optimizer.scalars, 'optimizer.scalars');
  const scalars: Record<string, Record<string, number>> = {};
  for (const [index, entry] of Object.entries(scalarsIn)) {
    scalars[index] = Object.fromEntries(Object.entries(record(entry, `optimizer.scalars.${index}`)).map(([k, x]) => [k, number(x, `optimizer.scalars.${index}.${k}`)]));
  }
  return {
    version: 1,
    identity: id,
    ...(run ? { run } : {}),
    epoch,
    step,
    rng: { default: generatorState(rng.default, 'rng.default'), loaderEpochStart: generatorState(rng.loaderEpochStart, 'rng.loaderEpochStart') },
    history: history(o.history, epoch, epoch * id.stepsPerEpoch + step),
    optimizer: { paramGroups, scalars },
  };
}

/** The per-parameter state each optimizer keeps, and which of it is a tensor of the parameter's shape. */
const OPTIMIZER_STATE: Record<RunIdentity['optimizer'], { tensors: readonly string[]; counter: string | null }> = {
  adam: { tensors: ['expAvg', 'expAvgSq'], counter: 'step' },
  sgd: { tensors: ['momentumBuffer'], counter: null }, // the CLI's SGD has no momentum: no state at all
};

function checkTensor(t: NDArray | number | undefined, field: string, shape: readonly number[]): void {
  if (t === undefined || typeof t === 'number') expected(field, `a float32 tensor of shape [${shape.join(', ')}]`, t);
  if (t.dtype !== 'float32') expected(field, 'a float32 tensor', t.dtype);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    expected(field, `shape [${shape.join(', ')}] (the network in "identity.net")`, `[${t.shape.join(', ')}]`);
  }
}

/**
 * Checks a checkpoint's tensors against its metadata: the model has exactly the network's
 * parameters, float32 and of the right shapes; the optimizer has, for every parameter, the
 * state its algorithm keeps, with a step counter equal to the steps the checkpoint says are done.
 *
 * @example
 * checkCheckpointTensors(model, optimizerState, state); // throws: field "optimizer.2.expAvg": expected ...
 */
export function checkCheckpointTensors(
  model: Record<string, NDArray>,
  optimizerState: Record<number, Record<string, NDArray | number>>,
  state: CheckpointState,
): void {
  const shapes = parameterShapes(state.identity.net);
  const keys = Object.keys(shapes);
  for (const key of Object.keys(model)) if (!(key in shapes)) expected(`model.${key}`, `only the network's parameters (${keys.join(', ')})`, 'an extra tensor');
  for (const key of keys) checkTensor(model[key], `model.${key}`, shapes[key] ?? []);

  const done = state.epoch * state.identity.stepsPerEpoch + state.step;
  const { tensors, counter } = OPTIMIZER_STATE[state.identity.optimizer];
  for (const index of Object.keys(optimizerState)) {
    if (!/^\d+$/.test(index) || Number(index) >= keys.length) expected(`optimizer.${index}`, `state of parameters 0 to ${keys.length - 1} only`, 'another index');
  }
  keys.forEach((key, index) => {
    const entry = optimizerState[index];
    if (entry === undefined) {
      if (counter !== null && done > 0) expected(`optimizer.${index}`, `Adam's state for parameter ${index} (${key}) after ${done} steps`, undefined);
      return;
    }
    for (const name of Object.keys(entry)) {
      if (name !== counter && !tensors.includes(name)) expected(`optimizer.${index}.${name}`, `only ${[counter, ...tensors].filter((n) => n !== null).join(', ')}`, 'an extra entry');
    }
    if (counter !== null) {
      const t = entry[counter];
      if (t !== done) expected(`optimizer.${index}.${counter}`, `the steps done (epoch ${state.epoch} x ${state.identity.stepsPerEpoch} + step ${state.step} = ${done})`, typeof t === 'number' ? t : undefined);
      for (const name of tensors) checkTensor(entry[name], `optimizer.${index}.${name}`, shapes[key] ?? []);
    } else {
      for (const name of tensors) if (entry[name] !== undefined) checkTensor(entry[name], `optimizer.${index}.${name}`, shapes[key] ?? []);
    }
  });
}
