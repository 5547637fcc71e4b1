/**
 * Devices: every array lives on its backend, and an operation runs on the backend of its
 * operands, which must all be the same one (PyTorch's rule: no silent copies between devices).
 */
import type { Backend } from './backend.js';
import type { NDArray } from './ndarray.js';

/**
 * The backend shared by `arrays` (nulls skipped); throws PyTorch's error when two differ, and
 * when an array was disposed.
 *
 * @example
 * import { zeros } from '@tsgrad/ndarray';
 * sameBackend('add', [zeros([1]), zeros([1])]).name; // 'cpu'
 */
export function sameBackend(op: string, arrays: readonly (NDArray | null)[]): Backend {
  let backend: Backend | null = null;
  for (const a of arrays) {
    if (a === null) continue;
    a.checkAlive(op);
    const b = a.storage.backend;
    if (backend === null) backend = b;
    else if (b !== backend) {
      throw new Error(
        `Expected all tensors to be on the same device, but found at least two devices, ${backend.name} and ${b.name}! ` +
          `(in ${op}; move one with .to(backend))`,
      );
    }
  }
  if (backend === null) throw new Error(`${op}: no array operands`);
  return backend;
}
