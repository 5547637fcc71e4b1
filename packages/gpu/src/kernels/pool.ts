/**
 * 2-d max and average pooling (NCHW, contiguous), forward and backward, gather-style as the
 * convolutions (see `conv2d.ts`), with the CPU reference's PyTorch semantics: padding is never
 * selected, a NaN wins (the last one), indices are flat within each h*w plane.
 */
import type { Pool2dGeometry } from '@tsgrad/ndarray';
import type { KernelSpec } from '../runner.js';
import { compensated } from './accumulate.js';
import { taps } from './taps.js';

/** The geometry's sizes under the names the kernel bodies use. */
function constants(g: Pool2dGeometry): Record<string, number> {
  return {
    H: g.h, W: g.w, KH: g.kh, KW: g.kw, SH: g.strideH, SW: g.strideW, PH: g.padH, PW: g.padW,
    DH: g.dilationH, DW: g.dilationW, OH: g.oh, OW: g.ow,
    KHS: Math.ceil(g.kh / g.strideH), KWS: Math.ceil(g.kw / g.strideW),
  };
}

/** The window scan of max pooling; `result` is `best` (values) or `at` (indices). Grid `[OW, OH, N*C]`. */
function maxPoolBody(result: 'best' | 'at'): string {
  return [
    'const plane = this.thread.z * H * W;',
    // an all -Infinity window reports its first in-bounds tap, as PyTorch
    'let ih0 = this.thread.y * SH - PH;',
    'while (ih0 < 0) {', 'ih0 += DH;', '}',
    'let iw0 = this.thread.x * SW - PW;',
    'while (iw0 < 0) {', 'iw0 += DW;', '}',
    // starting from that tap, not -Infinity, which GLSL has no literal for (gpu.js writes -3.4e38)
    'let at = ih0 * W + iw0;',
    'let best = x[plane + at];',
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
 * const geometry = { n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 2, ow: 2 };
 * maxPoolKernel(geometry, 'values').key; // 'maxPool:values'
 */
export function maxPoolKernel(g: Pool2dGeometry, output: 'values' | 'indices'): KernelSpec {
  return { key: `maxPool:${output}`, params: [['x', 'Array']], constants: constants(g), body: maxPoolBody(output === 'values' ? 'best' : 'at') };
}

/**
 * The max pooling gradient: each input sums the gradients of the outputs that selected it,
 * looking only at the windows (of the forward geometry `g`) that contain it. Grid `[W, H, N*C]`.
 *
 * @example
 * const geometry = { n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 2, ow: 2 };
 * maxPoolBackwardKernel(geometry).key; // 'maxPoolBackward'
 */
export function maxPoolBackwardKernel(g: Pool2dGeometry): KernelSpec {
  const dilated = g.dilationH !== 1 || g.dilationW !== 1;
  const add = ['if (idx[plane + oh * OW + ow] == me) {', 'acc += gy[plane + oh * OW + ow];', '}'];
  return {
    key: dilated ? 'maxPoolBackward:dilated' : 'maxPoolBackward',
    params: [['gy', 'Array'], ['idx', 'Array']],
    constants: constants(g),
    body: compensated([
      'const plane = this.thread.z * OH * OW;',
      'const me = this.thread.y * W + this.thread.x;',
      'let acc = 0;',
      ...taps('y', 'KH', 'SH', 'PH', 'DH', 'OH', 'KHS', dilated, taps('x', 'KW', 'SW', 'PW', 'DW', 'OW', 'KWS', dilated, add)),
      'return acc;',
    ].join('\n')),
  };
}

/**
 * The max pooling gradient for indices of unknown windows: each input scans every output of its
 * plane for its own index (OH*OW reads per input). Grid `[W, H, N*C]`.
 *
 * @example
 * maxPoolBackwardScanKernel(4, 4, 2, 2).key; // 'maxPoolBackwardScan'
 */
export function maxPoolBackwardScanKernel(h: number, w: number, oh: number, ow: number): KernelSpec {
  return {
    key: 'maxPoolBackwardScan',
    params: [['gy', 'Array'], ['idx', 'Array']],
    constants: { H: h, W: w, OH: oh, OW: ow },
    body: compensated([
      'const plane = this.thread.z * OH * OW;',
      'const me = this.thread.y * W + this.thread.x;',
      'let acc = 0;',
      'for (let o = 0; o < OH * OW; o++) {',
      'if (idx[plane + o] == me) {',
      'acc += gy[plane + o];',
      '}', '}',
      'return acc;',
    ].join('\n')),
  };
}

/**
 * The divisor of output (oh, ow): the override when `div > 0`, else the window clipped to the
 * padded input (`CIP` = 1, count_include_pad) or to the input.
 */
const divisor = (oh: string, ow: string): string[] => [
  `const hs = ${oh} * SH - PH;`,
  `const ws = ${ow} * SW - PW;`,
  'const he = Math.min(hs + KH, H + PH);',
  'const we = Math.min(ws + KW, W + PW);',
  'let d = div;',
  'if (div <= 0) {',
  'if (CIP == 1) {', 'd = (he - hs) * (we - ws);', '} else {',
  'd = (Math.min(he, H) - Math.max(hs, 0)) * (Math.min(we, W) - Math.max(ws, 0));',
  '}', '}',
];

/**
 * Average pooling (no dilation, as PyTorch). Grid `[OW, OH, N*C]`.
 *
 * @example
 * const geometry = { n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 2, ow: 2 };
 * avgPoolKernel(geometry, true).key; // 'avgPool'
 */
export function avgPoolKernel(g: Pool2dGeometry, countIncludePad: boolean): KernelSpec {
  return {
    key: 'avgPool',
    params: [['x', 'Array'], ['div', 'Float']],
    constants: { ...constants(g), CIP: countIncludePad ? 1 : 0 },
    body: compensated([
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
    ].join('\n')),
  };
}

/**
 * The average pooling gradient: each input sums `gy / divisor` over the windows that contain it.
 * Grid `[W, H, N*C]`.
 *
 * @example
 * const geometry = { n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 2, ow: 2 };
 * avgPoolBackwardKernel(geometry, true).key; // 'avgPoolBackward'
 */
export function avgPoolBackwardKernel(g: Pool2dGeometry, countIncludePad: boolean): KernelSpec {
  const add = [...divisor('oh', 'ow'), 'acc += gy[plane + oh * OW + ow] / d;'];
  return {
    key: 'avgPoolBackward',
    params: [['gy', 'Array'], ['div', 'Float']],
    constants: { ...constants(g), DH: 1, DW: 1, CIP: countIncludePad ? 1 : 0 },
    body: compensated([
      'const plane = this.thread.z * OH * OW;',
      'let acc = 0;',
      ...taps('y', 'KH', 'SH', 'PH', 'DH', 'OH', 'KHS', false, taps('x', 'KW', 'SW', 'PW', 'DW', 'OW', 'KWS', false, add)),
      'return acc;',
    ].join('\n')),
  };
}
