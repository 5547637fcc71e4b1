/**
 * gpu.js's headlessgl mode (WebGL 1 under Node through the native `gl` package), opt-in: the
 * package is not installed by `npm ci` (it builds ANGLE from source and needs an X server).
 * `scripts/gpu-headlessgl.sh` builds it outside the repository and runs this file with
 * TSGRAD_HEADLESSGL=1 under `xvfb-run`; without that variable the suite is skipped.
 */
import { describe, expect, it } from 'vitest';
import { runConformance } from '@tsgrad/ndarray/testing';
import { createGpuBackend } from './gpu-backend.js';

const enabled = process.env.TSGRAD_HEADLESSGL === '1';

if (enabled) {
  const backend = createGpuBackend('headlessgl');
  describe('gpu:headlessgl', () => {
    it('describes its renderer', () => {
      const d = backend.describe();
      console.log('headlessgl:', d);
      expect(d.kind).toBe('gpu');
      expect(d.device).toMatch(/^ANGLE over the X server's GL .*headlessgl/);
      // headless-gl hides the driver (Mesa's llvmpipe under xvfb-run): no claim either way
      expect(d.software).toBe(undefined);
    });
  });
  runConformance(backend, { describe, it, expect });
} else {
  describe.skip('gpu:headlessgl (opt-in: scripts/gpu-headlessgl.sh sets TSGRAD_HEADLESSGL=1)', () => {
    it('runs the conformance suite', () => {});
  });
}
