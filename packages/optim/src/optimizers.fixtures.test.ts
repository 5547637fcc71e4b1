import { describe, expect, it } from 'vitest';
import { NDArray } from '@tsgrad/ndarray';
import { describeCase, maxRelativeError, optimizerFixtures, replay, tolerance } from './test-fixtures.js';

// Every optimizer and option combination against PyTorch 1.13 (fixtures/make_fixtures.py):
// the trajectory of both parameters over 10 steps, then the final state buffers.
describe.each(optimizerFixtures.cases.map((c) => [describeCase(c), c] as const))('%s', (_name, c) => {
  it('follows PyTorch (flat-array kernels)', () => {
    const { trajectory, optimizer } = replay(c);
    expect(maxRelativeError(trajectory, c.trajectory)).toBeLessThan(tolerance(c));
    const state = optimizer.stateDict().state;
    for (const [index, want] of Object.entries(c.state)) {
      for (const [key, value] of Object.entries(want)) {
        const got = state[Number(index)][key];
        const flat = got instanceof NDArray ? Array.from(got.toTypedArray()) : [got];
        expect(maxRelativeError(flat, typeof value === 'number' ? [value] : value), `${index}.${key}`).toBeLessThan(tolerance(c));
      }
      expect(Object.keys(state[Number(index)]).sort()).toEqual(Object.keys(want).sort());
    }
  });

  it('follows PyTorch (NDArray-op reference, strided parameters and gradients)', () => {
    const { trajectory } = replay(c, { strided: true });
    expect(maxRelativeError(trajectory, c.trajectory)).toBeLessThan(tolerance(c));
  });
});
