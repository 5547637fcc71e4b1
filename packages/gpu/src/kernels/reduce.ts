/**
 * Reductions along one axis: a thread per output element loops over the axis. Several axes
 * are reduced one after another (the backend's business), so each kernel stays one loop.
 */
import type { ReduceOp } from '@tsgrad/ndarray';
import type { KernelSpec } from '../runner.js';
import { at, operandParams } from '../layout.js';
import { compensated } from './accumulate.js';

/** The element `r` of the reduced axis. */
const element = (r: string): string => `x[${at('x')} + ${r} * xr]`;

/**
 * sum, max or min of `n` elements `xr` apart; max and min propagate NaN (as PyTorch).
 *
 * @example
 * reduceKernel('sum').key; // 'reduce:sum'
 */
export function reduceKernel(op: ReduceOp): KernelSpec {
  const params = [...operandParams('x'), ['xr', 'Integer'] as const, ['n', 'Integer'] as const];
  if (op === 'sum') {
    return { key: 'reduce:sum', params, body: compensated(`let acc = 0;\nfor (let r = 0; r < n; r++) {\nacc += ${element('r')};\n}\nreturn acc;`) };
  }
  const better = op === 'max' ? 'v > acc' : 'v < acc';
  return {
    key: `reduce:${op}`,
    params,
    body: `let acc = ${element('0')};\nfor (let r = 1; r < n; r++) {\nconst v = ${element('r')};\nif (acc == acc && (v != v || ${better})) {\nacc = v;\n}\n}\nreturn acc;`,
  };
}

/**
 * The index of the first max (or min) of `n` elements, or of the first NaN.
 *
 * @example
 * argReduceKernel('max').key; // 'argreduce:max'
 */
export function argReduceKernel(op: 'max' | 'min'): KernelSpec {
  const better = op === 'max' ? 'v > best' : 'v < best';
  return {
    key: `argreduce:${op}`,
    params: [...operandParams('x'), ['xr', 'Integer'], ['n', 'Integer']],
    body: `let best = ${element('0')};\nlet index = 0;\nfor (let r = 1; r < n; r++) {\nconst v = ${element('r')};\nif (best == best && (v != v || ${better})) {\nbest = v;\nindex = r;\n}\n}\nreturn index;`,
  };
}
