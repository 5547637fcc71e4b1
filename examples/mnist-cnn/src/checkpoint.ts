import { accessSync, constants, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cpuBackend, type NDArray } from '@tsgrad/ndarray';
import { load, save } from '@tsgrad/nn';
import { checkCheckpointState, checkCheckpointTensors } from './checkpoint-schema.js';
import type { NetConfig } from './network.js';

/** The settings a checkpoint must share with the run that resumes it. */
export interface RunIdentity {
  net: NetConfig;
  batchSize: number;
  lr: number;
  optimizer: 'adam' | 'sgd';
  seed: number;
  trainLength: number;
  stepsPerEpoch: number;
}

/** The curves a run measures: what the CLI prints, the study records and a checkpoint carries. */
export interface TrainingCurves {
  /** Training seconds of each epoch, the test evaluation left out. */
  epochTimes: number[];
  /** Mean training loss of each epoch. */
  epochLosses: number[];
  /** Test accuracy after each epoch (with `evalEveryEpoch`; else only the last). */
  epochAccuracies: number[];
  /** Mean training loss over each window of `logEvery` steps; `step` counts from the start of training. */
  lossLog: { step: number; loss: number }[];
  /** The batch loss at every `logEvery`-th step: what the study's script prints. */
  printedLosses: { epoch: number; step: number; loss: number }[];
}

/** Everything a run has measured so far, carried across a resume so the final report is whole. */
export interface RunHistory extends TrainingCurves {
  /** Partial sums of the current epoch and window, so a mid-epoch resume continues them. */
  epochLossSum: number;
  windowLossSum: number;
  windowCount: number;
  /** Seconds spent in the current epoch before the checkpoint (0 at an epoch boundary). */
  epochSeconds: number;
  /** Seconds spent training and evaluating before the checkpoint, over all sessions. */
  totalSeconds: number;
}

/** Where the run's data came from and what its network was called: what the CLI was given. */
export interface RunSource {
  configName: string;
  /** The `--data` folder or URL; null: the embedded MNIST. */
  data: string | null;
  trainSubset: number | null;
  testSubset: number | null;
}

/** The run as it was asked for, so that `--resume FILE` alone can continue it. */
export interface RunPlan {
  epochs: number;
  /** The cap on steps per epoch (`--steps`); null: whole epochs. */
  steps: number | null;
  source: RunSource;
}

/** Where a run stands: `step` batches of epoch `epoch` (0-based) are done. */
export interface CheckpointState {
  version: 1;
  identity: RunIdentity;
  /** The run's plan (absent in checkpoints of library callers that give no `source`). */
  run?: RunPlan;
  epoch: number;
  step: number;
  rng: {
    /** The default generator (weight init, dropout) at the checkpoint. */
    default: number[];
    /** The loader's generator at the start of epoch `epoch`, before it drew that epoch's order. */
    loaderEpochStart: number[];
  };
  history: RunHistory;
  /** The optimizer's non-tensor state: its param groups and the numbers in its per-parameter state. */
  optimizer: { paramGroups: unknown; scalars: Record<string, Record<string, number>> };
}

/** The optimizer's state dict, as `@tsgrad/optim`'s `stateDict()` returns it. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, NDArray | number>>;
  paramGroups: unknown;
}

/**
 * A loaded checkpoint. The optimizer's per-parameter state comes back on its own: its param
 * groups are the run's settings, which a resumed run must share (see `identityMismatch`), so the
 * resuming optimizer keeps its own groups and the saved ones are kept only for the record.
 */
export interface Checkpoint {
  model: Record<string, NDArray>;
  optimizerState: Record<number, Record<string, NDArray | number>>;
  state: CheckpointState;
}

const META_KEY = 'tsgrad.checkpoint';

/**
 * Writes a checkpoint as one safetensors file: the model's tensors under `model.<key>`, the
 * optimizer's tensors under `optimizer.<param>.<key>`, and the rest (position, RNG states,
 * history, optimizer numbers) as JSON in the file's metadata. Written to a temporary name and
 * renamed, so a run killed while saving leaves the previous checkpoint intact.
 *
 * @example
 * await saveCheckpoint('run.safetensors', model.stateDict(), opt.stateDict(), state);
 */
export async function saveCheckpoint(
  path: string,
  model: Record<string, NDArray>,
  optimizer: OptimizerStateDict,
  state: Omit<CheckpointState, 'optimizer'>,
): Promise<void> {
  const tensors: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries(model)) tensors[`model.${k}`] = v;
  const scalars: Record<string, Record<string, number>> = {};
  for (const [index, entry] of Object.entries(optimizer.state)) {
    for (const [k, v] of Object.entries(entry)) {
      if (typeof v === 'number') (scalars[index] ??= {})[k] = v;
      else tensors[`optimizer.${index}.${k}`] = v;
    }
  }
  // a device without synchronous reads (webgpu) hands its values over asynchronously
  for (const [k, v] of Object.entries(tensors)) if (!v.backend.capabilities.syncRead) tensors[k] = await v.toAsync(cpuBackend);
  const full: CheckpointState = { ...state, optimizer: { paramGroups: optimizer.paramGroups, scalars } };
  save(tensors, path, { [META_KEY]: JSON.stringify(full) }); // atomic: a temporary file, then a rename
}

/** Names a temporary file of an unfinished save of `path`: `<path>.tmp-<pid>...`, and its writer's pid. */
function tempOf(path: string, name: string): number | null {
  const m = /^\.tmp-(\d+)(?:-[a-z0-9]+)?$/.exec(name.slice(basename(path).length));
  return name.startsWith(basename(path)) && m ? Number(m[1]) : null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return e instanceof Error && 'code' in e && e.code === 'EPERM'; // exists, but is someone else's
  }
}

/**
 * Checks, before any training, that checkpoints can be written to `path` (its folder exists and
 * is writable; `path` is not a folder), and removes the temporary files that saves to `path`
 * killed mid-write left behind (those whose writing process is gone). Returns the removed files.
 *
 * @example
 * prepareCheckpointPath('runs/missing/run.safetensors'); // throws: ... the folder runs/missing does not exist
 */
export function prepareCheckpointPath(path: string, flag = '--save'): string[] {
  const dir = dirname(path);
  const fail = (why: string): never => {
    throw new Error(`${flag} ${path}: ${why}`);
  };
  const stat = (p: string): ReturnType<typeof statSync> | undefined => statSync(p, { throwIfNoEntry: false });
  const folder = stat(dir);
  if (!folder) fail(`the folder ${dir} does not exist (create it first)`);
  else if (!folder.isDirectory()) fail(`${dir} is not a folder`);
  if (stat(path)?.isDirectory()) fail('is a folder; give a file name, e.g. run.safetensors');
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    fail(`the folder ${dir} is not writable`);
  }
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const pid = tempOf(path, name);
    if (pid !== null && pid !== process.pid && !processAlive(pid)) {
      rmSync(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}

/**
 * Reads a checkpoint written by `saveCheckpoint`, or throws an error naming the file and what is
 * wrong with it.
 *
 * @example
 * const { model, optimizerState, state } = await loadCheckpoint('run.safetensors');
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  const kind = statSync(path, { throwIfNoEntry: false });
  if (!kind) throw new Error(`${path}: no such file`);
  if (kind.isDirectory()) throw new Error(`${path}: is a folder, not a checkpoint file`);
  const { tensors, metadata } = load(path); // a malformed file throws a SafetensorsError naming the path
  const json = metadata?.[META_KEY];
  if (typeof json !== 'string') {
    throw new Error(`${path}: not a tsgrad training checkpoint (no "${META_KEY}" entry in its safetensors metadata)`);
  }
  let parsed: CheckpointState;
  try {
    parsed = checkCheckpointState(JSON.parse(json));
  } catch (e) {
    const why = e instanceof SyntaxError ? `its "${META_KEY}" metadata is not JSON (${e.message})` : e instanceof Error ? e.message : String(e);
    throw new Error(`${path}: damaged checkpoint: ${why}`);
  }
  const model: Record<string, NDArray> = {};
  const state: Record<number, Record<string, NDArray | number>> = {};
  for (const [key, value] of Object.entries(tensors)) {
    const parts = key.split('.');
    if (parts[0] === 'model') model[parts.slice(1).join('.')] = value;
    else if (parts[0] === 'optimizer' && parts.length >= 3) {
      (state[Number(parts[1])] ??= {})[parts.slice(2).join('.')] = value;
    } else throw new Error(`${path}: unexpected tensor "${key}" in checkpoint`);
  }
  for (const [index, entry] of Object.entries(parsed.optimizer.scalars)) {
    Object.assign((state[Number(index)] ??= {}), entry);
  }
  try {
    checkCheckpointTensors(model, state, parsed);
  } catch (e) {
    throw new Error(`${path}: damaged checkpoint: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { model, optimizerState: state, state: parsed };
}

const IDENTITY_KEYS: readonly (keyof RunIdentity)[] = ['net', 'batchSize', 'lr', 'optimizer', 'seed', 'trainLength', 'stepsPerEpoch'];

/**
 * Explains how two runs' settings differ, or returns null when a checkpoint fits the run.
 *
 * @example
 * identityMismatch(a, { ...a, lr: 0.01 }); // 'lr: checkpoint 0.001, this run 0.01'
 */
export function identityMismatch(saved: RunIdentity, now: RunIdentity): string | null {
  const diffs: string[] = [];
  for (const key of IDENTITY_KEYS) {
    const a = JSON.stringify(saved[key]);
    const b = JSON.stringify(now[key]);
    if (a !== b) diffs.push(`${key}: checkpoint ${a}, this run ${b}`);
  }
  return diffs.length > 0 ? diffs.join('; ') : null;
}
