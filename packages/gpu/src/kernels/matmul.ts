/**
 * Matrix multiplication: a thread per output element `(batch z, row y, column x)` runs the dot
 * product over k, reading both operands through their strides (transposes need no copy).
 */
import type { KernelSpec } from '../runner.js';
import { compensated } from './accumulate.js';

/**
 * `out[z][y][x] = sum_t a[z][y][t] * b[z][t][x]`.
 *
 * @example
 * matmulKernel().key; // 'matmul'
 */
export function matmulKernel(): KernelSpec {
  return {
    key: 'matmul',
    params: [
      ['a', 'Array'], ['ao', 'Integer'], ['az', 'Integer'], ['ay', 'Integer'], ['at', 'Integer'],
      ['b', 'Array'], ['bo', 'Integer'], ['bz', 'Integer'], ['bt', 'Integer'], ['bx', 'Integer'],
      ['k', 'Integer'],
    ],
    body: compensated([
      'let acc = 0;',
      'for (let t = 0; t < k; t++) {',
      'acc += a[ao + this.thread.z * az + this.thread.y * ay + t * at] * b[bo + this.thread.z * bz + t * bt + this.thread.x * bx];',
      '}',
      'return acc;',
    ].join('\n')),
  };
}
