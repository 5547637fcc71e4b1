/**
 * The backend's kernels on WebGPU: where an adapter answers (Mesa's llvmpipe through Dawn's OpenGL ES
 * backend is enough), the same kernel sources compile to WGSL and give webasm's results.
 * Skipped, with the reason printed, where no adapter answers. On a machine with a GPU, choose Dawn's
 * backend and feature level with TSGRAD_WEBGPU_BACKEND (vulkan, opengles...) and
 * TSGRAD_WEBGPU_FEATURE_LEVEL (core, compatibility); scripts/gpu-check.sh does.
 */
import { describe, expect, it } from 'vitest';
import { Generator, randn } from '@tsgrad/ndarray';
import { testWebGPU } from './test-webgpu.js';
import { KernelRunner, type Grid, type KernelArg, type KernelSpec } from './runner.js';
import { binaryKernel, unaryKernel } from './kernels/elementwise.js';
import { reduceKernel } from './kernels/reduce.js';
import { matmulKernel } from './kernels/matmul.js';
import { conv2dBackwardInputKernel, conv2dBackwardWeightKernel, conv2dKernel } from './kernels/conv2d.js';
import { maxPoolBackwardKernel, maxPoolKernel } from './kernels/pool.js';
import { adamKernel } from './kernels/optimizers.js';

const webgpu = await testWebGPU('the webgpu kernel tests');
if (webgpu !== null) console.log(`webgpu adapter: ${webgpu.adapter} (software: ${webgpu.software})`);

const g = new Generator(3);
const data = (n: number): Float32Array => Float32Array.from(randn([n], { generator: g }).toTypedArray());

/** Kernel launches: name, spec, grid, arguments. */
const geometry = { n: 2, c: 4, h: 9, w: 8, o: 6, kh: 3, kw: 2, strideH: 2, strideW: 1, padH: 1, padW: 0, dilationH: 1, dilationW: 1, groups: 2, oh: 5, ow: 7 };
const pool = { n: 2, c: 3, h: 7, w: 7, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 1, dilationW: 1, oh: 4, ow: 4 };
const launches: [string, KernelSpec, Grid, KernelArg[]][] = [
  ['exp over a transposed view', unaryKernel('exp'), [3, 4, 1], [data(12), 0, 0, 1, 4]],
  ['add with a broadcast operand', binaryKernel('add'), [4, 3, 2], [data(24), 0, 12, 4, 1, data(4), 0, 0, 0, 1]],
  ['sum along an axis', reduceKernel('sum'), [5, 2, 1], [data(30), 0, 0, 15, 1, 5, 3]],
  ['max along an axis', reduceKernel('max'), [5, 2, 1], [data(30), 0, 0, 15, 1, 5, 3]],
  ['batched matmul', matmulKernel(), [3, 4, 2], [data(40), 0, 20, 5, 1, data(30), 0, 15, 3, 1, 5]],
  ['conv2d', conv2dKernel(geometry), [7, 5, 12], [data(576), data(72)]],
  ['conv2d gradient of the input', conv2dBackwardInputKernel(geometry), [8, 9, 8], [data(420), data(72)]],
  ['conv2d gradient of the weight', conv2dBackwardWeightKernel(geometry), [2, 3, 12], [data(420), data(576)]],
  ['max pooling indices', maxPoolKernel(pool, 'indices'), [4, 4, 6], [data(294)]],
  ['max pooling gradient', maxPoolBackwardKernel(pool), [7, 7, 6], [data(96), Float32Array.from({ length: 96 }, (_, i) => (i * 7) % 49)]],
  ['adam parameter update', adamKernel('param'), [10, 1, 1], [data(10), data(10), data(10), data(10).map(Math.abs), new Float32Array(1), 0.9, 0.999, 1e-8, 1, 0, 0.01, 0.03, 0, 0]],
];

describe.skipIf(webgpu === null)('kernels on webgpu agree with webasm', () => {
  const gpu = new KernelRunner('webgpu');
  const wasm = new KernelRunner('webasm');
  for (const [name, spec, grid, args] of launches) {
    it(name, async () => {
      const want = wasm.run(spec, grid, args);
      const got = await gpu.runAsync(spec, grid, args);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) {
        expect(Math.abs(got[i] - want[i]), `element ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])));
      }
    });
  }
});
