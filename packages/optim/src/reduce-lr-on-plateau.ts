import type { BaseOptions, Optimizer } from './optimizer.js';

/** ReduceLROnPlateau's options, as PyTorch's (camelCase). */
export interface ReduceLROnPlateauOptions {
  /** 'min': reduce when the metric stops decreasing; 'max': when it stops increasing (default 'min'). */
  mode: 'min' | 'max';
  /** new lr = lr · factor (default 0.1; must be < 1). */
  factor: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience: number;
  /** How much better than the best a metric must be to count (default 1e-4). */
  threshold: number;
  /** 'rel': better than best · (1 ∓ threshold); 'abs': better than best ∓ threshold (default 'rel'). */
  thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown: number;
  /** A lower bound on the lr, for all groups or one per group (default 0). */
  minLr: number | readonly number[];
  /** A reduction smaller than eps is skipped (default 1e-8). */
  eps: number;
}

/** ReduceLROnPlateau's state: enough to resume exactly. */
export interface ReduceLROnPlateauStateDict {
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
  lastLr: number[];
}

/**
 * Reduces each group's lr by `factor` when a metric has not improved for `patience` epochs,
 * as `torch.optim.lr_scheduler.ReduceLROnPlateau`:
 *
 * ```text
 * step(metric):
 *   if metric is better than best (by threshold, in thresholdMode):  best ← metric; bad ← 0
 *   else:  bad ← bad + 1
 *   if in cooldown:  cooldown ← cooldown − 1; bad ← 0
 *   if bad > patience:
 *     for each group:  new ← max(lr · factor, minLr);  if lr − new > eps: lr ← new
 *     cooldown ← cooldown epochs; bad ← 0
 * ```
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD, ReduceLROnPlateau } from '@tsgrad/optim';
 * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
 * for (const valLoss of [1, 0.9, 0.95, 0.93]) sched.step(valLoss);
 * sched.getLastLr(); // [0.05]: two epochs without improvement
 * ```
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer<BaseOptions>;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: readonly number[];
  readonly eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer<BaseOptions>, options: Partial<ReduceLROnPlateauOptions> = {}) {
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel' } = options;
    const { cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    if (factor >= 1) throw new RangeError('Factor should be < 1.0.');
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`mode ${String(mode)} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new RangeError(`threshold mode ${String(thresholdMode)} is unknown!`);
    }
    const groups = optimizer.paramGroups.length;
    if (typeof minLr !== 'number' && minLr.length !== groups) {
      throw new RangeError(`expected ${groups} minLrs, got ${minLr.length}`);
    }
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = typeof minLr === 'number' ? Array.from({ length: groups }, () => minLr) : [...minLr];
    this.eps = eps;
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((group) => group.lr);
  }

  /**
   * Records one epoch's metric (e.g. the validation loss) and reduces the lrs if it has
   * stopped improving.
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { SGD, ReduceLROnPlateau } from '@tsgrad/optim';
   * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
   * const sched = new ReduceLROnPlateau(opt, { mode: 'max', patience: 0 });
   * sched.step(0.9); sched.step(0.8);
   * opt.paramGroups[0].lr; // 0.01
   * ```
   */
  step(metric: number): void {
    if (typeof metric !== 'number') throw new TypeError(`ReduceLROnPlateau.step: metric must be a number, got ${typeof metric}`);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  /**
   * The lr of every group after the last `step()` (the current lrs before the first).
   *
   * @example
   * ```ts
   * import { tensor } from '@tsgrad/autograd';
   * import { SGD, ReduceLROnPlateau } from '@tsgrad/optim';
   * const opt = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
   * new ReduceLROnPlateau(opt).getLastLr(); // [0.1]
   * ```
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's counters; construct it with the same options, then `loadStateDict`. */
  stateDict(): ReduceLROnPlateauStateDict {
    const { best, numBadEpochs, cooldownCounter, lastEpoch } = this;
    return { best, numBadEpochs, cooldownCounter, lastEpoch, lastLr: [...this.lastLr] };
  }

  /** Restores counters saved by `stateDict()`. */
  loadStateDict(state: ReduceLROnPlateauStateDict): void {
    this.best = state.best;
    this.numBadEpochs = state.numBadEpochs;
    this.cooldownCounter = state.cooldownCounter;
    this.lastEpoch = state.lastEpoch;
    this.lastLr = [...state.lastLr];
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const newLr = Math.max(group.lr * this.factor, this.minLrs[i]);
      if (group.lr - newLr > this.eps) group.lr = newLr;
    });
  }

  private isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }
}
