/**
 * The WebAssembly side of the CPU backend: one `WebAssembly.Memory`, the kernel module compiled
 * into it, and a scratch allocator. Nothing happens at import: the module is generated, compiled
 * and instantiated on the first call that needs it (a few milliseconds, once per process).
 *
 * The memory is shared wherever the engine allows it (always in Node; in a browser, on a
 * cross-origin isolated page), for worker threads (./threads.ts) and because a shared memory's
 * growth leaves earlier views of it valid: the CPU backend then keeps its arrays in it, blocks
 * from {@link WasmRuntime.allocator} (./heap-arrays.ts), and the kernels work on them in place.
 * Operands that live elsewhere are copied into the kernels' scratch for the duration of one call
 * and results copied back out. A call asks for all its scratch regions at once with
 * {@link WasmRuntime.scratch}, itself a block from the allocator; the memory only grows.
 */
import {
  emitBinary, emitRowScalar, emitRowSums, emitUnary, WASM_BINARY_OPS, WASM_UNARY_OPS, type WasmBinaryOp, type WasmUnaryOp,
} from './elementwise-kernels.js';
import { wasmFeatures } from './features.js';
import { emitCopy3d, emitPackRows, emitZero } from './copy-kernels.js';
import { emitDirectConvForward, emitDirectConvInput, emitDirectConvWeight } from './direct-conv-kernels.js';
import { emitGemmBlock } from './gemm-kernel.js';
import { emitMaxPool, emitMaxPoolBackward } from './pool-kernels.js';
import { HeapAllocator } from './heap-allocator.js';
import { buildModule, type ExportedFunction } from './module-builder.js';
import { CALLABLE_KERNELS, CallList, type KernelCalls } from './call-list.js';
import { getCpuThreads, MIN_SPLIT_MULTIPLY_ADDS, runShares, shareRange, sharesFor } from './threads.js';
import type { TypedArray } from '../../dtype.js';

/**
 * At most this many bytes of CPU storage live in the memory (which never shrinks); arrays past it
 * stay in JavaScript memory. A Table 3 training step (batch 64) holds about 40 MB at once. The rest
 * fills with arrays nobody disposed (gradients dropped by `zeroGrad`, 200 KB a step in Table 3)
 * until the garbage collector runs, and it runs late: it does not see wasm memory. A full Table 3
 * epoch peaks at about 270 MB of RSS with this budget (326 MB with 192 MB).
 */
export const STORAGE_BUDGET_BYTES = 64 * 2 ** 20;
/** The kernels' scratch block grows to at least this many bytes, in steps of this size. */
const SCRATCH_STEP_BYTES = 1 << 20;
/** A shared memory must declare its largest size: 2 GiB (address space reserved, not memory used). */
const SHARED_MAXIMUM_PAGES = 32768;

/** The compiled kernels and the memory they work in. */
export interface WasmRuntime extends KernelCalls {
  /** Whether the multiply-adds are fused (relaxed SIMD) or a multiply then an add. */
  readonly fma: boolean;
  /** Whether the memory is shared, so that worker threads can run kernels on it and storage can live in it. */
  readonly shared: boolean;
  /** The blocks of the memory: the kernels' scratch, and CPU storage where the memory is shared (./heap-arrays.ts). */
  readonly allocator: HeapAllocator;
  /** The memory's buffer now: after growth a new, longer one (a shared memory's earlier buffers stay valid). */
  buffer(): ArrayBufferLike;
  /**
   * The byte address of `array[offset]` when the array is a view into this (shared) memory, else -1:
   * a kernel then works on it in place instead of copying it into scratch.
   */
  addressOf(array: TypedArray, offset?: number): number;
  /**
   * See {@link emitGemmBlock}: C (+)= packed A · packed B, addresses in bytes. On a shared memory
   * with more than one thread (see ./threads.ts), large blocks are split across worker threads.
   */
  gemmBlock(pa: number, pb: number, c: number, mc: number, nc: number, kc: number, ldcBytes: number, accumulate: boolean): void;
  /**
   * See ./copy-kernels.ts: `dst[a*dA + b*dB + c*dC] = src[a*sA + b*sB + c*sC]` over a < nA, b < nB,
   * c < nC; addresses and strides in bytes.
   */
  copy3d(dst: number, dA: number, dB: number, dC: number, src: number, sA: number, sB: number, sC: number, nA: number, nB: number, nC: number): void;
  /**
   * See ./copy-kernels.ts: `dst[g*dGroup + p*rows*4 + r*4] = src[g*sGroup + r*pitch + p*4]` (bytes)
   * for g < groups, r < rows (a multiple of 4), p < kc: rows interleaved, by 4 x 4 transposes.
   */
  packRows(dst: number, dGroup: number, src: number, sGroup: number, pitch: number, groups: number, kc: number, rows: number): void;
  /** The same loops as {@link copy3d}, adding into dst. */
  addInto3d(dst: number, dA: number, dB: number, dC: number, src: number, sA: number, sB: number, sC: number, nA: number, nB: number, nC: number): void;
  /**
   * See ./pool-kernels.ts: max pooling with indices of `planes` planes of h x w at x into out and
   * indices (byte addresses), windows inside the input, ow >= 4; `strideTwo` when strideW is 2.
   */
  maxPool(strideTwo: boolean, x: number, out: number, indices: number, planes: number, h: number, w: number, oh: number, ow: number, kh: number, kw: number, strideH: number, strideW: number): void;
  /** See ./pool-kernels.ts: gx[indices[o]] += gy[o] plane by plane; false at an index outside the plane. */
  maxPoolBackward(gy: number, indices: number, gx: number, planes: number, plane: number, outPlane: number): boolean;
  /** Zeros `bytes` bytes (a multiple of 4) at byte address `at`. */
  zero(at: number, bytes: number): void;
  /** How many threads a kernel may be split across: the CPU thread count on a shared memory, else 1. */
  threads(): number;
  /**
   * Runs `body(calls, share)` for share = 0 .. shares-1, each share on its own thread where there
   * are threads (./threads.ts): share 0 on the calling thread, the others recorded as call lists
   * and replayed by workers. Shares must write disjoint memory and reserve any scratch they use
   * before or inside `body` (the bodies run one after the other before any kernel runs). Returns
   * false if a kernel failed (an index outside its plane in maxPoolBackward).
   */
  inShares(shares: number, body: (calls: KernelCalls, share: number) => void): boolean;
  /**
   * Reserves regions of the given sizes (in float32 elements), 16-byte aligned and disjoint, in
   * the scratch block, valid until the next call that reserves over them; returns their start
   * indices into {@link heap}'s result. Without `from`, the regions start at the block's start,
   * and the block moves to a larger one if they do not fit (earlier indices are then stale). A
   * kernel that keeps its own regions while calling another passes the other the end of its last
   * region as `from`: those regions start there and must fit in the block as it is (the first
   * call reserves room for them), else this throws.
   */
  scratch(sizes: readonly number[], from?: number): number[];
  /** A float32 view of the whole memory (a fresh view after the memory grew). */
  heap(): Float32Array;
  /** A float64 view of the whole memory. */
  heap64(): Float64Array;
}

let wasmEnabled = true;
let runtime: WasmRuntime | null | undefined;

/**
 * Turns the WebAssembly kernels on or off (on by default where WebAssembly SIMD exists); off, every
 * kernel runs its TypeScript version. For tests and benchmarks that compare the two.
 *
 * @example
 * setWasmKernels(false); // gemm now runs the TypeScript kernel
 * setWasmKernels(true);
 */
export function setWasmKernels(enabled: boolean): void {
  wasmEnabled = enabled;
}

/**
 * The runtime, created on first use; null when WebAssembly SIMD is missing or the kernels are turned off.
 *
 * @example
 * const rt = wasmRuntime();
 * if (rt !== null) rt.scratch([1024]); // [0]: one region at the start of memory
 */
export function wasmRuntime(): WasmRuntime | null {
  if (!wasmEnabled) return null;
  // Made once, with a shared memory where the engine has one (threads may be turned on later, and
  // storage in the memory must outlive any change of thread count).
  runtime ??= wasmFeatures().simd ? sharedIfPossible(wasmFeatures().relaxedSimd) : null;
  return runtime;
}

/** A runtime on a shared memory, or on a plain one where shared memories are missing (a page without cross-origin isolation). */
function sharedIfPossible(fma: boolean): WasmRuntime {
  try {
    return createWasmRuntime(fma, true);
  } catch {
    return createWasmRuntime(fma, false);
  }
}

/**
 * A fresh runtime with its own memory (the kernels use the one from {@link wasmRuntime});
 * `fma` needs relaxed SIMD; `shared` makes the memory shared, for worker threads.
 *
 * @example
 * const rt = createWasmRuntime(false);
 * const [at] = rt.scratch([8]);
 * rt.heap()[at] = 1.5;
 */
export function createWasmRuntime(fma: boolean, shared = false): WasmRuntime {
  const memory = shared
    ? new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: 1 });
  const allocator = new HeapAllocator(memory, STORAGE_BUDGET_BYTES);
  const functions: ExportedFunction[] = [
    { name: 'gemmBlock', body: emitGemmBlock(fma) },
    { name: 'rowSums', body: emitRowSums() },
    { name: 'copy3d', body: emitCopy3d(false) },
    { name: 'addInto3d', body: emitCopy3d(true) },
    { name: 'packRows', body: emitPackRows() },
    { name: 'zero', body: emitZero() },
    { name: 'maxPool', body: emitMaxPool(false) },
    { name: 'maxPoolStrideTwo', body: emitMaxPool(true) },
    { name: 'maxPoolBackward', body: emitMaxPoolBackward() },
    { name: 'directConvForward', body: emitDirectConvForward(fma) },
    { name: 'directConvWeight', body: emitDirectConvWeight(fma) },
    { name: 'directConvInput', body: emitDirectConvInput(fma) },
    ...WASM_UNARY_OPS.map((op) => ({ name: `unary_${op}`, body: emitUnary(op) })),
    ...WASM_BINARY_OPS.map((op) => ({ name: `binary_${op}`, body: emitBinary(op) })),
    ...WASM_BINARY_OPS.map((op) => ({ name: `rowScalar_${op}`, body: emitRowScalar(op) })),
  ];
  const module = new WebAssembly.Module(buildModule(functions, shared ? { minimumPages: 1, maximumPages: SHARED_MAXIMUM_PAGES, shared } : { minimumPages: 1 }));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  // The exported functions themselves, called with numbers (no wrapper: a rest-parameter wrapper
  // allocates an array per call, and the convolutions make thousands of calls a step).
  const fn = (name: string): ((...args: number[]) => number | undefined) => {
    const f = instance.exports[name];
    if (!isWasmFunction(f)) throw new Error(`wasm runtime: the kernel module exports no function ${name}`);
    return f;
  };
  const gemmBlock = fn('gemmBlock'), rowSums = fn('rowSums'), copy3d = fn('copy3d'), addInto3d = fn('addInto3d'), packRows = fn('packRows'), zero = fn('zero');
  const maxPool = fn('maxPool'), maxPoolStrideTwo = fn('maxPoolStrideTwo');
  const maxPoolBackward = fn('maxPoolBackward');
  const directConvForward = fn('directConvForward'), directConvWeight = fn('directConvWeight'), directConvInput = fn('directConvInput');
  const unary = new Map(WASM_UNARY_OPS.map((op) => [op, fn(`unary_${op}`)]));
  const binary = new Map(WASM_BINARY_OPS.map((op) => [op, fn(`binary_${op}`)]));
  const rowScalar = new Map(WASM_BINARY_OPS.map((op) => [op, fn(`rowScalar_${op}`)]));
  // Every buffer the memory has had: views into any of them are views into the memory.
  const buffers = new WeakSet<ArrayBufferLike>();
  let lastBuffer: ArrayBufferLike | undefined;
  const buffer = (): ArrayBufferLike => {
    const b = memory.buffer;
    if (b !== lastBuffer) {
      buffers.add(b);
      lastBuffer = b;
    }
    return b;
  };
  let view = new Float32Array(buffer()), view64 = new Float64Array(buffer());
  // The scratch block: byte address and size (none until the first reservation).
  let scratchAt = -1, scratchBytes = 0;
  const kernel = <K>(kernels: Map<K, (...args: number[]) => number | undefined>, op: K): ((...args: number[]) => number | undefined) => {
    const f = kernels.get(op);
    if (f === undefined) throw new Error(`wasm runtime: no kernel for ${String(op)}`);
    return f;
  };
  const elementwise = {
    unary: (op: WasmUnaryOp, x: number, out: number, bytes: number) => void kernel(unary, op)(x, out, bytes),
    binary: (op: WasmBinaryOp, a: number, b: number, out: number, bytes: number) => void kernel(binary, op)(a, b, out, bytes),
    rowScalar: (op: WasmBinaryOp, x: number, scalars: number, out: number, rowBytes: number, rows: number) => void kernel(rowScalar, op)(x, scalars, out, rowBytes, rows),
    rowSums: (x: number, rowLength: number, rows: number, out: number) => void rowSums(x, rowLength, rows, out),
  };
  const target = { module, memory, kernels: CALLABLE_KERNELS.map(fn) };
  const threads = (): number => (shared ? getCpuThreads() : 1);
  // The kernels themselves, for the calling thread's share: nothing split further.
  let failed = false;
  const direct: KernelCalls = {
    gemmBlock: (pa, pb, c, mc, nc, kc, ldcBytes, accumulate) => gemmBlock(pa, pb, c, mc, nc, kc, ldcBytes, accumulate ? 1 : 0),
    copy3d,
    addInto3d,
    packRows,
    zero,
    maxPool: (strideTwo, x, out, indices, planes, h, w, oh, ow, kh, kw, strideH, strideW) => {
      (strideTwo ? maxPoolStrideTwo : maxPool)(x, out, indices, planes, h, w, oh, ow, kh, kw, strideH, strideW);
    },
    maxPoolBackward: (gy, indices, gx, planes, plane, outPlane) => {
      if (maxPoolBackward(gy, indices, gx, planes, plane, outPlane) !== 0) failed = true;
    },
    ...elementwise,
    directConvForward,
    directConvWeight,
    directConvInput,
  };
  const inShares = (shares: number, body: (calls: KernelCalls, share: number) => void): boolean => {
    failed = false;
    if (shares > 1 && threads() > 1) {
      const posted = Math.min(shares, threads()) - 1;
      const lists = Array.from({ length: posted }, (_, i) => {
        const list = new CallList();
        body(list, i + 1);
        return list;
      });
      // The calling thread's share, and any shares beyond one per thread.
      const own = (): void => {
        body(direct, 0);
        for (let share = posted + 1; share < shares; share++) body(direct, share);
      };
      const ok = runShares(target, threads(), lists, own);
      if (ok !== undefined) return ok && !failed;
    }
    for (let share = 0; share < shares; share++) body(direct, share);
    return !failed;
  };
  return {
    fma,
    shared,
    allocator,
    buffer,
    addressOf: (array, offset = 0) => (shared && buffers.has(array.buffer) ? array.byteOffset + offset * array.BYTES_PER_ELEMENT : -1),
    gemmBlock(pa, pb, c, mc, nc, kc, ldcBytes, accumulate) {
      // Split by panels of B (columns of C), each share at least MIN_SPLIT_MULTIPLY_ADDS.
      const panels = nc / 8, shares = sharesFor(threads(), panels, mc * 8 * kc, MIN_SPLIT_MULTIPLY_ADDS);
      if (shares === 1) {
        gemmBlock(pa, pb, c, mc, nc, kc, ldcBytes, accumulate ? 1 : 0);
        return;
      }
      inShares(shares, (calls, share) => {
        const [p0, p1] = shareRange(panels, shares, share);
        if (p1 > p0) calls.gemmBlock(pa, pb + p0 * kc * 32, c + p0 * 32, mc, (p1 - p0) * 8, kc, ldcBytes, accumulate);
      });
    },
    zero,
    threads,
    inShares,
    ...elementwise,
    copy3d,
    addInto3d,
    packRows,
    maxPool: (strideTwo, x, out, indices, planes, h, w, oh, ow, kh, kw, strideH, strideW) => {
      (strideTwo ? maxPoolStrideTwo : maxPool)(x, out, indices, planes, h, w, oh, ow, kh, kw, strideH, strideW);
    },
    maxPoolBackward: (gy, indices, gx, planes, plane, outPlane) => maxPoolBackward(gy, indices, gx, planes, plane, outPlane) === 0,
    directConvForward,
    directConvWeight,
    directConvInput,
    scratch(sizes, from) {
      let bytes = 0;
      for (const size of sizes) bytes += 16 * Math.ceil(size / 4); // 4 floats = 16 bytes
      if (from === undefined && bytes > scratchBytes) {
        // A larger block; the old one is left for storage of its size.
        if (scratchAt >= 0) allocator.free(scratchAt);
        scratchBytes = Math.max(SCRATCH_STEP_BYTES, Math.ceil(bytes / SCRATCH_STEP_BYTES) * SCRATCH_STEP_BYTES);
        scratchAt = allocator.allocate(scratchBytes, true);
      }
      const first = from === undefined ? scratchAt : 16 * Math.ceil(from / 4);
      if (from !== undefined && (scratchAt < 0 || first < scratchAt || first + bytes > scratchAt + scratchBytes)) {
        throw new Error(`wasm runtime: scratch regions of ${bytes} bytes from float index ${from} do not fit in the scratch block `
          + `(bytes ${scratchAt} to ${scratchAt + scratchBytes}): the kernel's first reservation must make room for them`);
      }
      const starts: number[] = [];
      let at = first / 4;
      for (const size of sizes) {
        starts.push(at);
        at += 4 * Math.ceil(size / 4);
      }
      return starts;
    },
    heap() {
      if (view.buffer !== memory.buffer) view = new Float32Array(buffer());
      return view;
    },
    heap64() {
      if (view64.buffer !== memory.buffer) view64 = new Float64Array(buffer());
      return view64;
    },
  };
}

/** Whether an export is a function: exported wasm functions take and return numbers (i32/f32/f64 here). */
function isWasmFunction(f: WebAssembly.ExportValue): f is (...args: number[]) => number | undefined {
  return typeof f === 'function';
}
