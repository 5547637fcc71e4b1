import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuBackend, getCpuThreads, setCpuThreads, wasmFeatures, type NDArray } from '@tsgrad/ndarray';
import { parseCli, type CliOptions } from './args.js';
import { backendDescription, createBackend, runCli, trainingOn } from './run.js';
import type { TrainResult } from './train.js';

const optionsOf = (argv: string[]): CliOptions => {
  const parsed = parseCli(argv);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  return parsed.options;
};

/** Runs the CLI's work as `npm run mnist -- ...argv` would, collecting what it prints. */
async function cli(argv: string[]): Promise<{ text: string; result: TrainResult | null }> {
  let text = '';
  const result = await runCli(optionsOf(argv), { write: (s: string) => (text += s), isTTY: false });
  return { text, result };
}

describe('backendDescription', () => {
  it('names the CPU backend\'s threads and kernels, and other backends by name', async () => {
    const threads = getCpuThreads();
    try {
      setCpuThreads(1);
      const kernels = wasmFeatures().relaxedSimd ? 'WebAssembly SIMD with fused multiply-add' : 'WebAssembly SIMD';
      expect(backendDescription(cpuBackend)).toBe(`cpu (1 thread, ${kernels})`);
      setCpuThreads(3);
      expect(backendDescription(cpuBackend)).toBe(`cpu (3 threads, ${kernels})`);
    } finally {
      setCpuThreads(threads);
    }
    expect(backendDescription((await createBackend('gpu:cpu')).backend)).toBe('gpu:cpu');
  });
});

// The CI smoke test of the main job: the CLI's own path (flags, data, summary, training, the
// study's lines) on 2000 training images, batch 16: 2 epochs of 125 steps.
describe('npm run mnist (smoke)', () => {
  it('trains the Table 3 network: the loss falls, accuracy beats chance, the lines read as the study\'s', async () => {
    const { text, result } = await cli(['--train-subset', '2000', '--test-subset', '1000', '--batch-size', '16']);
    if (!result) throw new Error('expected a run');

    expect(result.epochLosses).toHaveLength(2);
    expect(result.epochLosses[1]).toBeLessThan(0.8 * (result.epochLosses[0] ?? 0));
    const windows = result.lossLog.map((p) => p.loss); // mean loss of steps 1-100 and 101-200 (of 250)
    expect(windows).toHaveLength(2);
    expect(windows[1]).toBeLessThan(windows[0] ?? 0);
    expect(result.accuracy).toBeGreaterThan(50); // chance is 10 %

    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Loading MNIST dataset...');
    expect(lines[1]).toBe('Network (table3): conv1 32@k5s1p1, pool1 k2s2, conv2 64@k5s3p1, pool2 k4s4');
    expect(text).toContain('Total params: 52,746');
    expect(text).toContain('Training on 2000 images, testing on 1000: 2 epochs, batch size 16, Adam lr 0.001, seed 0, backend cpu');
    const study = lines.filter((l) => /^(Epoch \[|CNN |Accuracy )/.test(l));
    const patterns = [
      /^Epoch \[1\/2\], Step \[100\/125\], Loss: \d+\.\d{4}$/,
      /^CNN epoch fit time: \d+\.\d{3} seconds$/,
      /^Epoch \[2\/2\], Step \[100\/125\], Loss: \d+\.\d{4}$/,
      /^CNN epoch fit time: \d+\.\d{3} seconds$/,
      /^Accuracy of the model on the test images: \d+\.\d{2} %$/,
      /^CNN total time: \d+\.\d{3} seconds$/,
      /^CNN median epoch time: \d+\.\d{3} seconds$/,
    ];
    expect(study).toHaveLength(patterns.length);
    study.forEach((line, i) => expect(line).toMatch(patterns[i] ?? /^$/));
    expect(study[4]).toBe(`Accuracy of the model on the test images: ${result.accuracy.toFixed(2)} %`);
    expect(text).not.toContain('\r'); // no progress bar when the output is no terminal
  }, 180_000); // 250 steps of the full network: about 20 s of CPU, much longer on a shared machine

  it('writes the network diagram with every layer and its shape', async () => {
    const { networkSvg } = await import('./diagram.js');
    const { buildModel, TABLE3 } = await import('./network.js');
    const svg = networkSvg(TABLE3, buildModel(TABLE3).stateDict());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const s of ['input: MNIST image', 'output 1 × 28 × 28', 'conv1: Conv2d(1, 32, kernel_size=5, stride=1, padding=1)', 'output 32 × 26 × 26 · 832 parameters', 'pool2: MaxPool2d(kernel_size=4, stride=4)', 'output 64 × 1 × 1', 'fc: Linear(in_features=64, out_features=10)', 'Total parameters: 52,746']) {
      expect(svg).toContain(s);
    }
    expect(svg.match(/<rect [^>]*rx="6"/g)).toHaveLength(9); // input + 8 layers
  });
});

describe('npm run mnist, as a person uses it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A tiny run: the Table 1 network, 4 steps of 32 images an epoch.
  const tiny = ['--config', 'table1', '--lr', '0.003', '--batch-size', '32', '--seed', '5', '--train-subset', '256', '--test-subset', '50', '--steps', '4'];
  const weights = (r: TrainResult | null): Record<string, number[]> =>
    Object.fromEntries(Object.entries(r?.model.stateDict() ?? {}).map(([k, v]: [string, NDArray]) => [k, Array.from(v.toTypedArray())]));

  it('--svg writes the diagram and exits: no data loaded, nothing trained', async () => {
    const svg = join(dir, 'net.svg');
    const { text, result } = await cli(['--svg', svg]);
    expect(result).toBeNull();
    expect(text).toBe(`Wrote the network diagram to ${svg}\n`);
    expect(readFileSync(svg, 'utf8')).toContain('Total parameters: 52,746');
  });

  it('says "1 epoch" and how many images --steps trains on', async () => {
    const { text } = await cli([...tiny, '--epochs', '1']);
    expect(text).toContain('Training on 128 images an epoch (4 shuffled batches of 32 from 256), testing on 50: 1 epoch, batch size 32');
    expect(trainingOn(60000, 64, undefined)).toBe('Training on 60000 images');
    expect(trainingOn(100, 64, 5)).toBe('Training on 100 images');
    expect(trainingOn(60000, 64, 1)).toBe('Training on 64 images an epoch (1 shuffled batch of 64 from 60000)');
  });

  it('--resume FILE alone continues the run with the checkpoint\'s settings and ends as a straight run', async () => {
    const path = join(dir, 'run.safetensors');
    const straight = await cli([...tiny, '--epochs', '2']);
    await cli([...tiny, '--epochs', '1', '--save', path]);
    const resumed = await cli(['--resume', path, '--epochs', '2']);
    expect(resumed.text).toContain(`Resuming from ${path} at epoch 2, step 0`);
    expect(resumed.text).toContain('Network (table1): conv1 4@k3s1p0');
    expect(resumed.text).toContain('Training on 128 images an epoch (4 shuffled batches of 32 from 256), testing on 50: 2 epochs, batch size 32, Adam lr 0.003, seed 5');
    expect(weights(resumed.result)).toEqual(weights(straight.result));
    expect(resumed.result?.accuracy).toBe(straight.result?.accuracy);
  });

  it('--resume is checked before anything else: a missing file, disagreeing flags', async () => {
    const missing = join(dir, 'nope.safetensors');
    let text = '';
    const out = { write: (s: string) => (text += s) };
    await expect(runCli(optionsOf(['--resume', missing]), out)).rejects.toThrow(`--resume ${missing}: no such file`);
    const path = join(dir, 'run.safetensors'); // written by the test above
    await expect(runCli(optionsOf(['--resume', path, '--lr', '0.01', '--batch-size', '32', '--config', 'table3']), out)).rejects.toThrow(
      `--resume ${path}: --config table3 (the checkpoint's: table1), --lr 0.01 (the checkpoint's: 0.003). Leave these flags out`,
    );
    await expect(runCli(optionsOf(['--resume', path, '--epochs', '1']), out)).rejects.toThrow(
      `--resume ${path}: the checkpoint has 2 epochs done, more than the 1 asked for`,
    );
    expect(text).toBe(''); // nothing loaded, nothing printed: --resume failed first
    expect(existsSync(missing)).toBe(false);
  });

  it('--save into a missing folder fails before loading data or training', async () => {
    const path = join(dir, 'no-such-folder', 'run.safetensors');
    let text = '';
    await expect(runCli(optionsOf([...tiny, '--save', path]), { write: (s: string) => (text += s) })).rejects.toThrow(
      `--save ${path}: the folder ${join(dir, 'no-such-folder')} does not exist (create it first)`,
    );
    expect(text).toBe('');
  });
});

// headlessgl is opt-in (scripts/gpu-headlessgl.sh builds the native gl package): CI has none, so
// there the CLI must say what is missing; where it is built (and a display answers) it trains.
describe('--backend gpu:headlessgl', () => {
  it('runs on the native gl package where it opens a context, and otherwise names what is missing', async () => {
    const { gpuModeAvailable } = await import('@tsgrad/gpu');
    const gl = await gpuModeAvailable('headlessgl');
    if (gl.available) expect((await createBackend('gpu:headlessgl')).backend.name).toBe('gpu:headlessgl');
    else {
      await expect(createBackend('gpu:headlessgl')).rejects.toThrow(
        '--backend gpu:headlessgl: headlessgl needs the native gl package (opt-in, not installed by npm ci) and an X server: see docs/guides/gpu.md (scripts/gpu-headlessgl.sh)',
      );
    }
  });
});
