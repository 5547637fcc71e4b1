/**
 * Index kernels. The backend moves the indexed `dim` to the last position (a view), so here
 * it is always the grid's x axis; the index arrays arrive as float32 (exact below 2^24).
 */
import type { KernelSpec } from '../runner.js';
import { at, operandParams } from '../layout.js';
import { compensated } from './accumulate.js';

/** The index expression of operand `name` on the grid's z and y only, plus `xExpr` times its x stride. */
const atZY = (name: string, xExpr: string): string =>
  `${name}o + this.thread.z * ${name}z + this.thread.y * ${name}y + ${xExpr} * ${name}x`;

/**
 * `out[z][y][x] = src[z][y][index[z][y][x]]`.
 *
 * @example
 * gatherKernel().key; // 'gather'
 */
export function gatherKernel(): KernelSpec {
  return {
    key: 'gather',
    params: [...operandParams('s'), ...operandParams('i')],
    body: `return s[${atZY('s', `i[${at('i')}]`)}];`,
  };
}

/**
 * `out[z][y][x] = t[z][y][x] + sum over j with index[z][y][j] = x of src[z][y][j]`
 * (the index may be smaller than x in z and y: `iz`/`iy` bound it).
 *
 * @example
 * scatterAddKernel().key; // 'scatterAdd'
 */
export function scatterAddKernel(): KernelSpec {
  return {
    key: 'scatterAdd',
    params: [...operandParams('t'), ...operandParams('i'), ...operandParams('s'), ['nz', 'Integer'], ['ny', 'Integer'], ['nj', 'Integer']],
    body: compensated([
      `let acc = t[${at('t')}];`,
      'if (this.thread.z < nz && this.thread.y < ny) {',
      'for (let j = 0; j < nj; j++) {',
      `if (i[${atZY('i', 'j')}] == this.thread.x) {`,
      `acc += s[${atZY('s', 'j')}];`,
      '}',
      '}',
      '}',
      'return acc;',
    ].join('\n')),
  };
}

/**
 * `out[z][y][x] = src[z][y][index[x]]` (a 1-d index).
 *
 * @example
 * indexSelectKernel().key; // 'indexSelect'
 */
export function indexSelectKernel(): KernelSpec {
  return {
    key: 'indexSelect',
    params: [...operandParams('s'), ['i', 'Array'], ['io', 'Integer'], ['ix', 'Integer']],
    body: `return s[${atZY('s', 'i[io + this.thread.x * ix]')}];`,
  };
}

/**
 * Places `src` (size `n*`) at `b*` in the grid; outside it, the result is `fill` when `useFill`
 * is 1, else the element of `prev` (contiguous, the grid's shape). `inside` is 0 when a dim
 * above the grid already lies outside (then no element of the slab is `src`'s).
 * Constant padding is a placement over `fill`; cat is one placement per input over `prev`.
 *
 * @example
 * placeKernel().key; // 'place'
 */
export function placeKernel(): KernelSpec {
  const within = (axis: 'x' | 'y' | 'z'): string =>
    `this.thread.${axis} >= b${axis} && this.thread.${axis} < b${axis} + n${axis}`;
  return {
    key: 'place',
    params: [
      ...operandParams('s'),
      ['bz', 'Integer'], ['by', 'Integer'], ['bx', 'Integer'],
      ['nz', 'Integer'], ['ny', 'Integer'], ['nx', 'Integer'],
      ['inside', 'Integer'], ['p', 'Array'], ['po', 'Integer'], ['pz', 'Integer'], ['py', 'Integer'],
      ['useFill', 'Integer'], ['fill', 'Float'],
    ],
    body: [
      `if (inside == 1 && ${within('z')} && ${within('y')} && ${within('x')}) {`,
      `return s[so + (this.thread.z - bz) * sz + (this.thread.y - by) * sy + (this.thread.x - bx) * sx];`,
      '}',
      'if (useFill == 1) {',
      'return fill;',
      '}',
      'return p[po + this.thread.z * pz + this.thread.y * py + this.thread.x];',
    ].join('\n'),
  };
}
