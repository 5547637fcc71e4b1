/**
 * The functional forms of the layers and losses, as PyTorch's `torch.nn.functional`
 * (import it as `import { functional as F } from '@tsgrad/nn'`).
 */
export { conv2d, samePadding, type Conv2dFunctionalOptions, type Conv2dPadding } from './conv2d.js';
export { maxPool2d, maxPool2dWithIndices, avgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './pool.js';
export { linear } from './linear.js';
export { relu, leakyRelu, sigmoid, tanh, softmax, logSoftmax } from './activations.js';
export { dropout } from './dropout.js';
export { pad, type PadMode } from './pad.js';
export { crossEntropy, nllLoss, mseLoss, type Reduction, type CrossEntropyOptions, type NLLLossOptions } from './losses.js';
export { toPair, type IntOrPair, type Pair } from './pair.js';
