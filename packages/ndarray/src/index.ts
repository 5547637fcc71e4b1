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
  fromHost,
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
  UNARY_OPS,
  BINARY_OPS,
  isComparison,
  IndexOutOfRangeError,
  type Backend,
  type BackendCapabilities,
  type BackendDescription,
  type UnaryOp,
  type BinaryOp,
  type ReduceOp,
} from './backend.js';
export type { Conv2dGeometry, Pool2dGeometry } from './geometry.js';
export { getBackend, useBackend, withBackend } from './default-backend.js';
export { sameBackend } from './device.js';
export { Storage, MemoryLedger, bytesPerElement, type MemoryInfo } from './storage.js';
export { tidy, keep, memory, type ArrayHolder, type Disposable } from './memory.js';
export { sgdStep, adamStep, rmspropStep, type SgdScalars, type AdamScalars, type RmspropScalars } from './optimizer-steps.js';
export { cpuBackend, referenceBackend, CpuBackend, fastKernels, naiveKernels, type CpuKernels } from './cpu/cpu-backend.js';
export { setCpuThreads, getCpuThreads, workerJobs, workerError } from './cpu/wasm/threads.js';
export { setWasmKernels } from './cpu/wasm/runtime.js';
export { wasmFeatures, type WasmFeatures } from './cpu/wasm/features.js';
export { CpuStorage, cpuData, allocateHost } from './cpu/cpu-storage.js';
