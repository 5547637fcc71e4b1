/**
 * Memory lifetime: when an array's storage goes back to its backend.
 *
 * On the CPU the garbage collector is enough (a released CPU buffer is reused by the next
 * allocation of its size, which saves the collector work); a GPU's memory is not seen by the
 * collector, so arrays can be released deterministically:
 * - `a.dispose()` drops one array; its storage is released when no undisposed array (view) uses it;
 * - `tidy(fn)` disposes every array created while `fn` runs, except those it returns (and those
 *   marked with `keep`), as TensorFlow.js's `tidy`;
 * - `using a = ...` disposes at the end of the block, where the runtime has `Symbol.dispose`;
 * - a `FinalizationRegistry` in each backend's ledger releases storage that was never disposed
 *   once it is unreachable (the safety net, at the collector's pace).
 */
import type { Backend } from './backend.js';
import { getBackend } from './default-backend.js';
import type { MemoryInfo } from './storage.js';

/** Anything `tidy` can find arrays in: an array, a tensor-like holder, or containers of them. */
export interface ArrayHolder {
  /** The arrays this object keeps alive (a tensor: its data and gradient). */
  heldArrays(): readonly Disposable[];
}

/** The part of an array the lifetime rules use. */
export interface Disposable {
  /** Frees what the object holds. */
  dispose(): void;
  readonly isDisposed: boolean;
  /** Set by `keep`: `tidy` leaves it alone. */
  kept: boolean;
}

// One list per open tidy scope, innermost last.
const scopes: Disposable[][] = [];

/**
 * Records a new array in the innermost open `tidy` scope (called by the NDArray constructor).
 *
 * @example
 * trackInScope(zeros([1])); // a no-op outside tidy
 */
export function trackInScope(a: Disposable): void {
  if (scopes.length > 0) scopes[scopes.length - 1].push(a);
}

/**
 * Runs `fn` and disposes every array created meanwhile that is not in its result (arrays,
 * tensors, or arrays/objects of them) and not marked with `keep`. Scopes nest: what an inner
 * tidy returns belongs to the outer one. `fn` must not be async.
 *
 * @example
 * import { tidy, zeros, memory } from '@tsgrad/ndarray';
 * const y = tidy(() => zeros([3]).add(1).mul(2)); // the intermediate zeros and add are freed
 * y.toArray(); // [2, 2, 2]
 */
export function tidy<T>(fn: () => T): T {
  const scope: Disposable[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const a of scope) if (!a.kept) a.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new Error('tidy: the function returned a Promise; tidy cannot track arrays across await (dispose them explicitly)');
  }
  const keepers = new Set<Disposable>();
  collect(result, keepers, new Set());
  for (const a of scope) {
    if (keepers.has(a) || a.kept) trackInScope(a);
    else a.dispose();
  }
  return result;
}

/**
 * Marks `a` so that no `tidy` scope disposes it (optimizer state, running statistics); it
 * still goes with `a.dispose()`.
 *
 * @example
 * import { keep, tidy, zeros } from '@tsgrad/ndarray';
 * let state;
 * tidy(() => { state = keep(zeros([2])); });
 * state.isDisposed; // false
 */
export function keep<T extends Disposable>(a: T): T {
  a.kept = true;
  return a;
}

function isDisposable(x: object): x is Disposable {
  return 'dispose' in x && 'kept' in x && 'isDisposed' in x;
}

function isHolder(x: object): x is ArrayHolder {
  return 'heldArrays' in x && typeof x.heldArrays === 'function';
}

/** Every array reachable from a result through arrays, plain objects, maps and holders. */
function collect(x: unknown, out: Set<Disposable>, seen: Set<object>): void {
  if (typeof x !== 'object' || x === null || seen.has(x)) return;
  seen.add(x);
  if (isDisposable(x)) {
    out.add(x);
    return;
  }
  if (isHolder(x)) {
    for (const a of x.heldArrays()) out.add(a);
    return;
  }
  if (Array.isArray(x)) for (const v of x) collect(v, out, seen);
  else if (x instanceof Map) for (const v of x.values()) collect(v, out, seen);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collect(v, out, seen);
}

/**
 * The live storages and bytes of a backend (the default one unless given), and its peak.
 *
 * @example
 * import { memory, zeros } from '@tsgrad/ndarray';
 * const before = memory().bytes;
 * const a = zeros([2048]); // the CPU backend counts arrays of 4 KiB and more
 * memory().bytes - before; // 8192
 */
export function memory(backend: Backend = getBackend()): MemoryInfo {
  return backend.memory();
}
