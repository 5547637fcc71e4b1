// The backend conformance suite on the gpu.js backend, in the modes that run on any machine.
// Its dtypes (float32, int32, bool) decide the cases; the float64 ones are skipped by the suite.
import { describe, expect, it } from 'vitest';
import { runConformance } from '@tsgrad/ndarray/testing';
import { createGpuBackend } from './gpu-backend.js';

for (const mode of ['webasm', 'cpu'] as const) runConformance(createGpuBackend(mode), { describe, it, expect });
