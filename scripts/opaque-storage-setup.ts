// vitest setup of the 'opaque-storage' project: every array of the test file is created on a
// backend whose storage cannot be reached from outside it (see CountingBackend).
import { afterAll, expect } from 'vitest';
import { useBackend } from '@tsgrad/ndarray';
import { CountingBackend } from '@tsgrad/ndarray/testing';

const opaque = new CountingBackend(undefined, 'opaque');
useBackend(opaque);

afterAll(() => {
  // The suite really ran on it.
  expect(opaque.counts.kernels).toBeGreaterThan(0);
});
