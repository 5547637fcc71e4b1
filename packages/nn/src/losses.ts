import { fromNDArray, type Tensor } from '@tsgrad/autograd';
import { crossEntropy, mseLoss, nllLoss, type Reduction } from './functional/losses.js';
import { Module } from './module.js';

/** A weighted loss's `weight` buffer as a constant tensor (null when the loss has no class weights). */
function classWeights(loss: Module): Tensor | null {
  return loss.hasBuffer('weight') ? fromNDArray(loss.getBuffer('weight')) : null;
}

/** Options of {@link CrossEntropyLoss}, with PyTorch's defaults. */
export interface CrossEntropyLossOptions {
  /** A weight per class, [C]. */
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  labelSmoothing?: number;
}

/**
 * Cross-entropy between logits [N, C] and targets (int32 class indices [N], or class probabilities [N, C]),
 * as PyTorch's `nn.CrossEntropyLoss`; see `functional.crossEntropy` for the formulas.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * const lossFn = new CrossEntropyLoss();
 * lossFn.forward(tensor([[0, 0]]), tensor([1], { dtype: 'int32' })).item(); // 0.6931...
 */
export class CrossEntropyLoss extends Module {
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  readonly labelSmoothing: number;

  constructor({ weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 }: CrossEntropyLossOptions = {}) {
    super();
    // A buffer, as PyTorch's: the class weights are part of the loss's state dict.
    this.registerBuffer('weight', weight === null ? null : weight.data);
    this.ignoreIndex = ignoreIndex;
    this.reduction = reduction;
    this.labelSmoothing = labelSmoothing;
  }

  /** The class weights, or null. */
  get weight(): Tensor | null {
    return classWeights(this);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const { weight, ignoreIndex, reduction, labelSmoothing } = this;
    return crossEntropy(input, target, { weight, ignoreIndex, reduction, labelSmoothing });
  }
}

/** Options of {@link NLLLoss}, with PyTorch's defaults. */
export interface NLLLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/**
 * The negative log-likelihood of log-probabilities [N, C] at int32 class indices [N], as PyTorch's `nn.NLLLoss`.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * new NLLLoss().forward(tensor([[-1, -2]]), tensor([1], { dtype: 'int32' })).item(); // 2
 */
export class NLLLoss extends Module {
  readonly ignoreIndex: number;
  readonly reduction: Reduction;

  constructor({ weight = null, ignoreIndex = -100, reduction = 'mean' }: NLLLossOptions = {}) {
    super();
    this.registerBuffer('weight', weight === null ? null : weight.data);
    this.ignoreIndex = ignoreIndex;
    this.reduction = reduction;
  }

  /** The class weights, or null. */
  get weight(): Tensor | null {
    return classWeights(this);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const { weight, ignoreIndex, reduction } = this;
    return nllLoss(input, target, { weight, ignoreIndex, reduction });
  }
}

/**
 * The mean squared error, as PyTorch's `nn.MSELoss`.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * new MSELoss().forward(tensor([1, 2]), tensor([1, 4])).item(); // 2
 */
export class MSELoss extends Module {
  constructor(readonly options: { reduction?: Reduction } = {}) {
    super();
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}
