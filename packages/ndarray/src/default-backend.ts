/**
 * The default backend: where creation functions (`zeros`, `array`, `randn`...) allocate.
 * Operations run on the backend of their operands, whatever the default is.
 */
import type { Backend } from './backend.js';
import { cpuBackend } from './cpu/cpu-backend.js';

// Null means "the CPU backend"; resolved lazily so that importing this file runs nothing.
let active: Backend | null = null;

/**
 * Makes `backend` the default for new arrays; returns the previous one.
 *
 * @example
 * import { useBackend, cpuBackend } from '@tsgrad/ndarray';
 * const previous = useBackend(cpuBackend);
 * useBackend(previous);
 */
export function useBackend(backend: Backend): Backend {
  const previous = getBackend();
  active = backend;
  return previous;
}

/**
 * The default backend (the CPU backend unless `useBackend` chose another).
 *
 * @example
 * import { getBackend } from '@tsgrad/ndarray';
 * getBackend().name; // 'cpu'
 */
export function getBackend(): Backend {
  return active ?? cpuBackend;
}

/**
 * Runs `f` with `backend` as the default, restoring the previous default afterwards.
 *
 * @example
 * import { withBackend, referenceBackend, zeros } from '@tsgrad/ndarray';
 * withBackend(referenceBackend, () => zeros([2]).backend.name); // 'cpu-naive'
 */
export function withBackend<T>(backend: Backend, f: () => T): T {
  const previous = useBackend(backend);
  try {
    return f();
  } finally {
    useBackend(previous);
  }
}
