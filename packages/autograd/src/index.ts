/**
 * @tsgrad/autograd: reverse-mode automatic differentiation on tensors.
 *
 * A `Tensor` records the ops applied to it (define-by-run); `backward()` walks that graph in
 * reverse topological order and accumulates gradients into the leaves' `.grad`.
 */
export { Tensor, isFloatDType, type TensorOptions, type Axis } from './tensor.js';
export { Node, type BackwardFn } from './node.js';
export { backward, topologicalOrder, type BackwardOptions } from './engine.js';
export { noGrad, enableGrad, isGradEnabled } from './no-grad.js';
export {
  defineOp,
  defineSavingOp,
  type OpSpec,
  type SavingOpSpec,
  type OpContext,
  type Op,
  type SavingOp,
  type InputGrads,
} from './define-op.js';
export {
  tensor,
  fromNDArray,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  arange,
  eye,
  rand,
  randn,
  randint,
  randperm,
  uniform,
  normal,
  type CreationOptions,
  type RandomOptions,
} from './creation.js';
export { mean, softmax } from './composite.js';
export { describeValue } from './describe-value.js';
export { where } from './ops/binary.js';
export { clamp } from './ops/clamp.js';
export { cat, stack } from './ops/join.js';
export { spread, type VarianceOptions } from './ops/variance.js';
export { conv2d, pair, type Conv2dOptions, type Size2 } from './ops/conv.js';
export {
  maxPool2d,
  maxPool2dWithIndices,
  avgPool2d,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
} from './ops/pool.js';
export { pad, padSource, type PadMode } from './ops/pad.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export {
  graphOf,
  opLabel,
  summarize,
  type Graph,
  type GraphVertex,
  type GraphLabelOptions,
  type GraphDrawOptions,
  type TensorNames,
} from './graph.js';
export { toDot } from './graph-dot.js';
export { toSvg } from './graph-svg.js';
