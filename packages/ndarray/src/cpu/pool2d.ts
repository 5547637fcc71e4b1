/**
 * 2-d max and average pooling, forward and backward, with PyTorch's semantics (NCHW, contiguous).
 *
 * Max pooling: padding counts as -Infinity and is never selected; a NaN in the window wins (the
 * last NaN, as PyTorch's `val > max || isnan(val)` scan); `indices` are flat within each h*w plane
 * (PyTorch's `return_indices` convention) and drive the backward pass.
 *
 * Average pooling (no dilation, as PyTorch): a window is first clipped to the padded input
 * (this matters only in ceil mode, where the last window may overhang), then to the input. The
 * divisor is `divisorOverride` when given, else the padded-clipped window size with
 * `countIncludePad`, else the number of input elements in the window.
 *
 * The naive kernels compute every window's bounds with the plain formulas; the fast kernels
 * hoist them into per-row and per-column tables and run branch-free inner loops.
 */
import { checkIntegers, checkLength, type FloatArray, type Pool2dGeometry } from './kernel-types.js';
import { maxPool2dBackwardWasm, maxPool2dForwardWasm } from './wasm/pool-wasm.js';

/**
 * The reference max pooling.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const out = new Float64Array(1), idx = new Int32Array(1);
 * maxPool2dForwardNaive(new Float64Array([1, 4, 3, 2]), g, out, idx); // out = [4], idx = [1]
 */
export function maxPool2dForwardNaive(x: FloatArray, g: Pool2dGeometry, out: FloatArray, indices: Int32Array): void {
  checkPool('maxPool2dForwardNaive', g, { x, out, indices });
  const plane = g.h * g.w;
  for (let nc = 0; nc < g.n * g.c; nc++) {
    for (let y = 0; y < g.oh; y++) {
      for (let xo = 0; xo < g.ow; xo++) {
        // PyTorch starts from the first in-bounds tap, so an all -Infinity window reports it.
        let iy0 = y * g.strideH - g.padH;
        let ix0 = xo * g.strideW - g.padW;
        while (iy0 < 0) iy0 += g.dilationH;
        while (ix0 < 0) ix0 += g.dilationW;
        let best = -Infinity;
        let bestIndex = iy0 * g.w + ix0;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = y * g.strideH - g.padH + ky * g.dilationH;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = xo * g.strideW - g.padW + kx * g.dilationW;
            if (ix < 0 || ix >= g.w) continue;
            const v = x[nc * plane + iy * g.w + ix];
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestIndex = iy * g.w + ix;
            }
          }
        }
        const o = (nc * g.oh + y) * g.ow + xo;
        out[o] = best;
        indices[o] = bestIndex;
      }
    }
  }
}

/**
 * The reference max pooling gradient: each output's gradient goes to the input element it selected.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const gx = new Float64Array(4);
 * maxPool2dBackwardNaive(new Float64Array([5]), new Int32Array([1]), g, gx); // gx = [0, 5, 0, 0]
 */
export function maxPool2dBackwardNaive(gy: FloatArray, indices: Int32Array, g: Pool2dGeometry, gx: FloatArray): void {
  checkPool('maxPool2dBackwardNaive', g, { gy, indices, gx });
  gx.fill(0);
  const plane = g.h * g.w, outPlane = g.oh * g.ow;
  for (let nc = 0; nc < g.n * g.c; nc++) {
    for (let i = 0; i < outPlane; i++) {
      const at = indices[nc * outPlane + i];
      checkIndex('maxPool2dBackwardNaive', at, plane, nc * outPlane + i);
      gx[nc * plane + at] += gy[nc * outPlane + i];
    }
  }
}

/** PyTorch's average-pool window for one output coordinate: [start, end) clipped to the input, and the padded extent. */
function avgWindow(o: number, stride: number, pad: number, kernel: number, size: number): { start: number; end: number; padded: number } {
  const start = o * stride - pad;
  const end = Math.min(start + kernel, size + pad);
  return { start: Math.max(start, 0), end: Math.min(end, size), padded: end - start };
}

/**
 * The reference average pooling.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const out = new Float64Array(1);
 * avgPool2dForwardNaive(new Float64Array([1, 4, 3, 2]), g, true, undefined, out); // out = [2.5]
 */
export function avgPool2dForwardNaive(x: FloatArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined, out: FloatArray): void {
  checkPool('avgPool2dForwardNaive', g, { x, out }, divisorOverride);
  const plane = g.h * g.w;
  for (let nc = 0; nc < g.n * g.c; nc++) {
    for (let y = 0; y < g.oh; y++) {
      const wy = avgWindow(y, g.strideH, g.padH, g.kh, g.h);
      for (let xo = 0; xo < g.ow; xo++) {
        const wx = avgWindow(xo, g.strideW, g.padW, g.kw, g.w);
        const o = (nc * g.oh + y) * g.ow + xo;
        if (wy.start >= wy.end || wx.start >= wx.end) {
          out[o] = 0;
          continue;
        }
        let sum = 0;
        for (let iy = wy.start; iy < wy.end; iy++) {
          for (let ix = wx.start; ix < wx.end; ix++) sum += x[nc * plane + iy * g.w + ix];
        }
        const divisor = divisorOverride ?? (countIncludePad ? wy.padded * wx.padded : (wy.end - wy.start) * (wx.end - wx.start));
        out[o] = sum / divisor;
      }
    }
  }
}

/**
 * The reference average pooling gradient: each output's gradient, divided by its divisor, goes to every input in its window.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const gx = new Float64Array(4);
 * avgPool2dBackwardNaive(new Float64Array([8]), g, true, undefined, gx); // gx = [2, 2, 2, 2]
 */
export function avgPool2dBackwardNaive(gy: FloatArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined, gx: FloatArray): void {
  checkPool('avgPool2dBackwardNaive', g, { gy, gx }, divisorOverride);
  gx.fill(0);
  const plane = g.h * g.w;
  for (let nc = 0; nc < g.n * g.c; nc++) {
    for (let y = 0; y < g.oh; y++) {
      const wy = avgWindow(y, g.strideH, g.padH, g.kh, g.h);
      for (let xo = 0; xo < g.ow; xo++) {
        const wx = avgWindow(xo, g.strideW, g.padW, g.kw, g.w);
        if (wy.start >= wy.end || wx.start >= wx.end) continue;
        const divisor = divisorOverride ?? (countIncludePad ? wy.padded * wx.padded : (wy.end - wy.start) * (wx.end - wx.start));
        const share = gy[(nc * g.oh + y) * g.ow + xo] / divisor;
        for (let iy = wy.start; iy < wy.end; iy++) {
          for (let ix = wx.start; ix < wx.end; ix++) gx[nc * plane + iy * g.w + ix] += share;
        }
      }
    }
  }
}

/**
 * Per output coordinate along one axis, the first in-bounds tap and the number of in-bounds taps
 * (with dilation): taps are first, first+dilation, ... Computed once per call instead of per window.
 */
function tapTable(outSize: number, stride: number, pad: number, kernel: number, dilation: number, size: number): { first: Int32Array; count: Int32Array } {
  const first = new Int32Array(outSize), count = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let start = o * stride - pad;
    const end = Math.min(start + (kernel - 1) * dilation + 1, size);
    while (start < 0) start += dilation;
    first[o] = start;
    count[o] = start < end ? Math.ceil((end - start) / dilation) : 0;
  }
  return { first, count };
}

/**
 * The fast max pooling (same contract as {@link maxPool2dForwardNaive}).
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const out = new Float32Array(1), idx = new Int32Array(1);
 * maxPool2dForward(new Float32Array([1, 4, 3, 2]), g, out, idx); // out = [4], idx = [1]
 */
export function maxPool2dForward(x: FloatArray, g: Pool2dGeometry, out: FloatArray, indices: Int32Array): void {
  checkPool('maxPool2dForward', g, { x, out, indices });
  // float32 windows inside the input: the WebAssembly SIMD kernel, four outputs at a time.
  if (maxPool2dForwardWasm(x, g, out, indices)) return;
  const { h, w, oh, ow, dilationH, dilationW } = g;
  const rows = tapTable(oh, g.strideH, g.padH, g.kh, dilationH, h);
  const cols = tapTable(ow, g.strideW, g.padW, g.kw, dilationW, w);
  const plane = h * w;
  let o = 0;
  for (let base = 0; base < g.n * g.c * plane; base += plane) {
    for (let y = 0; y < oh; y++) {
      const iy0 = rows.first[y], ny = rows.count[y];
      for (let xo = 0; xo < ow; xo++) {
        const ix0 = cols.first[xo], nx = cols.count[xo];
        let bestIndex = iy0 * w + ix0;
        if (ny === 2 && nx === 2 && dilationH === 1 && dilationW === 1) {
          // The common 2x2 window, unrolled (a third faster). Starting from the first element
          // instead of -Infinity changes nothing: -Infinity > -Infinity is false either way.
          const i1 = bestIndex + 1, i2 = bestIndex + w, i3 = i2 + 1;
          let best = x[base + bestIndex];
          const v1 = x[base + i1], v2 = x[base + i2], v3 = x[base + i3];
          if (v1 > best || v1 !== v1) { best = v1; bestIndex = i1; }
          if (v2 > best || v2 !== v2) { best = v2; bestIndex = i2; }
          if (v3 > best || v3 !== v3) { best = v3; bestIndex = i3; }
          out[o] = best;
          indices[o] = bestIndex;
          o++;
          continue;
        }
        let best = -Infinity;
        let rowAt = bestIndex;
        for (let ty = 0; ty < ny; ty++) {
          let at = rowAt;
          for (let tx = 0; tx < nx; tx++) {
            const v = x[base + at];
            // v !== v is the NaN test: PyTorch lets a NaN win so it propagates.
            if (v > best || v !== v) {
              best = v;
              bestIndex = at;
            }
            at += dilationW;
          }
          rowAt += dilationH * w;
        }
        out[o] = best;
        indices[o] = bestIndex;
        o++;
      }
    }
  }
}

/**
 * The fast max pooling gradient (same contract as {@link maxPool2dBackwardNaive}).
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const gx = new Float32Array(4);
 * maxPool2dBackward(new Float32Array([5]), new Int32Array([1]), g, gx); // gx = [0, 5, 0, 0]
 */
export function maxPool2dBackward(gy: FloatArray, indices: Int32Array, g: Pool2dGeometry, gx: FloatArray): void {
  checkPool('maxPool2dBackward', g, { gy, indices, gx });
  // float32: the scatter in wasm; a bad index falls through to the loop below, which reports it.
  if (maxPool2dBackwardWasm(gy, indices, g, gx)) return;
  gx.fill(0);
  const plane = g.h * g.w, outPlane = g.oh * g.ow;
  let o = 0;
  for (let base = 0; base < g.n * g.c * plane; base += plane) {
    for (let i = 0; i < outPlane; i++, o++) {
      const at = indices[o];
      if (at < 0 || at >= plane) checkIndex('maxPool2dBackward', at, plane, o);
      gx[base + at] += gy[o];
    }
  }
}

/** Per output coordinate along one axis (average pooling): clipped start, clipped tap count, padded extent. */
function avgTable(outSize: number, stride: number, pad: number, kernel: number, size: number): { first: Int32Array; count: Int32Array; padded: Int32Array } {
  const first = new Int32Array(outSize), count = new Int32Array(outSize), padded = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const win = avgWindow(o, stride, pad, kernel, size);
    first[o] = win.start;
    count[o] = Math.max(win.end - win.start, 0);
    padded[o] = win.padded;
  }
  return { first, count, padded };
}

/**
 * The fast average pooling (same contract as {@link avgPool2dForwardNaive}).
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const out = new Float32Array(1);
 * avgPool2dForward(new Float32Array([1, 4, 3, 2]), g, false, undefined, out); // out = [2.5]
 */
export function avgPool2dForward(x: FloatArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined, out: FloatArray): void {
  checkPool('avgPool2dForward', g, { x, out }, divisorOverride);
  const { h, w, oh, ow } = g;
  const rows = avgTable(oh, g.strideH, g.padH, g.kh, h);
  const cols = avgTable(ow, g.strideW, g.padW, g.kw, w);
  const plane = h * w;
  let o = 0;
  for (let base = 0; base < g.n * g.c * plane; base += plane) {
    for (let y = 0; y < oh; y++) {
      const iy0 = rows.first[y], ny = rows.count[y];
      for (let xo = 0; xo < ow; xo++, o++) {
        const ix0 = cols.first[xo], nx = cols.count[xo];
        if (ny === 0 || nx === 0) {
          out[o] = 0;
          continue;
        }
        let sum = 0;
        for (let ty = 0, at = base + iy0 * w + ix0; ty < ny; ty++, at += w) {
          for (let tx = 0; tx < nx; tx++) sum += x[at + tx];
        }
        const divisor = divisorOverride ?? (countIncludePad ? rows.padded[y] * cols.padded[xo] : ny * nx);
        out[o] = sum / divisor;
      }
    }
  }
}

/**
 * The fast average pooling gradient (same contract as {@link avgPool2dBackwardNaive}).
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const gx = new Float32Array(4);
 * avgPool2dBackward(new Float32Array([8]), g, true, undefined, gx); // gx = [2, 2, 2, 2]
 */
export function avgPool2dBackward(gy: FloatArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined, gx: FloatArray): void {
  checkPool('avgPool2dBackward', g, { gy, gx }, divisorOverride);
  gx.fill(0);
  const { h, w, oh, ow } = g;
  const rows = avgTable(oh, g.strideH, g.padH, g.kh, h);
  const cols = avgTable(ow, g.strideW, g.padW, g.kw, w);
  const plane = h * w;
  let o = 0;
  for (let base = 0; base < g.n * g.c * plane; base += plane) {
    for (let y = 0; y < oh; y++) {
      const iy0 = rows.first[y], ny = rows.count[y];
      for (let xo = 0; xo < ow; xo++, o++) {
        const ix0 = cols.first[xo], nx = cols.count[xo];
        if (ny === 0 || nx === 0) continue;
        const divisor = divisorOverride ?? (countIncludePad ? rows.padded[y] * cols.padded[xo] : ny * nx);
        const share = gy[o] / divisor;
        for (let ty = 0, at = base + iy0 * w + ix0; ty < ny; ty++, at += w) {
          for (let tx = 0; tx < nx; tx++) gx[at + tx] += share;
        }
      }
    }
  }
}

function checkIndex(kernel: string, at: number, plane: number, position: number): void {
  if (!(at >= 0 && at < plane)) {
    throw new Error(`${kernel}: index ${at} at output position ${position} is outside the h*w plane of ${plane} elements`);
  }
}

/** Validates the geometry and the length of every buffer handed to a pooling kernel. */
function checkPool(
  kernel: string, g: Pool2dGeometry,
  buffers: Partial<Record<'x' | 'out' | 'gy' | 'gx', FloatArray>> & { indices?: Int32Array },
  divisorOverride?: number,
): void {
  checkIntegers(kernel, { n: g.n, c: g.c, h: g.h, w: g.w, padH: g.padH, padW: g.padW, oh: g.oh, ow: g.ow }, 0);
  checkIntegers(kernel, { kh: g.kh, kw: g.kw, strideH: g.strideH, strideW: g.strideW, dilationH: g.dilationH, dilationW: g.dilationW }, 1);
  if (kernel.startsWith('avg') && (g.dilationH !== 1 || g.dilationW !== 1)) {
    throw new Error(`${kernel}: average pooling has no dilation (as PyTorch), got dilation [${g.dilationH}, ${g.dilationW}]`);
  }
  if (divisorOverride !== undefined && (!Number.isFinite(divisorOverride) || divisorOverride === 0)) {
    throw new Error(`${kernel}: divisorOverride must be a non-zero number, got ${divisorOverride}`);
  }
  const dims = `n=${g.n}, c=${g.c}, h=${g.h}, w=${g.w}, oh=${g.oh}, ow=${g.ow}`;
  const input = g.n * g.c * g.h * g.w, output = g.n * g.c * g.oh * g.ow;
  if (buffers.x) checkLength(kernel, 'x', buffers.x, input, `n*c*h*w (${dims})`);
  if (buffers.gx) checkLength(kernel, 'gx', buffers.gx, input, `n*c*h*w (${dims})`);
  if (buffers.out) checkLength(kernel, 'out', buffers.out, output, `n*c*oh*ow (${dims})`);
  if (buffers.gy) checkLength(kernel, 'gy', buffers.gy, output, `n*c*oh*ow (${dims})`);
  if (buffers.indices) checkLength(kernel, 'indices', buffers.indices, output, `n*c*oh*ow (${dims})`);
}
