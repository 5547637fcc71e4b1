/**
 * 2-d convolution (NCHW, groups, stride, padding, dilation), forward and both gradients, each
 * written gather-style: a thread per element of the result sums what lands on it, so no two
 * threads write one element and no atomics are needed.
 *
 * The grid's z axis packs two dims (`n*o`, or `o*c`); they are split with
 * `floor((z + 0.5) / O)`, exact in float32 while z stays far below 2^24 (the backend checks).
 */
import type { KernelSpec } from '../runner.js';

const geometry: [string, 'Integer'][] = [
  'C', 'H', 'W', 'O', 'KH', 'KW', 'SH', 'SW', 'PH', 'PW', 'DH', 'DW', 'OH', 'OW', 'CG', 'OG',
].map((name) => [name, 'Integer']);

/**
 * `y[n][o][oh][ow] = sum over c, i, j of x[n][g*CG + c][oh*SH - PH + i*DH][ow*SW - PW + j*DW] * w[o][c][i][j]`;
 * grid `[OW, OH, N*O]`.
 *
 * @example
 * conv2dKernel().key; // 'conv2d'
 */
export function conv2dKernel(): KernelSpec {
  return {
    key: 'conv2d',
    params: [['x', 'Array'], ['w', 'Array'], ...geometry],
    body: [
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
    ].join('\n'),
  };
}

/**
 * `gx[n][c][h][w] = sum over the outputs (o, oh, ow) whose taps (i, j) read (h, w) of gy * w`;
 * tap i reads row `oh*SH - PH + i*DH = h`, so `oh = (h + PH - i*DH) / SH` when that divides.
 * Grid `[W, H, N*C]`.
 *
 * @example
 * conv2dBackwardInputKernel().key; // 'conv2dBackwardInput'
 */
export function conv2dBackwardInputKernel(): KernelSpec {
  return {
    key: 'conv2dBackwardInput',
    params: [['gy', 'Array'], ['w', 'Array'], ...geometry],
    body: [
      'const n = Math.floor((this.thread.z + 0.5) / C);',
      'const c = this.thread.z - n * C;',
      'const g = Math.floor((c + 0.5) / CG);',
      'const cg = c - g * CG;',
      'let acc = 0;',
      'for (let i = 0; i < KH; i++) {',
      'const th = this.thread.y + PH - i * DH;',
      'const oh = Math.floor((th + 0.5) / SH);',
      'if (th >= 0 && oh * SH == th && oh < OH) {',
      'for (let j = 0; j < KW; j++) {',
      'const tw = this.thread.x + PW - j * DW;',
      'const ow = Math.floor((tw + 0.5) / SW);',
      'if (tw >= 0 && ow * SW == tw && ow < OW) {',
      'for (let og = 0; og < OG; og++) {',
      'const o = g * OG + og;',
      'acc += gy[((n * O + o) * OH + oh) * OW + ow] * w[((o * CG + cg) * KH + i) * KW + j];',
      '}', '}', '}', '}', '}',
      'return acc;',
    ].join('\n'),
  };
}

/**
 * `gw[o][c][i][j] = sum over n, oh, ow of gy[n][o][oh][ow] * x[n][g*CG + c][oh*SH - PH + i*DH][ow*SW - PW + j*DW]`;
 * grid `[KW, KH, O*CG]`, `N` the batch size.
 *
 * @example
 * conv2dBackwardWeightKernel().key; // 'conv2dBackwardWeight'
 */
export function conv2dBackwardWeightKernel(): KernelSpec {
  return {
    key: 'conv2dBackwardWeight',
    params: [['gy', 'Array'], ['x', 'Array'], ['N', 'Integer'], ...geometry],
    body: [
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
    ].join('\n'),
  };
}
