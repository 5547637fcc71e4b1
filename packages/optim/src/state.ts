import { keep, NDArray, zerosLike } from '@tsgrad/ndarray';
import type { ParamState } from './optimizer.js';

/**
 * The state buffer `key` of one parameter, created as zeros shaped like the parameter, on its
 * backend, on first use (PyTorch's lazy state initialisation). State outlives any `tidy` scope
 * the step runs in.
 *
 * @example
 * ```ts
 * import { zeros } from '@tsgrad/ndarray';
 * import { stateBuffer } from './state.js';
 * const state = {};
 * stateBuffer(state, 'expAvg', zeros([2])).shape; // [2], now kept in state.expAvg
 * ```
 */
export function stateBuffer(state: ParamState, key: string, like: NDArray): NDArray {
  const value = state[key];
  if (value instanceof NDArray) return value;
  const created = keep(zerosLike(like));
  state[key] = created;
  return created;
}

/**
 * The counter `key` of one parameter's state (0 when absent), such as Adam's `step`.
 *
 * @example
 * ```ts
 * import { stateCount } from './state.js';
 * stateCount({ step: 3 }, 'step'); // 3
 * ```
 */
export function stateCount(state: ParamState, key: string): number {
  const value = state[key];
  return typeof value === 'number' ? value : 0;
}

/**
 * The state buffer `key`, or null when there is none yet (SGD's momentum buffer starts as a
 * copy of the first gradient, not as zeros).
 *
 * @example
 * ```ts
 * import { optionalBuffer } from './state.js';
 * optionalBuffer({}, 'momentumBuffer'); // null
 * ```
 */
export function optionalBuffer(state: ParamState, key: string): NDArray | null {
  const value = state[key];
  return value instanceof NDArray ? value : null;
}
