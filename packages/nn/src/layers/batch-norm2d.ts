import { fromNDArray } from '@tsgrad/autograd';
import type { Tensor } from '@tsgrad/autograd';
import { ones, zeros, type NDArray } from '@tsgrad/ndarray';
import { Module } from '../module.js';
import { checkTensor } from '../functional/check-tensor.js';
import { Parameter } from '../parameter.js';
import { pyFloat, pyValue, torchShape } from '../repr.js';

/** Options of {@link BatchNorm2d}, with PyTorch's defaults. */
export interface BatchNorm2dOptions {
  eps?: number;
  /** The running statistics' update factor; null: a cumulative average (1 / batches seen). */
  momentum?: number | null;
  /** Learn a per-channel scale (`weight`, starts at 1) and shift (`bias`, starts at 0). */
  affine?: boolean;
  /** Keep running mean and variance for evaluation; without them, eval mode uses the batch's statistics. */
  trackRunningStats?: boolean;
  dtype?: 'float32' | 'float64';
}

/**
 * Batch normalisation over [N, C, H, W], as PyTorch's `nn.BatchNorm2d`: y = (x - mean) / sqrt(var + eps)
 * * weight + bias per channel. Training uses the batch's mean and biased variance, and updates the
 * running statistics with the unbiased variance: running = (1 - momentum) * running + momentum * batch.
 * Evaluation uses the running statistics. Buffers: `running_mean`, `running_var`, `num_batches_tracked`.
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * const bn = new BatchNorm2d(3);
 * bn.forward(randn([8, 3, 4, 4])).shape; // [8, 3, 4, 4]
 * Object.keys(bn.stateDict()); // ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
 */
export class BatchNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    numFeatures: number,
    { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = 'float32' }: BatchNorm2dOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`BatchNorm2d: numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(ones([numFeatures], dtype)) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], dtype)) : null;
    if (trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], dtype));
      this.registerBuffer('running_var', ones([numFeatures], dtype));
      this.registerBuffer('num_batches_tracked', zeros([], 'int32'));
    }
  }

  forward(input: Tensor): Tensor {
    checkTensor('BatchNorm2d', 'input', input);
    if (input.ndim !== 4) throw new Error(`expected 4D input (got ${input.ndim}D input)`);
    const c = this.numFeatures;
    if (input.shape[1] !== c) {
      throw new Error(`BatchNorm2d: expected ${c} channels (dim 1), got input of size ${torchShape(input.shape)}`);
    }
    const perChannel = [1, c, 1, 1];
    let xhat: Tensor;
    if (this.training || !this.trackRunningStats) {
      const n = input.size / c;
      if (this.training && n <= 1) {
        throw new Error(`Expected more than 1 value per channel when training, got input size ${torchShape(input.shape)}`);
      }
      const mean = input.mean([0, 2, 3], true);
      const centered = input.sub(mean);
      const variance = centered.square().mean([0, 2, 3], true); // biased, as the normalisation uses
      xhat = centered.div(variance.add(this.eps).sqrt());
      if (this.training && this.trackRunningStats) this.updateRunningStats(mean.data, variance.data, n);
    } else {
      const mean = fromNDArray(this.getBuffer('running_mean').reshape(perChannel));
      const variance = fromNDArray(this.getBuffer('running_var').reshape(perChannel));
      xhat = input.sub(mean).div(variance.add(this.eps).sqrt());
    }
    if (this.weight === null || this.bias === null) return xhat;
    return xhat.mul(this.weight.reshape(perChannel)).add(this.bias.reshape(perChannel));
  }

  /**
   * running = (1 - f) * running + f * batch, with the unbiased variance; f = momentum, or 1 / batches
   * seen. In place and on the device: no value is read back, and the buffers outlive any `tidy`.
   */
  private updateRunningStats(mean: NDArray, variance: NDArray, n: number): void {
    const count = this.getBuffer('num_batches_tracked');
    count.copy_(count.add(1));
    const f: NDArray | number = this.momentum ?? count.reciprocal();
    const rest = typeof f === 'number' ? 1 - f : f.neg().add(1);
    const c = this.numFeatures;
    const runningMean = this.getBuffer('running_mean');
    const runningVar = this.getBuffer('running_var');
    const unbiased = variance.reshape([c]).mul(n / (n - 1));
    runningMean.copy_(runningMean.mul(rest).add(mean.reshape([c]).mul(f)));
    runningVar.copy_(runningVar.mul(rest).add(unbiased.mul(f)));
  }


  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyValue(this.affine)}, ` +
      `track_running_stats=${pyValue(this.trackRunningStats)}`;
  }
}
