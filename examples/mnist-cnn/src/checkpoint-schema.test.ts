import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NDArray } from '@tsgrad/ndarray';
import { load, save } from '@tsgrad/nn';
import { loadCheckpoint } from './checkpoint.js';
import { loadMnist } from './data.js';
import { TABLE1 } from './network.js';
import { train } from './train.js';

// One real checkpoint of a tiny run (Table 1 network, 4 steps of 32 an epoch, 2 epochs), saved
// every 2 steps and killed at epoch 2, step 3: the file holds epoch 1, step 2, so 6 steps are done.
// Each test edits one field of it, as a damaged or hand-edited file would, and expects one error
// that names the file and the field.
let dir: string;
let good: string;
const META = 'tsgrad.checkpoint';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsgrad-schema-'));
  good = join(dir, 'good.safetensors');
  const data = await loadMnist({ trainSubset: 256, testSubset: 50 });
  const crash = new Error('killed');
  await expect(
    train({ net: TABLE1, epochs: 2, batchSize: 32, lr: 0.003, optimizer: 'adam', seed: 1, steps: 4 }, data, {
      checkpoint: { save: good, saveEverySteps: 2, source: { configName: 'table1', data: null, trainSubset: 256, testSubset: 50 } },
      hooks: { onStep: ({ epoch, step }) => { if (epoch === 2 && step === 3) throw crash; } },
    }),
  ).rejects.toBe(crash);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Meta = Record<string, unknown> & { history: Record<string, unknown>; optimizer: Record<string, unknown> & { scalars: Record<string, Record<string, number>> } };

/** Writes a copy of the good checkpoint with its metadata and tensors edited; returns its path. */
function craft(name: string, edit: { meta?: (m: Meta) => void; tensors?: (t: Record<string, NDArray>) => void; raw?: string }): string {
  const { tensors, metadata } = load(good);
  const meta: Meta = JSON.parse(metadata?.[META] ?? '{}');
  edit.meta?.(meta);
  edit.tensors?.(tensors);
  const path = join(dir, `${name}.safetensors`);
  save(tensors, path, { [META]: edit.raw ?? JSON.stringify(meta) });
  return path;
}

const damaged = (path: string, field: string, rest: string): RegExp =>
  new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: damaged checkpoint: field "${field.replace(/[.[\]]/g, '\\$&')}": ${rest}`);

describe('checkpoint schema', () => {
  it('accepts the checkpoint a run wrote', async () => {
    const { state, model, optimizerState } = await loadCheckpoint(good);
    expect(state).toMatchObject({ epoch: 1, step: 2, run: { epochs: 2, steps: 4, source: { configName: 'table1', trainSubset: 256 } } });
    expect(Object.keys(model)).toHaveLength(6);
    expect(optimizerState[5]?.step).toBe(6);
  });

  it('rejects positions out of range or of the wrong type', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['step', 99999, /expected an integer in \[0, 3\] \(below the 4 steps of an epoch\), got 99999/],
      ['step', -5, /expected an integer in \[0, 3\].*, got -5/],
      ['epoch', 50, /expected an integer in \[0, 2\] \(the run's 2 epochs\), got 50/],
      ['epoch', 0.5, /expected an integer .*, got 0\.5/],
      ['epoch', '1', /expected an integer .*, got "1"/],
    ];
    for (const [field, value, message] of cases) {
      const path = craft(`${field}-${String(value)}`, { meta: (m) => void (m[field] = value) });
      await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, field, message.source));
    }
  });

  it('rejects a history or optimizer record that is missing or disagrees with the position', async () => {
    let path = craft('no-history', { meta: (m) => void Reflect.deleteProperty(m, 'history') });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'history', 'expected an object, got nothing'));
    path = craft('no-optimizer', { meta: (m) => void Reflect.deleteProperty(m, 'optimizer') });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'optimizer', 'expected an object, got nothing'));
    path = craft('short-history', { meta: (m) => void (m.history.epochTimes = []) });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'history.epochTimes', 'expected one entry per finished epoch \\(1\\), got "0 entries"'));
    path = craft('nan-loss', { meta: (m) => void (m.history.epochLosses = ['x']) });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'history.epochLosses[0]', 'expected a finite number >= 0, got "x"'));
  });

  it('rejects Adam state without its step counters, moments, or with counters that disagree', async () => {
    let path = craft('no-counters', { meta: (m) => void (m.optimizer.scalars = {}) });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'optimizer.0.step', 'expected the steps done \\(epoch 1 x 4 \\+ step 2 = 6\\), got nothing'));
    path = craft('wrong-counter', { meta: (m) => void ((m.optimizer.scalars['3'] ?? {}).step = 7) });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'optimizer.3.step', '.*got 7'));
    path = craft('no-expavg', { tensors: (t) => void delete t['optimizer.2.expAvg'] });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'optimizer.2.expAvg', 'expected a float32 tensor of shape \\[2, 4, 3, 3\\], got nothing'));
  });

  it('rejects weights that are not float32 or do not fit the network', async () => {
    let path = craft('int32', { tensors: (t) => void (t['model.0.weight'] = t['model.0.weight']?.astype('int32')) });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'model.0.weight', 'expected a float32 tensor, got "int32"'));
    path = craft('shape', { tensors: (t) => void (t['model.7.bias'] = t['model.7.bias']?.reshape([2, 5])) });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'model.7.bias', 'expected shape \\[10\\] \\(the network in "identity.net"\\), got "\\[2, 5\\]"'));
    path = craft('net', { meta: (m) => void (m.identity = { ...(m.identity as object), net: { ...TABLE1, pool1: { kernel: 9, stride: 9 } } }) });
    await expect(loadCheckpoint(path)).rejects.toThrow(damaged(path, 'identity.net', 'conv2: .* gives an empty output'));
  });

  it('names the file when the metadata is not JSON, the path is a folder or missing', async () => {
    const path = craft('not-json', { raw: '{"version": 1, ' });
    await expect(loadCheckpoint(path)).rejects.toThrow(new RegExp(`^${path}: damaged checkpoint: its "tsgrad.checkpoint" metadata is not JSON \\(`));
    const folder = join(dir, 'folder.safetensors');
    mkdirSync(folder);
    await expect(loadCheckpoint(folder)).rejects.toThrow(`${folder}: is a folder, not a checkpoint file`);
    await expect(loadCheckpoint(join(dir, 'missing.safetensors'))).rejects.toThrow(`${join(dir, 'missing.safetensors')}: no such file`);
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a safetensors file');
    await expect(loadCheckpoint(junk)).rejects.toThrow(new RegExp(`^${junk}: `));
  });
});
