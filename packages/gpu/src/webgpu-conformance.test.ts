/**
 * The backend conformance suite on the eager webgpu backend (`createGpuBackend('webgpu')`), where
 * a WebGPU adapter answers (Mesa's llvmpipe in CI): results read with `await data()`, since the
 * backend has no synchronous reads. Skipped, with the reason printed, where no adapter answers.
 */
import { describe, expect, it } from 'vitest';
import { runConformance } from '@tsgrad/ndarray/testing';
import { createGpuBackend } from './gpu-backend.js';
import { testWebGPU } from './test-webgpu.js';

const webgpu = await testWebGPU('the webgpu conformance tests');
if (webgpu === null) describe.skip('backend conformance: gpu:webgpu (no WebGPU adapter)', () => it('skipped', () => {}));
else runConformance(createGpuBackend('webgpu'), { describe, it, expect });
