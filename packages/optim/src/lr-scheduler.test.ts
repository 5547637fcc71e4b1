import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor } from '@tsgrad/autograd';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  MultiStepLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type LRScheduler,
  type LrLambda,
  type ReduceLROnPlateauOptions,
} from './index.js';

interface SchedulerCase {
  scheduler: string;
  args: Array<number | number[] | string | string[]>;
  options: Record<string, number | string | number[]>;
  /** Every group's lr after construction, then after each epoch. */
  expected: number[][];
}
const fixtures: { epochs: number; metrics: number[]; lrs: number[]; cases: SchedulerCase[] } = JSON.parse(
  readFileSync(new URL('../fixtures/schedulers.json', import.meta.url), 'utf8'),
);

const LAMBDAS: Record<string, LrLambda> = {
  pow095: (e) => 0.95 ** e,
  inverse: (e) => 1 / (e + 1),
  warmup5: (e) => Math.min(1.0, (e + 1) / 5),
};

/** SGD with two groups (lr 0.1 and 0.05), as the fixture script builds it. */
function optimizer(): SGD {
  const p = tensor([0], { requiresGrad: true });
  const q = tensor([0], { requiresGrad: true });
  return new SGD([{ params: [p] }, { params: [q], lr: 0.05 }], { lr: 0.1 });
}

function makeScheduler(c: SchedulerCase, opt: SGD): LRScheduler {
  const [first] = c.args;
  const gamma = typeof c.options.gamma === 'number' ? { gamma: c.options.gamma } : {};
  switch (c.scheduler) {
    case 'StepLR':
      return new StepLR(opt, Number(first), gamma);
    case 'MultiStepLR':
      return new MultiStepLR(opt, Array.isArray(first) ? first.map(Number) : [], gamma);
    case 'ExponentialLR':
      return new ExponentialLR(opt, Number(first));
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, Number(first), { etaMin: Number(c.options.etaMin ?? 0) });
    case 'LambdaLR':
      return new LambdaLR(opt, Array.isArray(first) ? first.map((n) => LAMBDAS[n]) : LAMBDAS[String(first)]);
  }
  throw new Error(`unknown scheduler ${c.scheduler}`);
}

const close = (got: number[][], want: number[][]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((row, e) => row.forEach((lr, g) => expect(Math.abs(lr - want[e][g]), `epoch ${e} group ${g}: ${lr} vs ${want[e][g]}`).toBeLessThanOrEqual(1e-15 * Math.abs(want[e][g]) + 1e-300)));
};

describe.each(fixtures.cases.filter((c) => c.scheduler !== 'ReduceLROnPlateau').map((c) => [`${c.scheduler} ${JSON.stringify(c.args)} ${JSON.stringify(c.options)}`, c] as const))(
  '%s',
  (_name, c) => {
    it('gives PyTorch lr sequence for every group', () => {
      const opt = optimizer();
      const sched = makeScheduler(c, opt);
      const lrs = [sched.getLastLr()];
      for (let epoch = 0; epoch < fixtures.epochs; epoch++) {
        opt.step();
        sched.step();
        lrs.push(sched.getLastLr());
        expect(opt.paramGroups.map((g) => g.lr)).toEqual(sched.getLastLr());
      }
      close(lrs, c.expected);
    });

    it('its recursive (chainable) form agrees with its closed form', () => {
      const opt = optimizer();
      const sched = makeScheduler(c, opt);
      for (let epoch = 0; epoch <= 3 * fixtures.epochs; epoch++) {
        const closed = sched.closedFormLr();
        sched.getLastLr().forEach((lr, g) => expect(Math.abs(lr - closed[g]), `epoch ${epoch}`).toBeLessThan(1e-12 * Math.max(closed[g], 1e-3)));
        sched.step();
      }
    });

    it('resumes from its state dict', () => {
      const opt = optimizer();
      const sched = makeScheduler(c, opt);
      for (let e = 0; e < 7; e++) sched.step();
      const saved = { optimizer: opt.stateDict(), scheduler: sched.stateDict() };
      const opt2 = optimizer();
      opt2.loadStateDict(saved.optimizer);
      const sched2 = makeScheduler(c, opt2);
      sched2.loadStateDict(saved.scheduler);
      for (let e = 0; e < 5; e++) {
        sched.step();
        sched2.step();
      }
      expect(sched2.getLastLr()).toEqual(sched.getLastLr());
      expect(sched2.lastEpoch).toBe(12);
    });
  },
);

describe('scheduler arguments', () => {
  it('rejects a wrong number of lambdas, and non-positive periods', () => {
    expect(() => new LambdaLR(optimizer(), [LAMBDAS.pow095])).toThrow('Expected 2 lrLambdas, but got 1');
    expect(() => new StepLR(optimizer(), 0)).toThrow('StepLR: stepSize must be a positive integer, got 0');
    expect(() => new CosineAnnealingLR(optimizer(), 2.5)).toThrow('CosineAnnealingLR: tMax must be a positive integer, got 2.5');
    expect(() => new MultiStepLR(optimizer(), [1.5])).toThrow('MultiStepLR: milestones must be integers, got 1.5');
  });

  it('records initialLr once, so a second scheduler keeps the same base lrs', () => {
    const opt = optimizer();
    const a = new ExponentialLR(opt, 0.5);
    a.step();
    const b = new StepLR(opt, 2);
    expect(b.baseLrs).toEqual([0.1, 0.05]);
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
  });

  it('chains: two schedulers on one optimizer multiply their factors, as in PyTorch', () => {
    const opt = optimizer();
    const a = new ExponentialLR(opt, 0.5);
    const b = new StepLR(opt, 2, { gamma: 0.1 });
    for (let e = 0; e < 2; e++) {
      a.step();
      b.step();
    }
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.1 * 0.25 * 0.1, 15);
  });
});

describe.each(fixtures.cases.filter((c) => c.scheduler === 'ReduceLROnPlateau').map((c) => [JSON.stringify(c.options), c] as const))(
  'ReduceLROnPlateau %s',
  (_name, c) => {
    const options: Partial<ReduceLROnPlateauOptions> = c.options;
    it('gives PyTorch lr sequence for the fixture metrics', () => {
      const opt = optimizer();
      const sched = new ReduceLROnPlateau(opt, options);
      const lrs = [sched.getLastLr()];
      for (const metric of fixtures.metrics) {
        opt.step();
        sched.step(metric);
        lrs.push(sched.getLastLr());
      }
      close(lrs, c.expected);
    });

    it('resumes from its state dict', () => {
      const opt = optimizer();
      const sched = new ReduceLROnPlateau(opt, options);
      fixtures.metrics.slice(0, 9).forEach((m) => sched.step(m));
      const opt2 = optimizer();
      opt2.loadStateDict(opt.stateDict());
      const sched2 = new ReduceLROnPlateau(opt2, options);
      sched2.loadStateDict(sched.stateDict());
      for (const m of fixtures.metrics.slice(9)) {
        sched.step(m);
        sched2.step(m);
      }
      expect(sched2.getLastLr()).toEqual(sched.getLastLr());
      expect(sched2.stateDict()).toEqual(sched.stateDict());
    });
  },
);

describe('ReduceLROnPlateau arguments', () => {
  it('rejects bad options with PyTorch messages', () => {
    expect(() => new ReduceLROnPlateau(optimizer(), { factor: 1 })).toThrow('Factor should be < 1.0.');
    const mode: ReduceLROnPlateauOptions['mode'] = JSON.parse('"up"');
    expect(() => new ReduceLROnPlateau(optimizer(), { mode })).toThrow('mode up is unknown!');
    const thresholdMode: ReduceLROnPlateauOptions['thresholdMode'] = JSON.parse('"pct"');
    expect(() => new ReduceLROnPlateau(optimizer(), { thresholdMode })).toThrow('threshold mode pct is unknown!');
    expect(() => new ReduceLROnPlateau(optimizer(), { minLr: [0.1] })).toThrow('expected 2 minLrs, got 1');
  });
});
