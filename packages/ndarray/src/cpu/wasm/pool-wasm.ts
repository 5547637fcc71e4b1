/**
 * Float32 max pooling on the WebAssembly SIMD kernel (./pool-kernels.ts), four outputs at a time.
 * Where the input, the values and the indices all live in wasm memory (CPU storage usually does,
 * ./heap-arrays.ts) the kernel works on them in place; otherwise the input is copied into scratch
 * in chunks of planes, pooled there, and the values and indices copied out. Returns false, doing
 * nothing, for the cases the kernel does not take (not float32, padding or dilation, a window
 * reaching past the input, rows of fewer than four outputs, small inputs); the caller runs its
 * TypeScript loop instead.
 *
 * With threads, the planes (of each chunk) are split into shares (./threads.ts): each plane is pooled,
 * or its gradient summed, by one thread with the same instructions, so the results are the same
 * bits at any thread count.
 */
import type { FloatArray, Pool2dGeometry } from '../kernel-types.js';
import type { KernelCalls } from './call-list.js';
import { wasmRuntime, type WasmRuntime } from './runtime.js';
import { shareRange, sharesFor } from './threads.js';

/** Below this many outputs the copies in and out cost more than the TypeScript loop saves. */
const MIN_OUTPUTS = 1024;
/** At most this many input elements (4 MB) in wasm memory at once. */
const CHUNK = 1 << 20;
/** The least work a thread's share is given, in input elements read (~0.1 ms). */
const MIN_SHARE_ELEMENTS = 1 << 17;

/**
 * The fast max pooling in wasm (same contract as ../pool2d.ts's maxPool2dForward), or false.
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 8, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 4 };
 * const out = new Float32Array(4), idx = new Int32Array(4);
 * maxPool2dForwardWasm(new Float32Array(16).map((_, i) => i), g, out, idx, 0); // true; out = [9, 11, 13, 15]
 */
export function maxPool2dForwardWasm(x: FloatArray, g: Pool2dGeometry, out: FloatArray, indices: Int32Array, minOutputs = MIN_OUTPUTS): boolean {
  const planes = g.n * g.c, plane = g.h * g.w, outPlane = g.oh * g.ow;
  if (!(x instanceof Float32Array) || !(out instanceof Float32Array) || planes * outPlane < minOutputs) return false;
  if (g.padH !== 0 || g.padW !== 0 || g.dilationH !== 1 || g.dilationW !== 1 || g.ow < 4) return false;
  if ((g.oh - 1) * g.strideH + g.kh > g.h || (g.ow - 1) * g.strideW + g.kw > g.w) return false;
  const rt = wasmRuntime();
  if (rt === null) return false;
  // In place (the stride-2 kernel's last vector load reads one float past a row: past x's end, the
  // memory stays readable, see ./heap-allocator.ts).
  const xAt = rt.addressOf(x), outAt = rt.addressOf(out), indicesAt = rt.addressOf(indices);
  if (xAt >= 0 && outAt >= 0 && indicesAt >= 0) {
    inPlaneShares(rt, planes, plane, (calls, q0, q1) => calls.maxPool(g.strideW === 2, xAt + 4 * q0 * plane, outAt + 4 * q0 * outPlane, indicesAt + 4 * q0 * outPlane,
      q1 - q0, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.strideH, g.strideW));
    return true;
  }
  return maxPoolCopying(rt, x, g, out, indices);
}

/** Runs `body(calls, q0, q1)` over ranges of `planes` planes of `plane` input elements, as shares across threads. */
function inPlaneShares(rt: WasmRuntime, planes: number, plane: number, body: (calls: KernelCalls, q0: number, q1: number) => void): boolean {
  const shares = sharesFor(rt.threads(), planes, plane, MIN_SHARE_ELEMENTS);
  return rt.inShares(shares, (calls, share) => {
    const [q0, q1] = shareRange(planes, shares, share);
    if (q1 > q0) body(calls, q0, q1);
  });
}

/** {@link maxPool2dForwardWasm} through scratch, in chunks of planes. */
function maxPoolCopying(rt: WasmRuntime, x: Float32Array, g: Pool2dGeometry, out: Float32Array, indices: Int32Array): boolean {
  const planes = g.n * g.c, plane = g.h * g.w, outPlane = g.oh * g.ow;
  const chunk = Math.max(1, Math.floor(CHUNK / plane));
  // 4 floats of slack after x: the stride-2 kernel's last vector load reads one float past a row.
  const [xAt, outAt, indicesAt] = rt.scratch([chunk * plane + 4, chunk * outPlane, chunk * outPlane]);
  const shares = sharesFor(rt.threads(), Math.min(chunk, planes), plane, MIN_SHARE_ELEMENTS);
  for (let p0 = 0; p0 < planes; p0 += chunk) {
    const count = Math.min(chunk, planes - p0);
    const heap = rt.heap();
    heap.set(x.subarray(p0 * plane, (p0 + count) * plane), xAt);
    rt.inShares(shares, (calls, share) => {
      const [q0, q1] = shareRange(count, shares, share);
      if (q1 > q0) {
        calls.maxPool(g.strideW === 2, 4 * (xAt + q0 * plane), 4 * (outAt + q0 * outPlane), 4 * (indicesAt + q0 * outPlane), q1 - q0,
          g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.strideH, g.strideW);
      }
    });
    out.set(heap.subarray(outAt, outAt + count * outPlane), p0 * outPlane);
    indices.set(new Int32Array(heap.buffer, 4 * indicesAt, count * outPlane), p0 * outPlane);
  }
  return true;
}

/**
 * The max pooling gradient in wasm (same contract as ../pool2d.ts's maxPool2dBackward), or false:
 * float32, large enough, and every index inside its plane (otherwise the TypeScript loop runs and
 * reports the bad index; gx may have been partly written).
 *
 * @example
 * const g = { n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
 *   dilationH: 1, dilationW: 1, oh: 1, ow: 1 };
 * const gx = new Float32Array(4);
 * maxPool2dBackwardWasm(new Float32Array([5]), new Int32Array([1]), g, gx, 0); // true; gx = [0, 5, 0, 0]
 */
export function maxPool2dBackwardWasm(gy: FloatArray, indices: Int32Array, g: Pool2dGeometry, gx: FloatArray, minOutputs = MIN_OUTPUTS): boolean {
  const planes = g.n * g.c, plane = g.h * g.w, outPlane = g.oh * g.ow;
  if (!(gy instanceof Float32Array) || !(gx instanceof Float32Array) || planes * outPlane < minOutputs || plane === 0) return false;
  const rt = wasmRuntime();
  if (rt === null) return false;
  const gyIn = rt.addressOf(gy), indicesIn = rt.addressOf(indices), gxIn = rt.addressOf(gx);
  if (gyIn >= 0 && indicesIn >= 0 && gxIn >= 0) { // where they live (no copies)
    return inPlaneShares(rt, planes, plane, (calls, q0, q1) => {
      calls.zero(gxIn + 4 * q0 * plane, 4 * (q1 - q0) * plane);
      calls.maxPoolBackward(gyIn + 4 * q0 * outPlane, indicesIn + 4 * q0 * outPlane, gxIn + 4 * q0 * plane, q1 - q0, plane, outPlane);
    });
  }
  return maxPoolBackwardCopying(rt, gy, indices, g, gx);
}

/** {@link maxPool2dBackwardWasm} through scratch, in chunks of planes. */
function maxPoolBackwardCopying(rt: WasmRuntime, gy: Float32Array, indices: Int32Array, g: Pool2dGeometry, gx: Float32Array): boolean {
  const planes = g.n * g.c, plane = g.h * g.w, outPlane = g.oh * g.ow;
  const chunk = Math.max(1, Math.floor(CHUNK / plane));
  const [gyAt, indicesAt, gxAt] = rt.scratch([chunk * outPlane, chunk * outPlane, chunk * plane]);
  const shares = sharesFor(rt.threads(), Math.min(chunk, planes), plane, MIN_SHARE_ELEMENTS);
  for (let p0 = 0; p0 < planes; p0 += chunk) {
    const count = Math.min(chunk, planes - p0);
    const heap = rt.heap();
    heap.set(gy.subarray(p0 * outPlane, (p0 + count) * outPlane), gyAt);
    new Int32Array(heap.buffer, 4 * indicesAt, count * outPlane).set(indices.subarray(p0 * outPlane, (p0 + count) * outPlane));
    const ok = rt.inShares(shares, (calls, share) => {
      const [q0, q1] = shareRange(count, shares, share);
      if (q1 <= q0) return;
      calls.zero(4 * (gxAt + q0 * plane), 4 * (q1 - q0) * plane);
      calls.maxPoolBackward(4 * (gyAt + q0 * outPlane), 4 * (indicesAt + q0 * outPlane), 4 * (gxAt + q0 * plane), q1 - q0, plane, outPlane);
    });
    if (!ok) return false;
    gx.set(heap.subarray(gxAt, gxAt + count * plane), p0 * plane);
  }
  return true;
}
