import type { CliOptions } from './args.js';
import { loadCheckpoint, type Checkpoint, type CheckpointState } from './checkpoint.js';
import { CONFIGS, describeNet, type NetConfig } from './network.js';

/** A flag whose value a checkpoint records: how to read it from the options and from the checkpoint. */
interface Recorded {
  flag: string;
  given: (o: CliOptions) => unknown;
  /** undefined: the checkpoint does not say (one written without the run's plan). */
  saved: (s: CheckpointState) => unknown;
}

const layer = (flag: string, get: (n: NetConfig) => number): Recorded => ({
  flag,
  given: (o) => get(o.train.net),
  saved: (s) => get(s.identity.net),
});

/**
 * The flags that must agree with the checkpoint when given beside `--resume`. Left out on purpose:
 * `--epochs` (a new total: continue a finished run for more epochs), `--data` (the same files may
 * have moved), `--save` and `--save-every` (where and how often to write, not what is trained).
 */
const RECORDED: readonly Recorded[] = [
  { flag: 'config', given: (o) => o.configName, saved: (s) => s.run?.source.configName },
  layer('conv1-channels', (n) => n.conv1.outChannels),
  layer('conv1-kernel', (n) => n.conv1.kernel),
  layer('conv1-stride', (n) => n.conv1.stride),
  layer('conv1-padding', (n) => n.conv1.padding),
  layer('conv2-channels', (n) => n.conv2.outChannels),
  layer('conv2-kernel', (n) => n.conv2.kernel),
  layer('conv2-stride', (n) => n.conv2.stride),
  layer('conv2-padding', (n) => n.conv2.padding),
  layer('pool1-kernel', (n) => n.pool1.kernel),
  layer('pool1-stride', (n) => n.pool1.stride),
  layer('pool2-kernel', (n) => n.pool2.kernel),
  layer('pool2-stride', (n) => n.pool2.stride),
  { flag: 'batch-size', given: (o) => o.train.batchSize, saved: (s) => s.identity.batchSize },
  { flag: 'lr', given: (o) => o.train.lr, saved: (s) => s.identity.lr },
  { flag: 'optimizer', given: (o) => o.train.optimizer, saved: (s) => s.identity.optimizer },
  { flag: 'seed', given: (o) => o.train.seed, saved: (s) => s.identity.seed },
  { flag: 'steps', given: (o) => o.train.steps, saved: (s) => (s.run ? (s.run.steps ?? 'none') : undefined) },
  { flag: 'train-subset', given: (o) => o.trainSubset, saved: (s) => (s.run ? (s.run.source.trainSubset ?? 'none') : undefined) },
  { flag: 'test-subset', given: (o) => o.testSubset, saved: (s) => (s.run ? (s.run.source.testSubset ?? 'none') : undefined) },
];

/** The name of a built-in configuration with this network, else 'custom'. */
function configNameOf(net: NetConfig): string {
  return Object.entries(CONFIGS).find(([, c]) => describeNet(c) === describeNet(net))?.[0] ?? 'custom';
}

/**
 * `--resume FILE`: loads and checks the checkpoint, then returns the options of the run it holds.
 * Its network and training settings come from the checkpoint; so do the epochs, `--steps`, the data
 * and the subsets when the checkpoint records them (every checkpoint the CLI writes does). A flag
 * given beside `--resume` must agree with the checkpoint, or this throws naming each that does not;
 * `--epochs`, `--data`, `--save` and `--save-every` may change.
 *
 * @example
 * const { options, checkpoint } = await resumeOptions(parsed.options); // parsed from ['--resume', 'run.safetensors']
 * options.train.lr; // the checkpoint's lr
 */
export async function resumeOptions(options: CliOptions): Promise<{ options: CliOptions; checkpoint: Checkpoint }> {
  const file = options.resume;
  if (file === undefined) throw new Error('resumeOptions: no --resume file');
  let checkpoint: Checkpoint;
  try {
    checkpoint = await loadCheckpoint(file);
  } catch (e) {
    throw new Error(`--resume ${e instanceof Error ? e.message : String(e)}`); // the message starts with the file
  }
  const state = checkpoint.state;
  const disagree: string[] = [];
  for (const r of RECORDED) {
    const saved = r.saved(state);
    if (!options.given.includes(r.flag) || saved === undefined) continue;
    const given = r.given(options);
    if (given !== saved) disagree.push(`--${r.flag} ${String(given)} (the checkpoint's: ${String(saved)})`);
  }
  if (disagree.length > 0) {
    throw new Error(
      `--resume ${file}: ${disagree.join(', ')}. Leave ${disagree.length === 1 ? 'this flag' : 'these flags'} out to continue ` +
        'the checkpoint\'s run, or start a new run without --resume.',
    );
  }
  const { identity, run } = state;
  const explicit = (flag: string): boolean => options.given.includes(flag);
  if (explicit('epochs') && options.train.epochs < state.epoch) {
    throw new Error(`--resume ${file}: the checkpoint has ${state.epoch} epochs done, more than the ${options.train.epochs} asked for`);
  }
  return {
    checkpoint,
    options: {
      ...options,
      configName: run?.source.configName ?? configNameOf(identity.net),
      train: {
        net: identity.net,
        epochs: explicit('epochs') || !run ? options.train.epochs : run.epochs,
        batchSize: identity.batchSize,
        lr: identity.lr,
        optimizer: identity.optimizer,
        seed: identity.seed,
        steps: run ? (run.steps ?? undefined) : options.train.steps,
      },
      data: explicit('data') || !run ? options.data : (run.source.data ?? undefined),
      trainSubset: run ? (run.source.trainSubset ?? undefined) : options.trainSubset,
      testSubset: run ? (run.source.testSubset ?? undefined) : options.testSubset,
    },
  };
}
