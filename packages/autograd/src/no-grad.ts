/**
 * Grad mode: one global switch that tells ops whether to record the graph.
 *
 * Inside `noGrad(fn)` ops compute values only; no node is made and nothing is kept for a
 * backward pass (evaluation, optimizer updates). The switch is restored even if `fn` throws.
 */

let enabled = true;

/**
 * Whether ops currently record the graph.
 *
 * @example
 * isGradEnabled();                  // true
 * noGrad(() => isGradEnabled());    // false
 */
export function isGradEnabled(): boolean {
  return enabled;
}

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/**
 * Runs `fn` without recording the graph (PyTorch's `torch.no_grad()`). Synchronous only: the
 * mode is restored when `fn` returns, before any promise it returns settles.
 *
 * @example
 * const w = tensor([1, 2], { requiresGrad: true });
 * const y = noGrad(() => w.mul(2));   // y.requiresGrad === false, y.gradFn === null
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with graph recording on, even inside `noGrad` (PyTorch's `torch.enable_grad()`).
 *
 * @example
 * noGrad(() => enableGrad(() => isGradEnabled()));   // true
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
