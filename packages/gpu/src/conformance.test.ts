// The backend conformance suite on the gpu.js backend, in the modes that run on any machine.
import { describe, expect, it } from 'vitest';
import { runConformance, type TestApi } from '@tsgrad/ndarray/testing';
import { createGpuBackend } from './gpu-backend.js';

// The suite's cases that need float64, which this backend refuses (float32 only): each is
// checked to throw that error instead, and its float32 part is covered in gpu-backend.test.ts.
const FLOAT64_CASES = /float64|^copy and cast$|^cat and stack$|^matmul batched broadcast$/;

for (const mode of ['webasm', 'cpu'] as const) {
  const backend = createGpuBackend(mode);
  const t: TestApi = {
    describe,
    expect,
    it: (name, fn) =>
      FLOAT64_CASES.test(name)
        ? it(`${name} (refuses float64)`, () => expect(fn).toThrow(/float64 is not supported/))
        : it(name, fn),
  };
  runConformance(backend, t);
}
