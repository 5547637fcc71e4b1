/**
 * The training loop on a backend without synchronous reads: the async step and evaluation give
 * the synchronous ones' numbers on a CPU backend that refuses sync reads (CountingBackend, every
 * machine), and the CLI trains with `--backend gpu:webgpu` where a WebGPU adapter answers
 * (llvmpipe in CI; skipped, with the reason printed, elsewhere), reaching the CPU backend's losses
 * and accuracy.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { array, cpuBackend } from '@tsgrad/ndarray';
import { CountingBackend } from '@tsgrad/ndarray/testing';
import { installNodeWebGPU } from '@tsgrad/gpu';
import { TABLE3 } from './network.js';
import { evaluate, setupTraining, trainStep, type ImageDataset } from './training-loop.js';
import { evaluateAsync, readsAsync, trainStepAsync } from './training-loop-async.js';
import { parseCli } from './args.js';
import { runCli } from './run.js';

/** 48 deterministic 28x28 "images" whose label is the brightest of 10 horizontal bands. */
function bands(n: number): ImageDataset {
  const samples = Array.from({ length: n }, (_, i) => {
    const label = (i * 7) % 10;
    const pixels = Array.from({ length: 28 * 28 }, (_, p) => (Math.floor(Math.floor(p / 28) / 2.8) === label ? 1 : ((p * 31 + i * 17) % 13) / 26));
    return [array(pixels, { shape: [1, 28, 28] }), label] as [ReturnType<typeof array>, number];
  });
  return { length: n, get: (i: number) => samples[i] };
}

const config = { net: TABLE3, batchSize: 16, lr: 1e-3, optimizer: 'adam' as const, seed: 0 };

describe('the training loop without synchronous reads', () => {
  it('trainStepAsync and evaluateAsync give trainStep\'s losses and evaluate\'s accuracy, reading only asynchronously', async () => {
    const data = bands(48);
    const sync = setupTraining(config, data);
    const counting = new CountingBackend(cpuBackend, 'async-only', { syncRead: false });
    const async = setupTraining(config, data, counting);
    expect(readsAsync(sync.model)).toBe(false);
    expect(readsAsync(async.model)).toBe(true);
    const [a, b] = [[] as number[], [] as number[]];
    const batches = [...sync.loader];
    for (const [x, y] of batches) a.push(trainStep(sync, x, y, 'sync'));
    for (const [x, y] of async.loader) b.push(await trainStepAsync(async, x, y, 'async'));
    expect(b).toEqual(a); // the same kernels (the CPU backend's) in the same order
    expect(await evaluateAsync(async.model, data)).toBe(evaluate(sync.model, data));
    expect(counting.counts.syncReads).toBe(0);
    expect(counting.counts.asyncReads).toBe(batches.length + 1); // a loss a step, one count per test batch (48 < 64)
  });
});

const webgpu = await installNodeWebGPU().catch((e: unknown) => {
  console.log(`webgpu: no adapter (${String(e)})`);
  return null;
});
if (webgpu === null) console.log('webgpu: no adapter answered; the CLI test on gpu:webgpu is skipped');

describe.skipIf(webgpu === null)('npm run mnist -- --backend gpu:webgpu', () => {
  it('trains eagerly on webgpu with the CPU backend\'s losses and accuracy, and saves a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-webgpu-cli-'));
    try {
      const run = async (backend: string, extra: string[] = []): Promise<{ text: string; losses: number[]; accuracy: number }> => {
        const parsed = parseCli(['--backend', backend, '--steps', '4', '--epochs', '1', '--batch-size', '16', '--train-subset', '64', '--test-subset', '100', ...extra]);
        if (parsed.kind !== 'run') throw new Error('expected a run');
        let text = '';
        const result = await runCli(parsed.options, { write: (s: string) => (text += s), isTTY: false });
        if (result === null) throw new Error('expected a run');
        return { text, losses: result.epochLosses, accuracy: result.accuracy };
      };
      const save = join(dir, 'run.safetensors');
      const gpu = await run('gpu:webgpu', ['--save', save]);
      const cpu = await run('cpu');
      console.log(`cli on gpu:webgpu: mean loss ${gpu.losses[0]}, accuracy ${gpu.accuracy} (cpu: ${cpu.losses[0]}, ${cpu.accuracy})`);
      expect(gpu.text).toContain('backend gpu:webgpu');
      expect(gpu.text).toMatch(/WebGPU adapter: /);
      expect(Math.abs((gpu.losses[0] ?? NaN) - (cpu.losses[0] ?? NaN))).toBeLessThanOrEqual(1e-5 * (cpu.losses[0] ?? NaN));
      expect(gpu.accuracy).toBe(cpu.accuracy);
      expect(existsSync(save)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
