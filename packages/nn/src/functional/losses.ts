import { defineOp, fromNDArray } from '@tsgrad/autograd';
import type { Tensor } from '@tsgrad/autograd';
import { IndexOutOfRangeError, where, type NDArray } from '@tsgrad/ndarray';
import { torchShape } from '../repr.js';
import { logSoftmax } from './activations.js';
import { checkTensor } from './check-tensor.js';

/** How a loss combines its per-element values: their mean, their sum, or none (one value per element). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of {@link nllLoss}, as PyTorch's `F.nll_loss`. */
export interface NLLLossOptions {
  /** A weight per class, [C]: each target's loss is multiplied by its class's weight. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (neither loss nor weight). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Options of {@link crossEntropy}, as PyTorch's `F.cross_entropy`. */
export interface CrossEntropyOptions extends NLLLossOptions {
  /** In [0, 1]: the target becomes (1 - s) * one-hot + s / C. */
  labelSmoothing?: number;
}

/** Class-index targets laid out as rows: the input as [M, C] and the targets as [M] (int32, on the input's backend). */
interface Rows {
  rows: Tensor;
  classes: number;
  targets: NDArray;
  /** The shape of an unreduced loss (the target's shape). */
  outShape: readonly number[];
}

function isIndexDtype(dtype: string): boolean {
  return dtype === 'int32' || dtype === 'uint8';
}

/** The class dim: 0 for an unbatched [C] input, else 1 ([N, C] or [N, C, d1, ...]). */
function classDim(input: Tensor): number {
  return input.ndim === 1 ? 0 : 1;
}

/** Moves the class dim last and flattens the rest, checking the target's shape against the input's. */
function toRows(fn: string, input: Tensor, target: Tensor): Rows {
  if (input.ndim === 0) throw new Error(`${fn}: expected an input of at least 1 dim (classes), got a scalar`);
  if (!isIndexDtype(target.dtype)) {
    throw new Error(`${fn}: expected class-index targets of dtype int32, got ${target.dtype}`);
  }
  const c = classDim(input);
  const expected = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (input.ndim === 2 && target.ndim === 1 && target.shape[0] !== input.shape[0]) {
    throw new Error(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  }
  if (target.ndim !== expected.length || target.shape.some((d, i) => d !== expected[i])) {
    throw new Error(`Expected target size ${torchShape(expected)}, got ${torchShape(target.shape)}`);
  }
  const classes = input.shape[c];
  let rows = input;
  if (input.ndim === 1) rows = input.reshape([1, classes]);
  else if (input.ndim > 2) {
    const order = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1];
    rows = input.permute(order).reshape([-1, classes]);
  }
  // Targets stay on the device: their range is checked by the gather that reads them.
  const targets = target.data.reshape([-1]).astype('int32');
  return { rows, classes, targets, outShape: target.shape };
}

/**
 * Each target's weight (0 when ignored), a safe index to gather with (0 when ignored) and the
 * weights' sum, all computed on the device. Targets outside [0, C) are found by the gather.
 */
function targetWeights(
  targets: NDArray, ignoreIndex: number, weight: NDArray | null, like: Tensor,
): { w: NDArray; index: NDArray; total: NDArray } {
  const kept = targets.ne(ignoreIndex);
  const index = where(kept, targets, 0);
  const dtype = floatDtype(like);
  const w = weight === null ? kept.astype(dtype) : inRange(() => weight.indexSelect(0, index)).astype(dtype).mul(kept);
  return { w, index, total: w.sum() };
}

/** Runs a read of the targets, restating an index error in PyTorch's words for a loss. */
function inRange<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof IndexOutOfRangeError) throw new Error(`Target ${e.index} is out of bounds.`);
    throw e;
  }
}

function classWeights(weight: Tensor | null, classes: number, fn: string): NDArray | null {
  if (weight === null) return null;
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new Error(`${fn}: weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${torchShape(weight.shape)}`);
  }
  return weight.data;
}

function floatDtype(like: Tensor): 'float32' | 'float64' {
  return like.dtype === 'float64' ? 'float64' : 'float32';
}

/**
 * `sum / total` for a weighted mean, with PyTorch's gradient where `total` is 0 (every target
 * ignored): the loss is NaN (0/0) but the gradient is 0, not NaN, so one such batch cannot
 * poison the parameters. `total` is a constant: no gradient flows to it.
 */
const weightedMean = defineOp({
  name: 'div',
  forward: ([sum, total]) => sum.div(total),
  backward: (g, { inputs: [, total] }) => [g.div(where(total.eq(0), 1, total)), null],
});

function checkReduction(reduction: string): void {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${reduction} is not a valid value for reduction (expected 'mean', 'sum' or 'none')`);
  }
}

/** A constant tensor (no gradient) holding `values` in the input's float dtype, shaped `shape`. */
function constant(values: NDArray, shape: readonly number[], like: Tensor): Tensor {
  return fromNDArray(values.astype(floatDtype(like)).reshape(shape));
}

/**
 * The negative log-likelihood loss, PyTorch's `F.nll_loss`: `input` holds log-probabilities [N, C]
 * (or [C], or [N, C, d1, ...]), `target` class indices (int32) [N] (or [], or [N, d1, ...]).
 * Each element's loss is -weight[t] * input[t]; the mean divides by the sum of the weights of the
 * targets that are not ignored.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * nllLoss(tensor([[-1, -2], [-3, -4]]), tensor([0, 1], { dtype: 'int32' })).item(); // 2.5
 */
export function nllLoss(
  input: Tensor, target: Tensor, { weight = null, ignoreIndex = -100, reduction = 'mean' }: NLLLossOptions = {},
): Tensor {
  checkTensor('nllLoss', 'input', input);
  checkTensor('nllLoss', 'target', target);
  checkReduction(reduction);
  const { rows, classes, targets, outShape } = toRows('nllLoss', input, target);
  const { w, index, total } = targetWeights(targets, ignoreIndex, classWeights(weight, classes, 'nllLoss'), input);
  const m = index.size;
  const picked = inRange(() => rows.gather(1, fromNDArray(index.reshape([m, 1])))).reshape([m]);
  const losses = picked.mul(constant(w, [m], input)).neg();
  if (reduction === 'none') return losses.reshape(outShape);
  if (reduction === 'sum') return losses.sum();
  return weightedMean([losses.sum(), fromNDArray(total)]);
}

/**
 * Cross-entropy between logits and targets, PyTorch's `F.cross_entropy`: `logSoftmax` then the NLL loss.
 * `target` holds class indices (int32, shaped as for {@link nllLoss}) or class probabilities (a float
 * tensor shaped as `input`). With `labelSmoothing` s the target is (1 - s) * one-hot + s / C; as in
 * PyTorch, the smoothing term is weighted per class and its mean divides by the same weight sum as the NLL's.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * crossEntropy(tensor([[0, 0]]), tensor([1], { dtype: 'int32' })).item(); // ln 2 = 0.6931...
 */
export function crossEntropy(
  input: Tensor, target: Tensor,
  { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 }: CrossEntropyOptions = {},
): Tensor {
  checkTensor('crossEntropy', 'input', input);
  checkTensor('crossEntropy', 'target', target);
  checkReduction(reduction);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
  }
  if (input.ndim === 0) throw new Error('crossEntropy: expected an input of at least 1 dim (classes), got a scalar');
  const dim = classDim(input);
  const classes = input.shape[dim];
  const logp = logSoftmax(input, dim);
  if (!isIndexDtype(target.dtype)) return crossEntropyProbabilities(logp, target, weight, reduction, labelSmoothing);

  const nll = nllLoss(logp, target, { weight, ignoreIndex, reduction });
  if (labelSmoothing === 0) return nll;
  // The smoothing term: -sum_c weight[c] * logp[c] per element, zero where the target is ignored.
  const { rows, targets } = toRows('crossEntropy', logp, target);
  const wc = classWeights(weight, classes, 'crossEntropy');
  const { total } = targetWeights(targets, ignoreIndex, wc, input);
  const kept = targets.ne(ignoreIndex);
  const weighted = wc === null ? rows : rows.mul(constant(wc, [classes], input));
  let smooth = weighted.sum(1).neg().mul(constant(kept, [kept.size], input));
  if (reduction === 'none') smooth = smooth.reshape(target.shape);
  else if (reduction === 'sum') smooth = smooth.sum();
  else smooth = weightedMean([smooth.sum(), fromNDArray(wc === null ? kept.astype(floatDtype(input)).sum() : total)]);
  return nll.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing / classes));
}

/** Cross-entropy with class-probability targets: -sum_c weight[c] * target[c] * logp[c]; the mean is over elements. */
function crossEntropyProbabilities(
  logp: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, labelSmoothing: number,
): Tensor {
  if (target.ndim !== logp.ndim || target.shape.some((d, i) => d !== logp.shape[i])) {
    throw new Error(`crossEntropy: probability targets must have the input's shape ${torchShape(logp.shape)}, got ${torchShape(target.shape)}`);
  }
  const dim = classDim(logp);
  const classes = logp.shape[dim];
  const t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
  let prod = logp.mul(t);
  const wc = classWeights(weight, classes, 'crossEntropy');
  if (wc !== null) {
    const shape = logp.shape.map((d, i) => (i === dim ? d : 1));
    prod = prod.mul(constant(wc, shape, logp));
  }
  if (reduction === 'none') return prod.sum(dim).neg();
  if (reduction === 'sum') return prod.sum().neg();
  return prod.sum().neg().div(logp.size / classes);
}

/**
 * The mean squared error, PyTorch's `F.mse_loss`: (input - target)^2, then the reduction.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * mseLoss(tensor([1, 2]), tensor([1, 4])).item(); // 2
 */
export function mseLoss(input: Tensor, target: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  checkTensor('mseLoss', 'input', input);
  checkTensor('mseLoss', 'target', target);
  checkReduction(reduction);
  const diff = input.sub(target);
  const sq = diff.mul(diff);
  if (reduction === 'none') return sq;
  return reduction === 'sum' ? sq.sum() : sq.mean();
}
