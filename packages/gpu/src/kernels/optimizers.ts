/**
 * Fused optimizer updates as gpu.js kernels, PyTorch's formulas as in the CPU reference
 * (packages/ndarray/src/cpu/optimizers.ts). A gpu.js kernel has one output, so each step is one
 * kernel per array it writes (the parameter and each state buffer), all reading the old values.
 */
import type { KernelSpec } from '../runner.js';

const arrays = (...names: string[]): [string, 'Array'][] => names.map((n) => [n, 'Array']);
const floats = (...names: string[]): [string, 'Float'][] => names.map((n) => [n, 'Float']);

/**
 * SGD: `d = g (+ wd*p)`; with momentum `b' = first ? d : mom*b + (1-damp)*d`, `d = nesterov ? d + mom*b' : b'`;
 * `out` is `p - lr*d` (`param`) or `b'` (`buf`). `hasBuf`, `first`, `nesterov`, `maximize` are 0 or 1.
 *
 * @example
 * sgdKernel('param').key; // 'sgd:param'
 */
export function sgdKernel(out: 'param' | 'buf'): KernelSpec {
  return {
    key: `sgd:${out}`,
    params: [...arrays('p', 'g', 'b'), ...floats('lr', 'mom', 'damp', 'wd', 'hasBuf', 'first', 'nesterov', 'maximize')],
    body: [
      'const i = this.thread.x;',
      'let d = g[i];',
      'if (maximize == 1) {', 'd = -d;', '}',
      'd += wd * p[i];',
      'let nb = 0;',
      'if (hasBuf == 1) {',
      'nb = mom * b[i] + (1 - damp) * d;',
      'if (first == 1) {', 'nb = d;', '}',
      // nesterov steps along g + μ b' (the gradient, not the buffer, plus μ b'), as PyTorch
      'if (nesterov == 1) {', 'd = d + mom * nb;', '} else {', 'd = nb;', '}',
      '}',
      out === 'param' ? 'return p[i] - lr * d;' : 'return nb;',
    ].join('\n'),
  };
}

/**
 * Adam/AdamW: `m' = β1 m + (1-β1) g`, `v' = β2 v + (1-β2) g²`, `v̂ = amsgrad ? max(vMax, v') : v'`,
 * `p' = p*decay - stepSize * m' / (√v̂ / bc2Sqrt + eps)`; `out` picks which one the kernel returns.
 *
 * @example
 * adamKernel('param').key; // 'adam:param'
 */
export function adamKernel(out: 'param' | 'm' | 'v' | 'vMax'): KernelSpec {
  const result = { param: 'pi - stepSize * (mi / (Math.sqrt(vHat) / bc2Sqrt + eps))', m: 'mi', v: 'vi', vMax: 'vHat' }[out];
  return {
    key: `adam:${out}`,
    params: [...arrays('p', 'g', 'm', 'v', 'vm'), ...floats('beta1', 'beta2', 'eps', 'decay', 'l2', 'stepSize', 'bc2Sqrt', 'amsgrad', 'maximize')],
    body: [
      'const i = this.thread.x;',
      'let gi = g[i];',
      'if (maximize == 1) {', 'gi = -gi;', '}',
      'const pi = p[i] * decay;',
      'gi += l2 * pi;',
      'const mi = beta1 * m[i] + (1 - beta1) * gi;',
      'const vi = beta2 * v[i] + (1 - beta2) * gi * gi;',
      'let vHat = vi;',
      'if (amsgrad == 1) {', 'vHat = Math.max(vm[i], vi);', '}',
      `return ${result};`,
    ].join('\n'),
  };
}

/**
 * RMSprop: `v' = α v + (1-α) g²`; centered: `a' = α a + (1-α) g`, variance `v' - a'²`;
 * `avg = √variance + eps`; with momentum `b' = mom*b + g/avg`, `p' = p - lr*b'`, else `p' = p - lr*g/avg`.
 *
 * @example
 * rmspropKernel('param').key; // 'rmsprop:param'
 */
export function rmspropKernel(out: 'param' | 'v' | 'buf' | 'gAvg'): KernelSpec {
  const result = {
    param: 'hasBuf == 1 ? p[i] - lr * (mom * b[i] + gi / avg) : p[i] - lr * (gi / avg)',
    v: 'vi',
    buf: 'mom * b[i] + gi / avg',
    gAvg: 'ai',
  }[out];
  return {
    key: `rmsprop:${out}`,
    params: [...arrays('p', 'g', 'v', 'b', 'a'), ...floats('lr', 'alpha', 'eps', 'wd', 'mom', 'hasBuf', 'centered', 'maximize')],
    body: [
      'const i = this.thread.x;',
      'let gi = g[i];',
      'if (maximize == 1) {', 'gi = -gi;', '}',
      'gi += wd * p[i];',
      'const vi = alpha * v[i] + (1 - alpha) * gi * gi;',
      'let ai = 0;',
      'let variance = vi;',
      'if (centered == 1) {', 'ai = alpha * a[i] + (1 - alpha) * gi;', 'variance = vi - ai * ai;', '}',
      'const avg = Math.sqrt(variance) + eps;',
      `return ${result};`,
    ].join('\n'),
  };
}
