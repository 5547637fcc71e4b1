import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Subset } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import { TABLE1, TABLE3 } from './network.js';
import { evaluate, setupTraining, trainStep, yieldToEventLoop, type ImageDataset } from './training-loop.js';

const firstN = (ds: ImageDataset, n: number): ImageDataset => new Subset(ds, Array.from({ length: n }, (_, i) => i));
const trainSet = firstN(new MNIST({ train: true }), 640);
const testSet = firstN(new MNIST({ train: false }), 500);

/** `steps` steps of a fresh run; the losses. */
function run(steps: number, lr = 1e-3): number[] {
  const t = setupTraining({ net: TABLE3, batchSize: 32, lr, optimizer: 'adam', seed: 0, steps }, trainSet);
  const losses: number[] = [];
  for (const [x, y] of t.loader) {
    losses.push(trainStep(t, x, y, `step ${losses.length + 1}`));
    if (losses.length === t.stepsPerEpoch) break;
  }
  return losses;
}

describe('the browser-safe training loop', () => {
  it('imports no Node built-in (the playground bundles it for a Web Worker)', () => {
    for (const file of ['training-loop.ts', 'network.ts']) {
      const text = readFileSync(new URL(file, import.meta.url), 'utf8');
      const imports = [...text.matchAll(/^import\s+(?!type\b)[^;]*from\s+'([^']+)'/gm)].map((m) => m[1]);
      expect({ file, imports: imports.filter((m) => !m.startsWith('@tsgrad/') && !m.startsWith('./')) }).toEqual({ file, imports: [] });
    }
  });

  it('is seeded: two runs give the same losses, and the loss falls', () => {
    const a = run(20);
    expect(a).toEqual(run(20));
    expect(a[0]).toBeGreaterThan(2.1); // about ln 10 = 2.30 at the start
    expect(a[0]).toBeLessThan(2.5);
    const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(a.slice(15))).toBeLessThan(mean(a.slice(0, 5)) - 0.05);
  });

  it('stops an epoch after `steps` and counts the whole epoch otherwise', () => {
    const base = { net: TABLE1, batchSize: 64, lr: 1e-3, optimizer: 'sgd', seed: 1 } as const;
    expect(setupTraining({ ...base, steps: 3 }, trainSet).stepsPerEpoch).toBe(3);
    expect(setupTraining(base, trainSet).stepsPerEpoch).toBe(10); // 640 / 64
  });

  it('names the step and the learning rate when the loss stops being finite', () => {
    expect(() => run(30, 1e12)).toThrow(/^training diverged: loss is (NaN|Infinity) at step \d+ \(lr 1000000000000\)$/);
  });

  it('evaluates in percent, back in training mode afterwards', () => {
    const t = setupTraining({ net: TABLE3, batchSize: 32, lr: 1e-3, optimizer: 'adam', seed: 0 }, trainSet);
    const before = evaluate(t.model, testSet, 250);
    for (const [x, y] of t.loader) trainStep(t, x, y, 'epoch 1');
    const after = evaluate(t.model, testSet, 250);
    expect(before).toBeLessThan(25); // chance is 10 %
    expect(after).toBeGreaterThan(before + 30);
    expect(t.model.training).toBe(true);
    expect(Number.isInteger(after * 5)).toBe(true); // a count out of 500, in percent
  });

  it('yields to the event loop: work queued before it has run when it resolves (Node and, without setImmediate, a browser)', async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    await yieldToEventLoop();
    expect(ran).toBe(true);

    const saved = globalThis.setImmediate;
    Object.defineProperty(globalThis, 'setImmediate', { value: undefined, configurable: true, writable: true });
    try {
      let fired = false;
      setTimeout(() => (fired = true), 0);
      await yieldToEventLoop(); // a zero timeout, queued after the one above
      expect(fired).toBe(true);
    } finally {
      Object.defineProperty(globalThis, 'setImmediate', { value: saved, configurable: true, writable: true });
    }
  });
});
