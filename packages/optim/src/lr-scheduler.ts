import type { BaseOptions, Optimizer } from './optimizer.js';

/** A scheduler's state: enough to resume the schedule exactly. */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  stepCount: number;
}

/**
 * The base of the epoch-based schedulers, as PyTorch's `LRScheduler`: it records each group's
 * `initialLr`, then `step()` advances `lastEpoch` and writes `getLr()` into every group's `lr`.
 *
 * `getLr()` is PyTorch's chainable (recursive) form: it computes the new lr from the group's
 * current lr, so several schedulers can act on one optimizer. `closedFormLr()` gives the same
 * schedule from `baseLrs` alone. A subclass sets its fields, then calls `initialStep()` at the
 * end of its constructor (PyTorch steps once on construction, to epoch 0).
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD, StepLR } from '@tsgrad/optim';
 * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched = new StepLR(opt, 2, { gamma: 0.5 });
 * for (let epoch = 0; epoch < 4; epoch++) {
 *   opt.step();      // ... a training epoch ...
 *   sched.step();
 * }
 * sched.getLastLr(); // [0.025]
 * ```
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer<BaseOptions>;
  /** Each group's lr when the first scheduler was attached. */
  baseLrs: number[];
  /** The epoch the current lr belongs to (0 after construction). */
  lastEpoch = -1;
  /** How many times `step()` has run, the construction's step included. */
  stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: Optimizer<BaseOptions>) {
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((group) => group.initialLr ?? group.lr);
  }

  /** The new lr of every group for `lastEpoch`, from the groups' current lrs. */
  protected abstract getLr(): number[];

  /** The lr of every group at `lastEpoch`, from `baseLrs` alone. */
  abstract closedFormLr(): number[];

  /** PyTorch's step on construction: epoch 0, the groups' lrs unchanged. */
  protected initialStep(): void {
    this.step();
  }

  /**
   * Advances one epoch and sets every group's lr.
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { SGD, ExponentialLR } from '@tsgrad/optim';
   * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
   * const sched = new ExponentialLR(opt, 0.5);
   * sched.step();
   * opt.paramGroups[0].lr; // 0.5
   * ```
   */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = lrs[i];
    });
    this.lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  /**
   * The lr of every group as set by the last `step()`.
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { SGD, ExponentialLR } from '@tsgrad/optim';
   * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
   * new ExponentialLR(opt, 0.5).getLastLr(); // [1]
   * ```
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The scheduler's state (epoch, base and last lrs, step count); its constructor arguments
   * are not included: construct the same scheduler, then load.
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { SGD, StepLR } from '@tsgrad/optim';
   * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
   * const sched = new StepLR(opt, 3);
   * sched.step();
   * new StepLR(opt, 3).loadStateDict(sched.stateDict());
   * ```
   */
  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], stepCount: this.stepCount };
  }

  /** Restores a state from `stateDict()` (the optimizer's group lrs are restored by the optimizer's own state dict). */
  loadStateDict(state: SchedulerStateDict): void {
    const groups = this.optimizer.paramGroups.length;
    if (state.baseLrs.length !== groups || state.lastLr.length !== groups) {
      throw new Error(`scheduler state has ${state.baseLrs.length} base lrs for an optimizer with ${groups} param groups`);
    }
    this.lastEpoch = state.lastEpoch;
    this.baseLrs = [...state.baseLrs];
    this.lastLr = [...state.lastLr];
    this.stepCount = state.stepCount;
  }

  /** The learning rate of each parameter group at the current epoch (`lastEpoch`). */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }
}

function checkPositiveInteger(name: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name}: ${what} must be a positive integer, got ${value}`);
}

/**
 * Multiplies each group's lr by `gamma` every `stepSize` epochs, as `torch.optim.lr_scheduler.StepLR`:
 * lr_e = base_lr · γ^⌊e / stepSize⌋.
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD, StepLR } from '@tsgrad/optim';
 * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched = new StepLR(opt, 30, { gamma: 0.1 }); // 0.1 for epochs 0-29, 0.01 for 30-59, ...
 * ```
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseOptions>, stepSize: number, { gamma = 0.1 }: { gamma?: number } = {}) {
    super(optimizer);
    checkPositiveInteger('StepLR', 'stepSize', stepSize);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies each group's lr by `gamma` at every milestone epoch (a milestone listed twice
 * applies γ twice), as `torch.optim.lr_scheduler.MultiStepLR`.
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD, MultiStepLR } from '@tsgrad/optim';
 * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched = new MultiStepLR(opt, [30, 80]); // 0.1, then 0.01 from epoch 30, 0.001 from 80
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone epoch was listed. */
  readonly milestones: ReadonlyMap<number, number>;
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseOptions>, milestones: readonly number[], { gamma = 0.1 }: { gamma?: number } = {}) {
    super(optimizer);
    const counts = new Map<number, number>();
    for (const m of milestones) {
      if (!Number.isInteger(m)) throw new RangeError(`MultiStepLR: milestones must be integers, got ${m}`);
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    this.milestones = counts;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const times = this.milestones.get(this.lastEpoch);
    const lrs = this.groupLrs();
    return times === undefined ? lrs : lrs.map((lr) => lr * this.gamma ** times);
  }

  closedFormLr(): number[] {
    let passed = 0;
    for (const [m, times] of this.milestones) if (m <= this.lastEpoch) passed += times;
    return this.baseLrs.map((lr) => lr * this.gamma ** passed);
  }
}

/**
 * Multiplies each group's lr by `gamma` every epoch, as `torch.optim.lr_scheduler.ExponentialLR`:
 * lr_e = base_lr · γ^e.
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD, ExponentialLR } from '@tsgrad/optim';
 * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched = new ExponentialLR(opt, 0.95);
 * ```
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer<BaseOptions>, gamma: number) {
    super(optimizer);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}

/**
 * Cosine annealing from each group's base lr down to `etaMin` over `tMax` epochs (and back up
 * over the next `tMax`, periodically), as `torch.optim.lr_scheduler.CosineAnnealingLR`:
 *
 * ```text
 * closed form:  η_e = η_min + (η_base − η_min) · (1 + cos(π e / T_max)) / 2
 * recursive:    η_e = η_min + (η_{e-1} − η_min) · (1 + cos(π e / T_max)) / (1 + cos(π (e − 1) / T_max))
 *               except when (e − 1 − T_max) mod 2T_max = 0 (the denominator is 0 there):
 *               η_e = η_{e-1} + (η_base − η_min) · (1 − cos(π / T_max)) / 2
 * ```
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD, CosineAnnealingLR } from '@tsgrad/optim';
 * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched = new CosineAnnealingLR(opt, 10, { etaMin: 1e-4 }); // 1e-4 at epoch 10
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer<BaseOptions>, tMax: number, { etaMin = 0 }: { etaMin?: number } = {}) {
    super(optimizer);
    checkPositiveInteger('CosineAnnealingLR', 'tMax', tMax);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    if ((e - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  closedFormLr(): number[] {
    const factor = (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax)) / 2;
    return this.baseLrs.map((lr) => this.etaMin + (lr - this.etaMin) * factor);
  }
}

/** An lr multiplier as a function of the epoch. */
export type LrLambda = (epoch: number) => number;

/**
 * Sets each group's lr to its base lr times a function of the epoch, as
 * `torch.optim.lr_scheduler.LambdaLR`: lr_e = base_lr · λ(e). Pass one function for every
 * group, or one per group. The functions are not part of the state dict.
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD, LambdaLR } from '@tsgrad/optim';
 * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const warmup = new LambdaLR(opt, (epoch) => Math.min(1, (epoch + 1) / 5)); // 0.02, 0.04, ... 0.1
 * ```
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: readonly LrLambda[];

  constructor(optimizer: Optimizer<BaseOptions>, lrLambda: LrLambda | readonly LrLambda[]) {
    super(optimizer);
    const groups = optimizer.paramGroups.length;
    if (typeof lrLambda === 'function') {
      this.lrLambdas = Array.from({ length: groups }, () => lrLambda);
    } else {
      if (lrLambda.length !== groups) throw new RangeError(`Expected ${groups} lrLambdas, but got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    }
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.closedFormLr();
  }

  closedFormLr(): number[] {
    return this.baseLrs.map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch));
  }
}
