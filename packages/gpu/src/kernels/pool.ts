/**
 * 2-d max and average pooling (NCHW, contiguous), forward and backward, gather-style as the
 * convolutions (see `conv2d.ts`), with the CPU reference's PyTorch semantics: padding is never
 * selected, a NaN wins (the last one), indices are flat within each h*w plane.
 */
import type { KernelSpec } from '../runner.js';

const geometry: [string, 'Integer'][] = ['H', 'W', 'KH', 'KW', 'SH', 'SW', 'PH', 'PW', 'DH', 'DW', 'OH', 'OW'].map(
  (name) => [name, 'Integer'],
);

/** The window scan of max pooling; `result` is `best` (values) or `at` (indices). Grid `[OW, OH, N*C]`. */
function maxPoolBody(result: 'best' | 'at'): string {
  return [
    'const plane = this.thread.z * H * W;',
    // an all -Infinity window reports its first in-bounds tap, as PyTorch
    'let ih0 = this.thread.y * SH - PH;',
    'while (ih0 < 0) {', 'ih0 += DH;', '}',
    'let iw0 = this.thread.x * SW - PW;',
    'while (iw0 < 0) {', 'iw0 += DW;', '}',
    'let best = -Infinity;',
    'let at = ih0 * W + iw0;',
    'for (let i = 0; i < KH; i++) {',
    'const ih = this.thread.y * SH - PH + i * DH;',
    'if (ih >= 0 && ih < H) {',
    'for (let j = 0; j < KW; j++) {',
    'const iw = this.thread.x * SW - PW + j * DW;',
    'if (iw >= 0 && iw < W) {',
    'const v = x[plane + ih * W + iw];',
    'if (v > best || v != v) {', 'best = v;', 'at = ih * W + iw;', '}',
    '}', '}', '}', '}',
    `return ${result};`,
  ].join('\n');
}

/**
 * Max pooling: the window maximum (`values`) or its flat index in the plane (`indices`).
 *
 * @example
 * maxPoolKernel('values').key; // 'maxPool:values'
 */
export function maxPoolKernel(output: 'values' | 'indices'): KernelSpec {
  return { key: `maxPool:${output}`, params: [['x', 'Array'], ...geometry], body: maxPoolBody(output === 'values' ? 'best' : 'at') };
}

/**
 * The max pooling gradient: each input sums the gradients of the outputs that selected it,
 * looking only at the windows (of the forward geometry) that contain it. Grid `[W, H, N*C]`.
 *
 * @example
 * maxPoolBackwardKernel().key; // 'maxPoolBackward'
 */
export function maxPoolBackwardKernel(): KernelSpec {
  return {
    key: 'maxPoolBackward',
    params: [['gy', 'Array'], ['idx', 'Array'], ...geometry],
    body: [
      'const plane = this.thread.z * OH * OW;',
      'const me = this.thread.y * W + this.thread.x;',
      'let acc = 0;',
      'for (let i = 0; i < KH; i++) {',
      'const th = this.thread.y + PH - i * DH;',
      'const oh = Math.floor((th + 0.5) / SH);',
      'if (th >= 0 && oh * SH == th && oh < OH) {',
      'for (let j = 0; j < KW; j++) {',
      'const tw = this.thread.x + PW - j * DW;',
      'const ow = Math.floor((tw + 0.5) / SW);',
      'if (tw >= 0 && ow * SW == tw && ow < OW) {',
      'if (idx[plane + oh * OW + ow] == me) {',
      'acc += gy[plane + oh * OW + ow];',
      '}', '}', '}', '}', '}',
      'return acc;',
    ].join('\n'),
  };
}

/**
 * The max pooling gradient for indices of unknown windows: each input scans every output of its
 * plane for its own index (OH*OW reads per input). Grid `[W, H, N*C]`.
 *
 * @example
 * maxPoolBackwardScanKernel().key; // 'maxPoolBackwardScan'
 */
export function maxPoolBackwardScanKernel(): KernelSpec {
  return {
    key: 'maxPoolBackwardScan',
    params: [['gy', 'Array'], ['idx', 'Array'], ['H', 'Integer'], ['W', 'Integer'], ['OH', 'Integer'], ['OW', 'Integer']],
    body: [
      'const plane = this.thread.z * OH * OW;',
      'const me = this.thread.y * W + this.thread.x;',
      'let acc = 0;',
      'for (let o = 0; o < OH * OW; o++) {',
      'if (idx[plane + o] == me) {',
      'acc += gy[plane + o];',
      '}', '}',
      'return acc;',
    ].join('\n'),
  };
}

/**
 * The divisor of output (oh, ow): the override when `div > 0`, else the window clipped to the
 * padded input (`cip` = 1, count_include_pad) or to the input.
 */
const divisor = (oh: string, ow: string): string[] => [
  `const hs = ${oh} * SH - PH;`,
  `const ws = ${ow} * SW - PW;`,
  'const he = Math.min(hs + KH, H + PH);',
  'const we = Math.min(ws + KW, W + PW);',
  'let d = div;',
  'if (div <= 0) {',
  'if (cip == 1) {', 'd = (he - hs) * (we - ws);', '} else {',
  'd = (Math.min(he, H) - Math.max(hs, 0)) * (Math.min(we, W) - Math.max(ws, 0));',
  '}', '}',
];

/**
 * Average pooling (no dilation, as PyTorch). Grid `[OW, OH, N*C]`.
 *
 * @example
 * avgPoolKernel().key; // 'avgPool'
 */
export function avgPoolKernel(): KernelSpec {
  return {
    key: 'avgPool',
    params: [['x', 'Array'], ...geometry, ['cip', 'Integer'], ['div', 'Float']],
    body: [
      'const plane = this.thread.z * H * W;',
      ...divisor('this.thread.y', 'this.thread.x'),
      'let acc = 0;',
      'for (let i = 0; i < KH; i++) {',
      'const ih = hs + i;',
      'if (ih >= 0 && ih < H) {',
      'for (let j = 0; j < KW; j++) {',
      'const iw = ws + j;',
      'if (iw >= 0 && iw < W) {',
      'acc += x[plane + ih * W + iw];',
      '}', '}', '}', '}',
      'return acc / d;',
    ].join('\n'),
  };
}

/**
 * The average pooling gradient: each input sums `gy / divisor` over the windows that contain it.
 * Grid `[W, H, N*C]`.
 *
 * @example
 * avgPoolBackwardKernel().key; // 'avgPoolBackward'
 */
export function avgPoolBackwardKernel(): KernelSpec {
  return {
    key: 'avgPoolBackward',
    params: [['gy', 'Array'], ...geometry, ['cip', 'Integer'], ['div', 'Float']],
    body: [
      'const plane = this.thread.z * OH * OW;',
      'let acc = 0;',
      'for (let i = 0; i < KH; i++) {',
      'const th = this.thread.y + PH - i;',
      'const oh = Math.floor((th + 0.5) / SH);',
      'if (th >= 0 && oh * SH == th && oh < OH) {',
      'for (let j = 0; j < KW; j++) {',
      'const tw = this.thread.x + PW - j;',
      'const ow = Math.floor((tw + 0.5) / SW);',
      'if (tw >= 0 && ow * SW == tw && ow < OW) {',
      ...divisor('oh', 'ow'),
      'acc += gy[plane + oh * OW + ow] / d;',
      '}', '}', '}', '}',
      'return acc;',
    ].join('\n'),
  };
}
