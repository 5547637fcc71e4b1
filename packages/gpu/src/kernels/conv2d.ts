/**
 * 2-d convolution (NCHW, groups, stride, padding, dilation), forward and both gradients, each
 * written gather-style: a thread per element of the result sums what lands on it, so no two
 * threads write one element and no atomics are needed.
 *
 * The geometry is written into the source as literals (`KernelSpec.constants`): one compiled
 * kernel per layer shape. The grid's z axis packs two dims (`n*o`, or `o*c`); they are split with
 * `floor((z + 0.5) / O)`, exact in float32 while z stays far below 2^24 (the backend checks).
 */
import type { Conv2dGeometry } from '@tsgrad/ndarray';
import type { KernelSpec } from '../runner.js';
import { compensated } from './accumulate.js';
import { taps } from './taps.js';

/** The geometry's sizes under the names the kernel bodies use. */
function constants(g: Conv2dGeometry): Record<string, number> {
  return {
    N: g.n, C: g.c, H: g.h, W: g.w, O: g.o, KH: g.kh, KW: g.kw, SH: g.strideH, SW: g.strideW,
    PH: g.padH, PW: g.padW, DH: g.dilationH, DW: g.dilationW, OH: g.oh, OW: g.ow,
    CG: g.c / g.groups, OG: g.o / g.groups,
    // taps per axis that can land on one input element: every SH-th one (without dilation)
    KHS: Math.ceil(g.kh / g.strideH), KWS: Math.ceil(g.kw / g.strideW),
  };
}

/**
 * `y[n][o][oh][ow] = sum over c, i, j of x[n][g*CG + c][oh*SH - PH + i*DH][ow*SW - PW + j*DW] * w[o][c][i][j]`;
 * grid `[OW, OH, N*O]`.
 *
 * @example
 * const geometry = { n: 1, c: 1, h: 4, w: 4, o: 1, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 2, ow: 2 };
 * conv2dKernel(geometry).key; // 'conv2d'
 */
export function conv2dKernel(g: Conv2dGeometry): KernelSpec {
  return {
    key: 'conv2d',
    params: [['x', 'Array'], ['w', 'Array']],
    constants: constants(g),
    body: compensated([
      'const n = Math.floor((this.thread.z + 0.5) / O);',
      'const o = this.thread.z - n * O;',
      'const g = Math.floor((o + 0.5) / OG);',
      'let acc = 0;',
      'for (let c = 0; c < CG; c++) {',
      'for (let i = 0; i < KH; i++) {',
      'const ih = this.thread.y * SH - PH + i * DH;',
      'if (ih >= 0 && ih < H) {',
      'for (let j = 0; j < KW; j++) {',
      'const iw = this.thread.x * SW - PW + j * DW;',
      'if (iw >= 0 && iw < W) {',
      'acc += x[((n * C + g * CG + c) * H + ih) * W + iw] * w[((o * CG + c) * KH + i) * KW + j];',
      '}', '}', '}', '}', '}',
      'return acc;',
    ].join('\n')),
  };
}

/**
 * `gx[n][c][h][w] = sum over the outputs (o, oh, ow) whose taps (i, j) read (h, w) of gy * w`.
 * Grid `[W, H, N*C]`.
 *
 * @example
 * const geometry = { n: 1, c: 1, h: 4, w: 4, o: 1, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 2, ow: 2 };
 * conv2dBackwardInputKernel(geometry).key; // 'conv2dBackwardInput'
 */
export function conv2dBackwardInputKernel(g: Conv2dGeometry): KernelSpec {
  const dilated = g.dilationH !== 1 || g.dilationW !== 1;
  const sum = [
    'for (let og = 0; og < OG; og++) {',
    'const o = g * OG + og;',
    'acc += gy[((n * O + o) * OH + oh) * OW + ow] * w[((o * CG + cg) * KH + i) * KW + j];',
    '}',
  ];
  return {
    key: dilated ? 'conv2dBackwardInput:dilated' : 'conv2dBackwardInput',
    params: [['gy', 'Array'], ['w', 'Array']],
    constants: constants(g),
    body: compensated([
      'const n = Math.floor((this.thread.z + 0.5) / C);',
      'const c = this.thread.z - n * C;',
      'const g = Math.floor((c + 0.5) / CG);',
      'const cg = c - g * CG;',
      'let acc = 0;',
      ...taps('y', 'KH', 'SH', 'PH', 'DH', 'OH', 'KHS', dilated, taps('x', 'KW', 'SW', 'PW', 'DW', 'OW', 'KWS', dilated, sum)),
      'return acc;',
    ].join('\n')),
  };
}

/**
 * `gw[o][c][i][j] = sum over n, oh, ow of gy[n][o][oh][ow] * x[n][g*CG + c][oh*SH - PH + i*DH][ow*SW - PW + j*DW]`;
 * grid `[KW, KH, O*CG]`.
 *
 * @example
 * const geometry = { n: 1, c: 1, h: 4, w: 4, o: 1, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, groups: 1, oh: 2, ow: 2 };
 * conv2dBackwardWeightKernel(geometry).key; // 'conv2dBackwardWeight'
 */
export function conv2dBackwardWeightKernel(g: Conv2dGeometry): KernelSpec {
  return {
    key: 'conv2dBackwardWeight',
    params: [['gy', 'Array'], ['x', 'Array']],
    constants: constants(g),
    body: compensated([
      'const o = Math.floor((this.thread.z + 0.5) / CG);',
      'const c = this.thread.z - o * CG;',
      'const g = Math.floor((o + 0.5) / OG);',
      'let acc = 0;',
      'for (let n = 0; n < N; n++) {',
      'for (let oh = 0; oh < OH; oh++) {',
      'const ih = oh * SH - PH + this.thread.y * DH;',
      'if (ih >= 0 && ih < H) {',
      'for (let ow = 0; ow < OW; ow++) {',
      'const iw = ow * SW - PW + this.thread.x * DW;',
      'if (iw >= 0 && iw < W) {',
      'acc += gy[((n * O + o) * OH + oh) * OW + ow] * x[((n * C + g * CG + c) * H + ih) * W + iw];',
      '}', '}', '}', '}', '}',
      'return acc;',
    ].join('\n')),
  };
}
