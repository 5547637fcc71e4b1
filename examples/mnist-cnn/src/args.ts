import { parseArgs } from 'node:util';
import { CONFIGS, layerShapes, type NetConfig } from './network.js';
import { DEFAULTS, type TrainConfig } from './train.js';

/** Everything the CLI was asked to do. */
export interface CliOptions {
  configName: string;
  train: TrainConfig;
  backend: BackendName;
  /** undefined: the embedded MNIST; else a folder with the four IDX files, or a URL to download from. */
  data?: string;
  trainSubset?: number;
  testSubset?: number;
  save?: string;
  saveEvery?: number;
  resume?: string;
  svg?: string;
  /** The flags given on the command line (without `--`), e.g. `['lr', 'resume']`: `--resume` checks them against the checkpoint. */
  given: readonly string[];
}

/** A CLI parse: run with options, or print the usage. */
export type Parsed = { kind: 'help' } | { kind: 'run'; options: CliOptions };

/** The backends `--backend` accepts; `gpu` is short for `gpu:webasm`. */
export const BACKENDS = ['cpu', 'gpu', 'gpu:webasm', 'gpu:cpu', 'gpu:webgpu', 'gpu:headlessgl', 'gpu:auto'] as const;

/** A backend the CLI trains on: tsgrad's CPU backend or a gpu.js mode of `@tsgrad/gpu`. */
export type BackendName = 'cpu' | 'gpu:webasm' | 'gpu:cpu' | 'gpu:webgpu' | 'gpu:headlessgl' | 'gpu:auto';

// gpu.js modes that @tsgrad/gpu does not run yet, with the reason the CLI gives.
const MISSING_GPU_MODES: Readonly<Record<string, string>> = {
  webgl2: 'a browser mode: WebGL2 runs in a page, not under Node (docs/guides/gpu.md)',
  webgl: 'a browser mode: WebGL runs in a page, not under Node (docs/guides/gpu.md)',
};

/**
 * The backend a `--backend` value names, or an error naming the value and the choices.
 *
 * @example
 * backendName('gpu'); // 'gpu:webasm'
 * backendName('gpu:webgl2'); // throws: --backend: gpu:webgl2 is not available yet (...)
 */
export function backendName(value: string): BackendName {
  if (value === 'cpu' || value === 'gpu:webasm' || value === 'gpu:cpu' || value === 'gpu:webgpu' || value === 'gpu:headlessgl' || value === 'gpu:auto') return value;
  if (value === 'gpu') return 'gpu:webasm';
  const mode = value.startsWith('gpu:') ? value.slice(4) : undefined;
  const why = mode === undefined ? undefined : MISSING_GPU_MODES[mode];
  if (why) throw new Error(`--backend: ${value} is not available yet (${why}); choose ${BACKENDS.join(', ')}`);
  throw new Error(`--backend: unknown backend "${value}" (choose ${BACKENDS.join(', ')})`);
}

/** What `--help` prints. */
export const USAGE = `Usage: npm run mnist -- [options]

Trains the study's CNN (conv1 -> ReLU -> pool1 -> conv2 -> ReLU -> pool2 -> linear) on MNIST
and prints the study's lines: the loss every 100 steps, each epoch's fit time, test accuracy.

Network:
  --config <name>          table3 (default: 64 features reach the linear layer) or table1 (2 features)
  --conv1-channels <n>     override one layer parameter of the chosen config; likewise
  --conv1-kernel <n>       --conv1-stride, --conv1-padding, --conv2-channels, --conv2-kernel,
                           --conv2-stride, --conv2-padding, --pool1-kernel, --pool1-stride,
                           --pool2-kernel, --pool2-stride
Training:
  --epochs <n>             epochs (default ${DEFAULTS.epochs})
  --batch-size <n>         samples per step (default ${DEFAULTS.batchSize})
  --lr <x>                 learning rate (default ${DEFAULTS.lr})
  --optimizer <name>       adam (default) or sgd
  --seed <n>               seed of weights and shuffling (default ${DEFAULTS.seed})
  --steps <n>              stop each epoch after n steps (smoke tests)
  --train-subset <n>       train on the first n training images
  --test-subset <n>        test on the first n test images
  --backend <name>         cpu (default: tsgrad's CPU kernels), or gpu:webasm / gpu:cpu (gpu.js
                           kernels in WebAssembly / JavaScript, @tsgrad/gpu); gpu = gpu:webasm;
                           gpu:webgpu runs them on a WebGPU adapter (Node: the webgpu package);
                           gpu:headlessgl on WebGL 1 through the native gl package (opt-in build);
                           gpu:auto keeps cpu unless a gpu mode measures faster, and says why
Data:
  --data <dir|url>         MNIST IDX files from a folder or a URL (default: the embedded copy)
Files:
  --save <file>            write a checkpoint after every epoch (safetensors, written atomically)
  --save-every <n>         ... and every n steps
  --resume <file>          continue the run saved in a checkpoint, with its settings (network,
                           training flags, data, subsets); flags given with it must agree,
                           except --epochs (a new total), --data, --save, --save-every.
                           Keeps saving to the file unless --save is given
  --svg <file>             write the network diagram as SVG and exit (no training)
  --help                   print this help
`;

const INT_FLAGS = [
  'epochs',
  'batch-size',
  'seed',
  'steps',
  'train-subset',
  'test-subset',
  'save-every',
  'conv1-channels',
  'conv1-kernel',
  'conv1-stride',
  'conv1-padding',
  'conv2-channels',
  'conv2-kernel',
  'conv2-stride',
  'conv2-padding',
  'pool1-kernel',
  'pool1-stride',
  'pool2-kernel',
  'pool2-stride',
] as const;

const STRING_FLAGS = ['config', 'lr', 'optimizer', 'backend', 'data', 'save', 'resume', 'svg'] as const;

type IntFlag = (typeof INT_FLAGS)[number];

/**
 * Parses the CLI's arguments (`process.argv.slice(2)`), or throws an error naming the flag and
 * the value that is wrong.
 *
 * @example
 * const p = parseCli(['--config', 'table1', '--epochs', '10']);
 * p.kind === 'run' && p.options.train.epochs; // 10
 * parseCli(['--epochs', 'two']); // throws: --epochs: expected a positive integer, got "two"
 */
export function parseCli(argv: readonly string[]): Parsed {
  const options: Record<string, { type: 'string' } | { type: 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const f of [...INT_FLAGS, ...STRING_FLAGS]) options[f] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(argv), options, strict: true, allowPositionals: false }));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`${message.replace(/\. To specify a positional argument.*$/s, '')} (see --help)`);
  }
  if (values.help === true) return { kind: 'help' };
  const str = (f: string): string | undefined => {
    const v = values[f];
    return typeof v === 'string' ? v : undefined;
  };
  const int = (f: IntFlag, min: number): number | undefined => {
    const v = str(f);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min) {
      throw new Error(`--${f}: expected ${min === 0 ? 'a non-negative' : 'a positive'} integer, got "${v}"`);
    }
    return Number(v);
  };

  const configName = str('config') ?? 'table3';
  const base = CONFIGS[configName];
  if (!base) throw new Error(`--config: unknown configuration "${configName}" (choose ${Object.keys(CONFIGS).join(' or ')})`);
  const net: NetConfig = {
    conv1: {
      outChannels: int('conv1-channels', 1) ?? base.conv1.outChannels,
      kernel: int('conv1-kernel', 1) ?? base.conv1.kernel,
      stride: int('conv1-stride', 1) ?? base.conv1.stride,
      padding: int('conv1-padding', 0) ?? base.conv1.padding,
    },
    pool1: { kernel: int('pool1-kernel', 1) ?? base.pool1.kernel, stride: int('pool1-stride', 1) ?? base.pool1.stride },
    conv2: {
      outChannels: int('conv2-channels', 1) ?? base.conv2.outChannels,
      kernel: int('conv2-kernel', 1) ?? base.conv2.kernel,
      stride: int('conv2-stride', 1) ?? base.conv2.stride,
      padding: int('conv2-padding', 0) ?? base.conv2.padding,
    },
    pool2: { kernel: int('pool2-kernel', 1) ?? base.pool2.kernel, stride: int('pool2-stride', 1) ?? base.pool2.stride },
  };
  layerShapes(net); // throws, naming the layer, when a layer's output would be empty

  const lrText = str('lr');
  const lr = lrText === undefined ? DEFAULTS.lr : Number(lrText);
  if (!Number.isFinite(lr) || lr <= 0 || lrText?.trim() === '') {
    throw new Error(`--lr: expected a positive number, got "${lrText}"`);
  }
  const optimizer = str('optimizer') ?? DEFAULTS.optimizer;
  if (optimizer !== 'adam' && optimizer !== 'sgd') {
    throw new Error(`--optimizer: unknown optimizer "${optimizer}" (choose adam or sgd)`);
  }
  const backend = backendName(str('backend') ?? 'cpu');
  const save = str('save');
  const resume = str('resume');
  const saveEvery = int('save-every', 1);
  if (saveEvery !== undefined && save === undefined && resume === undefined) {
    throw new Error('--save-every: needs --save <file> (or --resume <file>) to know where to write');
  }
  return {
    kind: 'run',
    options: {
      given: Object.keys(values).filter((f) => values[f] !== undefined),
      configName,
      train: {
        net,
        epochs: int('epochs', 1) ?? DEFAULTS.epochs,
        batchSize: int('batch-size', 1) ?? DEFAULTS.batchSize,
        lr,
        optimizer,
        seed: int('seed', 0) ?? DEFAULTS.seed,
        steps: int('steps', 1),
      },
      backend,
      data: str('data'),
      trainSubset: int('train-subset', 1),
      testSubset: int('test-subset', 1),
      save,
      saveEvery,
      resume,
      svg: str('svg'),
    },
  };
}

/**
 * Writes `--flag -1` as `--flag=-1`, so that a negative number reaches our range check (Node's
 * parser would take `-1` for an option and call the argument ambiguous).
 *
 * @example
 * joinNegativeValues(['--epochs', '-1']); // ['--epochs=-1']
 */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const next = argv[i + 1];
    if (/^--[a-z0-9-]+$/.test(a) && a !== '--help' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
