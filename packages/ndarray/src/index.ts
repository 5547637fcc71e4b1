/**
 * @tsgrad/ndarray: strided n-d arrays, broadcasting, the Backend contract and the CPU backend.
 *
 * @example
 * import { array, zeros, manualSeed, randn } from '@tsgrad/ndarray';
 * manualSeed(0);
 * const x = randn([2, 3]);
 * x.matmul(zeros([3, 4])).shape; // [2, 4]
 */
export { NDArray } from './ndarray.js';
export type { DType, Shape, FloatArray, TypedArray, NestedArray } from './dtype.js';
export { DTYPES, isFloat, resultType, allocate } from './dtype.js';
export {
  array,
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
  type RandomOptions,
} from './creation.js';
export { Generator, defaultGenerator, manualSeed } from './random.js';
export { where } from './elementwise.js';
export { cat, stack } from './join.js';
export { broadcastShapes, sizeOf, stridesFor, normalizeDim, formatShape } from './shape.js';
export { conv2d, conv2dBackwardInput, conv2dBackwardWeight, convOutputSize, type Conv2dOptions, type Pair } from './conv.js';
export {
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  poolOutputSize,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
} from './pool.js';
export {
  getBackend,
  useBackend,
  UNARY_OPS,
  BINARY_OPS,
  type Backend,
  type UnaryOp,
  type BinaryOp,
  type ReduceOp,
  type Conv2dGeometry,
  type Pool2dGeometry,
} from './backend.js';
export { cpuBackend, referenceBackend } from './cpu/cpu-backend.js';
