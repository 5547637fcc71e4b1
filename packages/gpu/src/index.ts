/**
 * @tsgrad/gpu: a Backend whose kernels are GPU.js kernels.
 *
 * @example
 * import { useBackend } from '@tsgrad/ndarray';
 * import { createGpuBackend } from '@tsgrad/gpu';
 * useBackend(createGpuBackend('webasm'));
 */
export { GpuBackend, GpuStorage, createGpuBackend } from './gpu-backend.js';
export { GPU_MODES, KernelRunner, withConstants, type GpuMode, type KernelSpec, type KernelArg, type Grid, type ParamType } from './runner.js';
export { coalesce, slabs, type StridedView, type Coalesced, type Slab } from './layout.js';
