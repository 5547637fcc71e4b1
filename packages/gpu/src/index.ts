/**
 * @tsgrad/gpu: a Backend whose kernels are GPU.js kernels.
 *
 * @example
 * import { useBackend } from '@tsgrad/ndarray';
 * import { createGpuBackend } from '@tsgrad/gpu';
 * useBackend(createGpuBackend('webasm'));
 */
export { GpuBackend, GpuStorage, createGpuBackend, type StoredArg, type StoredBuffer } from './gpu-backend.js';
export { GPU_MODES, KernelRunner, TextureBuffer, isGlMode, withConstants, type DeviceArg, type DeviceBuffer, type GpuMode, type KernelSpec, type KernelArg, type Grid, type ParamType, type LaunchObserver } from './runner.js';
export { coalesce, slabs, type StridedView, type Coalesced, type Slab } from './layout.js';
export { compileStep, type CompileOptions, type CompiledStep, type Launch, type StepPlan, type RecordedOp, type Source, type StateWrite, type StepModel, type StepLoss, type StepOptimizer } from './captured-step.js';
export { WebGpuBuffer, WebGpuRunner, type WebGpuArg } from './webgpu-runner.js';
export { QueuedBuffer, WebGpuQueue, type QueuedArg } from './webgpu-queue.js';
export { splitGrid, type GridChunk } from './launch-split.js';
export { chooseBackend, type AutoChoice } from './auto.js';
export { gpuModeAvailable, isSoftwareRenderer, type ModeAvailability } from './gl.js';
export { installNodeWebGPU, type NodeWebGPU } from './node-webgpu.js';
