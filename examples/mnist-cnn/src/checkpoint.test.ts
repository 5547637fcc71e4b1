import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NDArray } from '@tsgrad/ndarray';
import { save } from '@tsgrad/nn';
import { loadCheckpoint, prepareCheckpointPath } from './checkpoint.js';
import { loadMnist } from './data.js';
import { TABLE1 } from './network.js';
import { train, type ImageDataset, type TrainConfig, type TrainResult } from './train.js';

// The Table 1 network on 512 images, batch 32: 16 steps an epoch, fast enough to train four times.
const config: TrainConfig = { net: TABLE1, epochs: 2, batchSize: 32, lr: 0.003, optimizer: 'adam', seed: 3 };
let data: { train: ImageDataset; test: ImageDataset };
let dir: string;
let straight: TrainResult;

beforeAll(async () => {
  data = await loadMnist({ trainSubset: 512, testSubset: 200 });
  dir = mkdtempSync(join(tmpdir(), 'tsgrad-ckpt-'));
  straight = await train(config, data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSameState(a: TrainResult, b: TrainResult): void {
  const flat = (sd: Record<string, NDArray>): Record<string, number[]> =>
    Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, Array.from(v.toTypedArray())]));
  expect(flat(b.model.stateDict())).toEqual(flat(a.model.stateDict())); // exact: toEqual compares every float
  const optState = (r: TrainResult) =>
    Object.entries(r.optimizer.stateDict().state).map(([k, s]) => [
      k,
      Object.fromEntries(Object.entries(s).map(([n, v]) => [n, typeof v === 'number' ? v : Array.from(v.toTypedArray())])),
    ]);
  expect(optState(b)).toEqual(optState(a));
  expect(b.accuracy).toBe(a.accuracy);
  expect(b.epochLosses).toEqual(a.epochLosses);
}

describe('checkpoints', () => {
  it('1 epoch + save + resume + 1 epoch ends with the weights of 2 epochs straight', async () => {
    const path = join(dir, 'epoch.safetensors');
    const first = await train({ ...config, epochs: 1 }, data, { checkpoint: { save: path } });
    expect(first.epochTimes).toHaveLength(1);
    const saved = await loadCheckpoint(path);
    expect(saved.state).toMatchObject({ epoch: 1, step: 0 });
    expect(Object.keys(saved.model).sort()).toEqual(['0.bias', '0.weight', '3.bias', '3.weight', '7.bias', '7.weight']);
    const resumed = await train(config, data, { checkpoint: { resume: path } });
    expect(resumed.epochTimes).toHaveLength(2);
    expectSameState(straight, resumed);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]); // written atomically, nothing left over
  });

  it('a run killed mid-epoch resumes from its last checkpoint and ends with the same weights', async () => {
    const path = join(dir, 'steps.safetensors');
    const crash = new Error('killed');
    await expect(
      train(config, data, {
        checkpoint: { save: path, saveEverySteps: 5 },
        hooks: {
          onStep: ({ epoch, step }) => {
            if (epoch === 2 && step === 8) throw crash; // dies after step 8; the last checkpoint is step 5
          },
        },
      }),
    ).rejects.toBe(crash);
    expect((await loadCheckpoint(path)).state).toMatchObject({ epoch: 1, step: 5 });
    const resumed = await train(config, data, { checkpoint: { save: path, resume: path, saveEverySteps: 5 } });
    expectSameState(straight, resumed);
  });

  it('an aborted run writes a checkpoint where it stopped and resumes from there', async () => {
    const path = join(dir, 'abort.safetensors');
    const controller = new AbortController();
    const stopped = await train(config, data, {
      checkpoint: { save: path },
      signal: controller.signal,
      hooks: { onStep: ({ epoch, step }) => epoch === 1 && step === 11 && controller.abort() },
    });
    expect(stopped.stopped).toBe(true);
    expect(stopped.accuracy).toBeNaN();
    expect((await loadCheckpoint(path)).state).toMatchObject({ epoch: 0, step: 11 });
    expectSameState(straight, await train(config, data, { checkpoint: { resume: path } }));
  });

  it('refuses a checkpoint of another run, naming what differs', async () => {
    const path = join(dir, 'epoch.safetensors');
    await expect(train({ ...config, lr: 0.01 }, data, { checkpoint: { resume: path } })).rejects.toThrow(
      /belongs to another run \(lr: checkpoint 0.003, this run 0.01\)/,
    );
  });

  it('fails before the first step when the checkpoint folder does not exist', async () => {
    const path = join(dir, 'missing', 'run.safetensors');
    let steps = 0;
    await expect(train(config, data, { checkpoint: { save: path }, hooks: { onStep: () => void steps++ } })).rejects.toThrow(
      `--save ${path}: the folder ${join(dir, 'missing')} does not exist (create it first)`,
    );
    expect(steps).toBe(0);
    expect(() => prepareCheckpointPath(dir)).toThrow(`--save ${dir}: is a folder; give a file name, e.g. run.safetensors`);
  });

  it('removes the temporary files of saves whose process died, and no others', () => {
    const path = join(dir, 'orphans.safetensors');
    const gone = spawnSync(process.execPath, ['-e', '']).pid ?? 0; // a process that has exited
    const orphans = [`orphans.safetensors.tmp-${gone}`, `orphans.safetensors.tmp-${gone}-k3j9x2ab`];
    const kept = [`orphans.safetensors.tmp-${process.pid}-abc`, 'other.safetensors.tmp-1', 'orphans.safetensors.txt'];
    for (const f of [...orphans, ...kept]) writeFileSync(join(dir, f), 'partial');
    expect(prepareCheckpointPath(path).sort()).toEqual(orphans.map((f) => join(dir, f)).sort());
    const left = readdirSync(dir);
    for (const f of orphans) expect(left).not.toContain(f);
    for (const f of kept) expect(left).toContain(f);
    for (const f of kept) rmSync(join(dir, f));
  });

  it('refuses a safetensors file that is no training checkpoint', async () => {
    const path = join(dir, 'weights.safetensors');
    save(straight.model.stateDict(), path);
    await expect(loadCheckpoint(path)).rejects.toThrow(/not a tsgrad training checkpoint/);
  });
});
