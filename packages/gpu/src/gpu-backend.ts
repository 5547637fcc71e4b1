/**
 * The gpu.js backend: every kernel of the Backend contract as a gpu.js kernel.
 *
 * Storage is a `GpuStorage`: one float32 buffer per array, whatever its dtype (int32 and bool
 * values are exact in float32 below 2^24, which `upload` checks), so kernels never convert.
 * In the webasm and cpu modes that buffer is host memory (gpu.js's handles there are typed
 * arrays); kernels read views through their strides (`layout.ts`), are compiled once per op
 * and reused for every shape (`runner.ts`), and compute in float32: float64 is refused with an
 * error, never computed elsewhere. In the GL modes (webgl2, webgl, headlessgl) the buffer is a
 * float texture (`TextureBuffer`): kernels read their inputs' textures and write new ones, and
 * values come to the host only when they are read (`readSync`) or a host-side step needs them.
 * In the webgpu mode every launch is queued (`webgpu-queue.ts`): a storage holds a
 * `QueuedBuffer`, a device buffer that may still be pending; reads are asynchronous only
 * (`await x.data()`), and errors found on the device side (an index out of range) are thrown
 * by the next read.
 */
import {
  IndexOutOfRangeError,
  MemoryLedger,
  NDArray,
  Storage,
  sizeOf,
  type AdamScalars,
  type Backend,
  type BackendCapabilities,
  type BackendDescription,
  type BinaryOp,
  type Conv2dGeometry,
  type DType,
  type MemoryInfo,
  type Pool2dGeometry,
  type ReduceOp,
  type RmspropScalars,
  type SgdScalars,
  type Shape,
  type TypedArray,
  type UnaryOp,
} from '@tsgrad/ndarray';
import { coalesce, slabs, type Slab, type StridedView } from './layout.js';
import { KernelRunner, TextureBuffer, isGlMode, type DeviceArg, type DeviceBuffer, type GpuMode, type Grid, type KernelSpec } from './runner.js';
import { QueuedBuffer, WebGpuQueue } from './webgpu-queue.js';
import { glDescription } from './gl.js';
import { binaryKernel, unaryKernel, whereKernel, type Cast } from './kernels/elementwise.js';
import { glBinaryKernel, glUnaryKernel } from './kernels/gl-math.js';
import { argReduceKernel, reduceKernel } from './kernels/reduce.js';
import { matmulKernel } from './kernels/matmul.js';
import { gatherKernel, indexSelectKernel, placeKernel, scatterAddKernel } from './kernels/indexing.js';
import { conv2dBackwardInputKernel, conv2dBackwardWeightKernel, conv2dKernel } from './kernels/conv2d.js';
import {
  avgPoolBackwardKernel,
  avgPoolKernel,
  maxPoolBackwardKernel,
  maxPoolBackwardScanKernel,
  maxPoolKernel,
} from './kernels/pool.js';
import { adamKernel, rmspropKernel, sgdKernel } from './kernels/optimizers.js';

/**
 * What a storage holds: host memory (webasm, cpu), a GL texture, or a webgpu device buffer that
 * may still be pending (`QueuedBuffer`).
 */
export type StoredBuffer = DeviceBuffer | QueuedBuffer;

/** A kernel argument on this backend: a stored buffer or a number. */
export type StoredArg = StoredBuffer | number;

/** An array's elements on the gpu.js backend: a float32 buffer, tagged with the array's dtype. */
export class GpuStorage extends Storage {
  private static made = 0;
  /** Storages made before this one: a captured step tells the arrays it made itself by it. */
  readonly serial: number;
  /** Holds the buffer for the ledger's release, which must not reference the storage itself. */
  readonly cell: { buffer: StoredBuffer };

  constructor(
    readonly backend: GpuBackend,
    data: StoredBuffer,
    dtype: DType,
  ) {
    super(dtype, data.length);
    this.serial = GpuStorage.made++;
    this.cell = { buffer: data };
  }

  /** The serial the next storage will get. */
  static get nextSerial(): number {
    return GpuStorage.made;
  }

  /**
   * The host buffer or GL texture (what a captured step records). Replaced, not written, by
   * in-place updates: a gpu.js kernel returns a new buffer (a texture in the GL modes). A webgpu
   * storage's buffer is `cell.buffer`, read asynchronously: asking for it here throws.
   */
  get data(): DeviceBuffer {
    const b = this.cell.buffer;
    if (b instanceof QueuedBuffer) throw new Error(`${this.backend.name}: this array lives in a webgpu device buffer (read it with await data()); a captured step records host buffers and GL textures`);
    return b;
  }

  /** Points the storage at a new buffer (the caller frees the old one if it was a texture). */
  set data(buffer: DeviceBuffer) {
    this.cell.buffer = buffer;
  }
}

// Kernels whose index math runs in float32 locals (conv, pool) stay exact below this many elements.
const FLOAT_INDEX_LIMIT = 1 << 24;

const COMPARISONS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);

const castOf = (dtype: DType): Cast => (dtype === 'bool' ? 'bool' : dtype === 'int32' ? 'int' : dtype === 'uint8' ? 'uint8' : 'none');

/**
 * A backend running every kernel as a gpu.js kernel in `mode`: at once on webasm, cpu and the GL
 * modes; queued on webgpu (`queue`), whose reads are asynchronous only (`await x.data()`).
 *
 * @example
 * import { array, useBackend } from '@tsgrad/ndarray';
 * const gpu = new GpuBackend('webasm');
 * const previous = useBackend(gpu);
 * array([1, 2, 3]).mul(2).toArray(); // [2, 4, 6]
 * useBackend(previous);
 */
export class GpuBackend implements Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** Launches this backend's kernels; a captured step (`compileStep`) replays launches through it. */
  readonly runner: KernelRunner;
  /**
   * While set, the fused optimizer updates (`sgdStep`, `adamStep`, `rmspropStep`) launch nothing
   * and hand their number arguments here instead: how a captured step that replays the update
   * learns this step's scalars (Adam's bias corrections) from the optimizer itself.
   */
  updateProbe: ((scalars: readonly number[]) => void) | null = null;
  private readonly ledger: MemoryLedger;
  // The pooling windows behind each indices storage this backend's maxPool2d made.
  private readonly poolWindows = new WeakMap<Storage, Pool2dGeometry>();
  // GL modes: textures made for one kernel's inputs (contiguous copies), freed when the op ends.
  private scratch: (TextureBuffer | QueuedBuffer)[] = [];
  // webgpu: the host values of int32 buffers uploaded from the host (a device buffer is never written in place)
  private readonly uploadedInts = new WeakMap<StoredBuffer, Float32Array>();
  private depth = 0;

  /** Whether kernels run as GL fragment shaders (webgl2, webgl, headlessgl): buffers are textures. */
  readonly gl: boolean;
  /**
   * webgpu only: the serial queue every launch, free and read goes through (its `runner.live`
   * counts the device buffers alive); null in the other modes, whose kernels return at once.
   */
  readonly queue: WebGpuQueue | null;
  /**
   * Whether kernels compile to a shading language (GLSL, WGSL) whose log, sqrt, pow, sin and cos
   * are left to the driver where JavaScript defines them (`kernels/gl-math.ts` spells them out).
   */
  private readonly shaderMath: boolean;

  constructor(readonly mode: GpuMode) {
    this.runner = new KernelRunner(mode);
    this.gl = isGlMode(mode);
    this.queue = mode === 'webgpu' ? new WebGpuQueue() : null;
    this.shaderMath = this.gl || this.queue !== null;
    this.capabilities = {
      dtypes: ['float32', 'int32', 'uint8', 'bool'],
      // webgpu results come back through mapAsync only
      syncRead: this.queue === null,
      tolerance: { float32: { atol: 1e-5, rtol: 1e-5 } },
    };
    this.name = `gpu:${mode}`;
    this.ledger = new MemoryLedger(this.name);
  }

  describe(): BackendDescription {
    if (this.gl) return glDescription(this.name, this.mode, this.runner);
    if (this.queue !== null) {
      const { buffers, bytes } = this.queue.runner.live;
      return {
        name: this.name,
        device: 'WebGPU (gpu.js webgpu: WGSL compute shaders)',
        kind: 'gpu',
        details: { mode: this.mode, compiles: this.queue.runner.compiles, launches: this.queue.runner.launches, liveBuffers: buffers, liveBytes: bytes },
      };
    }
    const device = this.mode === 'webasm' ? 'CPU (gpu.js webasm: WebAssembly, f32x4 SIMD)' : 'CPU (gpu.js cpu: JavaScript)';
    return {
      name: this.name,
      device,
      kind: 'cpu',
      details: { mode: this.mode, compiles: this.runner.compiles, launches: this.runner.launches },
    };
  }

  /**
   * Launches and milliseconds per kernel so far: launch, upload and readback together; on webgpu
   * the queue's submission time (and compilation the first time), the device running behind.
   */
  kernelTimings(): Record<string, { launches: number; ms: number }> {
    return Object.fromEntries(this.queue?.timings ?? this.runner.timings);
  }

  /** Frees every compiled kernel. */
  destroy(): void {
    this.runner.destroy();
    this.queue?.runner.destroy();
  }

  // ---------------------------------------------------------------- memory

  allocate(dtype: DType, size: number): Storage {
    this.checkDType(dtype);
    return this.wrap(this.toDevice(new Float32Array(size)), dtype);
  }

  upload(data: TypedArray, dtype: DType): Storage {
    this.checkDType(dtype);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (dtype === 'bool') out[i] = v !== 0 ? 1 : 0;
      else if (dtype === 'uint8') out[i] = Math.trunc(v) & 255;
      else if (dtype === 'int32') {
        const t = Math.trunc(v) | 0;
        if (Math.abs(t) > FLOAT_INDEX_LIMIT) {
          throw new RangeError(`${this.name}: int32 value ${t} at element ${i} is not exact in float32 (the gpu backend holds |int32| <= 2^24)`);
        }
        out[i] = t;
      } else out[i] = v;
    }
    const buffer = this.toDevice(out);
    // webgpu: int32 values uploaded from the host are remembered, so indices (labels) are range-checked without a readback
    if (this.queue !== null && dtype === 'int32') this.uploadedInts.set(buffer, out);
    return this.wrap(buffer, dtype);
  }

  readSync(x: NDArray): TypedArray {
    if (this.queue !== null) {
      throw new Error(`${this.name}: synchronous reads are not available (webgpu kernels run asynchronously and values come back through mapAsync): use await x.data(), await x.toArrayAsync() or await x.toAsync(backend); shape [${x.shape.join(', ')}], ${x.dtype}`);
    }
    return this.typed(x, this.scoped(() => this.runner.read(this.device(this.operand(x)))));
  }

  read(x: NDArray): Promise<TypedArray> {
    const queue = this.queue;
    if (queue === null) return Promise.resolve(this.readSync(x));
    // the read is queued inside the scope, so a copy made for a view is freed after it
    const values = this.scoped(() => queue.read(this.queued(this.operand(x))));
    return values.then((v) => this.typed(x, v));
  }

  /** Values read from x's buffer as x's dtype's typed array (a float32 copy where they share memory with the storage). */
  private typed(x: NDArray, values: Float32Array): TypedArray {
    switch (x.dtype) {
      case 'float32': {
        // a copy whenever the values share memory with the storage (the whole buffer or a subarray of it)
        const data = this.data(x);
        return data instanceof Float32Array && values.buffer === data.buffer ? values.slice() : values;
      }
      case 'int32':
        return Int32Array.from(values);
      default:
        return Uint8Array.from(values);
    }
  }

  fill(x: NDArray, value: number): void {
    const t = Math.trunc(value);
    const v = x.dtype === 'bool' ? (value !== 0 ? 1 : 0) : x.dtype === 'int32' ? t : x.dtype === 'uint8' ? t & 255 : value;
    const values = this.place(x.shape, x, x.shape.map(() => 0), null, v, false);
    this.write(x, values);
  }

  assign(dst: NDArray, src: NDArray): void {
    this.write(dst, this.elementwise(unaryKernel('identity', castOf(dst.dtype)), dst.shape, [src]));
  }

  release(storage: Storage): void {
    this.ledger.release(storage);
  }

  /** Runs `f`, then frees the input copies its kernels were given (GL modes; nested calls free at the outermost). */
  private scoped<T>(f: () => T): T {
    this.depth++;
    try {
      return f();
    } finally {
      if (--this.depth === 0) {
        for (const b of this.scratch) b.delete();
        this.scratch = [];
      }
    }
  }

  memory(): MemoryInfo {
    return this.ledger.info();
  }

  private wrap(data: StoredBuffer, dtype: DType): GpuStorage {
    const s = new GpuStorage(this, data, dtype);
    const cell = s.cell;
    // a texture is freed at release (or by the ledger after garbage collection); host memory by the collector
    this.ledger.track(s, () => {
      if (ownsMemory(cell.buffer)) cell.buffer.delete();
    });
    return s;
  }

  private checkDType(dtype: DType): void {
    if (!this.capabilities.dtypes.includes(dtype)) {
      throw new TypeError(`${this.name}: ${dtype} is not supported (the gpu backend stores float32, int32, uint8 and bool; it computes in float32)`);
    }
  }

  /** The buffer behind `x`, which must be this backend's. */
  private data(x: NDArray): StoredBuffer {
    const s = x.storage;
    if (!(s instanceof GpuStorage) || s.backend !== this) {
      throw new Error(`${this.name}: a kernel was handed an array of backend ${s.backend.name}: move it with .to(backend)`);
    }
    return s.cell.buffer;
  }

  /**
   * Writes `values` (row-major, x's shape) into the view `x`. The storage buffer is replaced
   * when `x` covers all of it; otherwise the view's elements are set in place, which on the
   * webasm and cpu modes, whose device memory is host memory, is a plain strided store.
   */
  private write(x: NDArray, values: StoredBuffer): void {
    const s = x.storage;
    if (!(s instanceof GpuStorage) || s.backend !== this) throw new Error(`${this.name}: cannot write into an array of backend ${s.backend.name}`);
    const old = s.cell.buffer;
    if (x.isContiguous() && x.offset === 0 && x.size === old.length) {
      if (!(old instanceof QueuedBuffer) && !(values instanceof QueuedBuffer)) this.runner.observer?.replaced?.(s, old, values);
      s.cell.buffer = values;
      if (ownsMemory(old) && old !== values) old.delete();
      return;
    }
    this.runner.observer?.refuse(`an in-place write into part of a buffer (a view of shape [${x.shape.join(', ')}])`);
    if (this.queue !== null) {
      // webgpu: through the host, in the queue (after the launches that compute `values`)
      s.cell.buffer = this.queue.rewrite(this.queued(old), this.queued(values), (host, v) => this.storeInto(host, x, v));
      this.queued(old).delete();
      this.queued(values).delete();
      return;
    }
    if (!(old instanceof Float32Array) || !(values instanceof Float32Array)) {
      // GL: a texture is written whole, so a write into part of one goes through the host (rare: fill_/copy_ on a view)
      const host = this.runner.read(this.device(old)).slice();
      this.storeInto(host, x, this.runner.read(this.device(values)));
      if (ownsMemory(values)) values.delete();
      s.cell.buffer = this.runner.toDevice(host);
      if (ownsMemory(old)) old.delete();
      return;
    }
    this.storeInto(old, x, values);
  }

  /** Stores `values` (row-major, x's shape) into the view `x` of the host buffer `data`. */
  private storeInto(data: Float32Array, x: NDArray, values: Float32Array): void {
    if (x.isContiguous()) {
      data.set(values, x.offset);
      return;
    }
    let k = 0;
    const index = new Array<number>(x.ndim).fill(0);
    for (let i = 0; i < x.size; i++) {
      let at = x.offset;
      for (let d = 0; d < x.ndim; d++) at += index[d] * x.strides[d];
      data[at] = values[k++];
      for (let d = x.ndim - 1; d >= 0; d--) {
        if (++index[d] < x.shape[d]) break;
        index[d] = 0;
      }
    }
  }

  /**
   * A new array of `shape` over `values` (float32, row-major): how a captured step hands out
   * the buffers its replay computed (gradients) as arrays.
   *
   * @example
   * const gpu = new GpuBackend('webasm');
   * gpu.adopt(new Float32Array([1, 2, 3, 4]), [2, 2], 'float32').toArray(); // [[1, 2], [3, 4]]
   */
  adopt(values: Float32Array, shape: Shape, dtype: DType): NDArray {
    if (values.length !== sizeOf(shape)) throw new Error(`${this.name}: adopt: ${values.length} values for shape [${shape.join(', ')}]`);
    // webgpu storages hold device buffers only: the values are uploaded (queued)
    return this.result(this.queue === null ? values : this.queue.upload(values), shape, dtype);
  }

  /** Kernel results (float32, row-major, already cast) as a new array of `dtype`. */
  private result(values: StoredBuffer, shape: Shape, dtype: DType): NDArray {
    this.checkDType(dtype);
    return new NDArray(this.wrap(values, dtype), shape, undefined, 0, dtype);
  }

  /**
   * The elements of `x`, row-major, as a float32 buffer of exactly x.size (a copy kernel unless
   * already so; on the host a contiguous view is a `subarray`, a texture is copied whole).
   */
  private contiguous(x: NDArray): StoredBuffer {
    const data = this.data(x);
    if (x.isContiguous() && x.offset === 0 && data.length === x.size) return data;
    if (x.isContiguous() && data instanceof Float32Array) return data.subarray(x.offset, x.offset + x.size);
    return this.elementwise(unaryKernel('identity'), x.shape, [x]);
  }

  /** `contiguous(x)` as a kernel's input: a copy it makes is freed when the op ends (inside `scoped`). */
  private operand(x: NDArray): StoredBuffer {
    const values = this.contiguous(x);
    if (ownsMemory(values) && values !== this.data(x)) {
      if (this.depth === 0) throw new Error(`${this.name}: an input copy was made outside an op's scope (a bug in the gpu backend)`);
      this.scratch.push(values);
    }
    return values;
  }

  /**
   * Throws the contract's error for the first index outside `[0, size)`. On webgpu, indices
   * uploaded from the host (labels) are checked at once on their host values; indices computed on
   * the device are checked in the queue, behind the launches computing them, and the error is
   * thrown by the next read (a readback that would otherwise wait for the device mid-step).
   */
  private checkIndices(op: string, index: NDArray, dim: number, size: number): void {
    const test = (values: Float32Array): void => {
      for (let i = 0; i < values.length; i++) {
        if (!(values[i] >= 0 && values[i] < size)) throw new IndexOutOfRangeError(op, values[i], dim, size);
      }
    };
    const queue = this.queue;
    const uploaded = this.uploadedInts.get(this.data(index));
    if (uploaded !== undefined) test(viewOf(uploaded, index));
    else if (queue !== null) this.scoped(() => queue.check(this.queued(this.operand(index)), test));
    else test(this.scoped(() => this.runner.read(this.device(this.operand(index)))));
  }

  // ---------------------------------------------------------------- the mode's launches

  /** Runs `spec` over `grid`: at once (webasm, cpu, GL), or queued on webgpu (the result may be pending). */
  private dispatch(spec: KernelSpec, grid: Grid, args: readonly StoredArg[]): StoredBuffer {
    if (this.queue === null) return this.runner.dispatch(spec, grid, args.map((a) => (typeof a === 'number' ? a : this.device(a))));
    return this.queue.launch(spec, grid, args.map((a) => (typeof a === 'number' || a instanceof Float32Array ? a : this.queued(a))));
  }

  /** Host values as a device buffer of this mode (an upload; on webasm and cpu the values themselves). */
  private toDevice(values: Float32Array): StoredBuffer {
    return this.queue === null ? this.runner.toDevice(values) : this.queue.upload(values);
  }

  /** A host buffer or texture of this backend (what its storages hold outside webgpu). */
  private device(b: StoredBuffer): DeviceBuffer {
    if (b instanceof QueuedBuffer) throw new Error(`${this.name}: a webgpu device buffer where a host buffer or texture was expected (a bug in the gpu backend)`);
    return b;
  }

  /** A webgpu buffer of this backend (the only kind its storages hold on webgpu). */
  private queued(b: StoredBuffer): QueuedBuffer {
    if (!(b instanceof QueuedBuffer)) throw new Error(`${this.name}: expected a webgpu device buffer, got ${b instanceof TextureBuffer ? 'a GL texture' : 'host memory'}`);
    return b;
  }

  // ---------------------------------------------------------------- launching

  /** x's strides for reading it over the broadcast `shape` (stride 0 on broadcast dims). */
  private broadcastView(x: NDArray, shape: Shape): StridedView {
    const lead = shape.length - x.ndim;
    return {
      strides: shape.map((size, d) => (d < lead || x.shape[d - lead] === 1 ? 0 : x.strides[d - lead])),
      offset: x.offset,
    };
  }

  /** Runs an elementwise `spec` over `shape` with each operand broadcast to it; returns contiguous float32. */
  private elementwise(spec: KernelSpec, shape: Shape, operands: readonly NDArray[]): StoredBuffer {
    const views = operands.map((x) => this.broadcastView(x, shape));
    const c = coalesce(shape, views.map((v) => v.strides));
    const data = operands.map((x) => this.data(x));
    return this.launch(spec, c.shape, views.map((v, k) => ({ strides: c.strides[k], offset: v.offset })), (slab) => {
      const args: StoredArg[] = [];
      data.forEach((d, k) => args.push(d, slab.offsets[k], ...slab.strides[k]));
      return args;
    });
  }

  /**
   * Launches `spec` once per three-dim slab of `shape`, with the arguments `argsOf` gives each slab.
   * Several slabs are glued on the host (in the GL modes: read back, glued, uploaded again).
   */
  private launch(spec: KernelSpec, shape: readonly number[], views: readonly StridedView[], argsOf: (slab: Slab) => StoredArg[]): StoredBuffer {
    const size = sizeOf(shape);
    let out: Float32Array | null = null;
    const parts: { values: Float32Array; at: number }[] = [];
    const queue = this.queue;
    if (queue !== null) {
      // webgpu: glued on the device, no readback
      const parts = [...slabs(shape, views)].map((slab) => ({ buffer: this.queued(this.dispatch(spec, slab.grid, argsOf(slab))), at: slab.outStart }));
      if (parts.length === 1 && parts[0].buffer.length === size) return parts[0].buffer;
      const whole = queue.glue(size, parts);
      for (const p of parts) p.buffer.delete();
      return whole;
    }
    for (const slab of slabs(shape, views)) {
      const result = this.dispatch(spec, slab.grid, argsOf(slab));
      if (result.length === size) return result;
      const values = this.runner.read(this.device(result));
      if (ownsMemory(result)) result.delete();
      out ??= new Float32Array(size);
      out.set(values, slab.outStart);
      parts.push({ values, at: slab.outStart });
    }
    out ??= new Float32Array(size);
    this.runner.observer?.assembled(out, parts);
    return this.runner.toDevice(out);
  }

  private checkFloatIndexLimit(kernel: string, sizes: Record<string, number>): void {
    for (const [what, size] of Object.entries(sizes)) {
      if (size >= FLOAT_INDEX_LIMIT) {
        throw new RangeError(`${this.name}: ${kernel} supports tensors below 2^24 elements; ${what} has ${size}`);
      }
    }
  }

  /** One axis reduced (kept as size 1); returns contiguous float32. */
  private reduceAxis(spec: KernelSpec, x: NDArray, axis: number): StoredBuffer {
    const shape = x.shape.filter((_, d) => d !== axis);
    const c = coalesce(shape, [x.strides.filter((_, d) => d !== axis)]);
    const data = this.data(x);
    return this.launch(spec, c.shape, [{ strides: c.strides[0], offset: x.offset }], (slab) => [
      data, slab.offsets[0], ...slab.strides[0], x.strides[axis], x.shape[axis],
    ]);
  }

  /** Undoes `toLast` on a result computed in the moved layout, as a new contiguous array. */
  private fromLast(values: StoredBuffer, movedShape: Shape, dim: number, dtype: DType): NDArray {
    const moved = this.result(values, movedShape, dtype);
    const back = toLast(moved, dim);
    if (back.isContiguous()) return back;
    const out = this.result(this.contiguous(back), back.shape, dtype);
    this.release(moved.storage);
    return out;
  }

  /**
   * `src` placed at `begin` (one entry per dim, negative crops) in an array of `shape`; elsewhere
   * `fill`, or `prev` (contiguous, `shape`) when given. `inside` false places nothing (a fill).
   */
  private place(shape: Shape, src: NDArray, begin: readonly number[], prev: StoredBuffer | null, fill: number, inside = true): StoredBuffer {
    const lead = Math.max(0, shape.length - 3);
    let offset = src.offset;
    for (let d = 0; d < lead; d++) offset -= begin[d] * src.strides[d];
    const tail = (values: readonly number[], pad: number): number[] => {
      const t = values.slice(lead);
      while (t.length < 3) t.unshift(pad);
      return t;
    };
    const [bz, by, bx] = tail(begin, 0);
    const [nz, ny, nx] = tail(src.shape, 1);
    const data = this.data(src);
    const p = prev ?? new Float32Array(1);
    return this.launch(placeKernel(), shape, [{ strides: src.strides, offset }], (slab) => {
      const within = inside && slab.lead.every((i, d) => i >= begin[d] && i < begin[d] + src.shape[d]) ? 1 : 0;
      const [gx, gy] = slab.grid;
      return [
        data, slab.offsets[0], ...slab.strides[0], bz, by, bx, nz, ny, nx, within,
        p, prev === null ? 0 : slab.outStart, gx * gy, gx, prev === null ? 1 : 0, fill,
      ];
    });
  }

  // ---------------------------------------------------------------- kernels

  copy(x: NDArray, dtype: DType): NDArray {
    return this.result(this.elementwise(unaryKernel('identity', castOf(dtype)), x.shape, [x]), x.shape, dtype);
  }

  unary(op: UnaryOp, x: NDArray, dtype: DType): NDArray {
    const spec = (this.shaderMath ? glUnaryKernel(op) : null) ?? unaryKernel(op);
    return this.result(this.elementwise(spec, x.shape, [x]), x.shape, dtype);
  }

  binary(op: BinaryOp, a: NDArray, b: NDArray, shape: Shape, dtype: DType): NDArray {
    const spec = (this.shaderMath ? glBinaryKernel(op) : null) ?? binaryKernel(op);
    return this.result(this.elementwise(spec, shape, [a, b]), shape, COMPARISONS.has(op) ? 'bool' : dtype);
  }

  where(cond: NDArray, a: NDArray, b: NDArray, shape: Shape, dtype: DType): NDArray {
    return this.result(this.elementwise(whereKernel(castOf(dtype)), shape, [cond, a, b]), shape, dtype);
  }

  reduce(op: ReduceOp, x: NDArray, axes: readonly number[], dtype: DType): NDArray {
    // One axis after another; each intermediate is a contiguous float32 array of this backend.
    let current = x;
    for (const axis of axes) {
      if (current.shape[axis] === 1) continue;
      const shape = current.shape.map((s, d) => (d === axis ? 1 : s));
      const next = this.result(this.reduceAxis(reduceKernel(op), current, axis), shape, 'float32');
      // an intermediate is freed now, not when the collector finds it (it may hold a texture)
      if (current !== x) this.release(current.storage);
      current = next;
    }
    if (current !== x && current.dtype === dtype) return current;
    const out = this.copy(current, dtype);
    if (current !== x) this.release(current.storage);
    return out;
  }

  argReduce(op: 'max' | 'min', x: NDArray, axis: number): { values: NDArray; indices: NDArray } {
    const shape = x.shape.map((s, d) => (d === axis ? 1 : s));
    return {
      values: this.result(this.reduceAxis(reduceKernel(op), x, axis), shape, x.dtype),
      indices: this.result(this.reduceAxis(argReduceKernel(op), x, axis), shape, 'int32'),
    };
  }

  matmul(a: NDArray, b: NDArray): NDArray {
    const nd = a.ndim;
    const [m, k, n] = [a.shape[nd - 2], a.shape[nd - 1], b.shape[nd - 1]];
    const batch = a.shape.slice(0, nd - 2);
    const c = coalesce(batch, [a.strides.slice(0, nd - 2), b.strides.slice(0, nd - 2)]);
    // The grid is [n, m, last batch dim]; batch dims above it become slabs.
    const shape = [...c.shape.slice(0, -1), c.shape.at(-1) ?? 1, m, n];
    const views: StridedView[] = [
      { strides: [...c.strides[0].slice(0, -1), c.strides[0].at(-1) ?? 0, a.strides[nd - 2], 0], offset: a.offset },
      { strides: [...c.strides[1].slice(0, -1), c.strides[1].at(-1) ?? 0, 0, b.strides[nd - 1]], offset: b.offset },
    ];
    const [ad, bd] = [this.data(a), this.data(b)];
    const values = this.launch(matmulKernel(), shape, views, (slab) => [
      ad, slab.offsets[0], slab.strides[0][0], slab.strides[0][1], a.strides[nd - 1],
      bd, slab.offsets[1], slab.strides[1][0], b.strides[nd - 2], slab.strides[1][2],
      k,
    ]);
    return this.result(values, [...batch, m, n], a.dtype);
  }

  gather(x: NDArray, dim: number, index: NDArray): NDArray {
    this.checkIndices('gather', index, dim, x.shape[dim]);
    const [xs, is] = [toLast(x, dim), toLast(index, dim)];
    const [xd, id] = [this.data(xs), this.data(is)];
    const values = this.launch(gatherKernel(), is.shape, [xs, is], (slab) => [
      xd, slab.offsets[0], ...slab.strides[0], id, slab.offsets[1], ...slab.strides[1],
    ]);
    return this.fromLast(values, is.shape, dim, x.dtype);
  }

  scatterAdd(x: NDArray, dim: number, index: NDArray, src: NDArray): NDArray {
    this.checkIndices('scatterAdd', index, dim, x.shape[dim]);
    const [xs, is, ss] = [toLast(x, dim), toLast(index, dim), toLast(src, dim)];
    const [xd, id, sd] = [this.data(xs), this.data(is), this.data(ss)];
    const r = xs.ndim;
    const size = (d: number): number => (d >= 0 ? is.shape[d] : 1);
    const values = this.launch(scatterAddKernel(), xs.shape, [xs, is, ss], (slab) => {
      const inIndex = slab.lead.every((i, d) => i < is.shape[d]);
      return [
        xd, slab.offsets[0], ...slab.strides[0], id, slab.offsets[1], ...slab.strides[1],
        sd, slab.offsets[2], ...slab.strides[2],
        inIndex ? size(r - 3) : 0, size(r - 2), is.shape[r - 1],
      ];
    });
    return this.fromLast(values, xs.shape, dim, x.dtype);
  }

  indexSelect(x: NDArray, dim: number, index: NDArray): NDArray {
    this.checkIndices('indexSelect', index, dim, x.shape[dim]);
    const xs = toLast(x, dim);
    const shape = [...xs.shape.slice(0, -1), index.size];
    const [xd, id] = [this.data(xs), this.data(index)];
    const values = this.launch(indexSelectKernel(), shape, [xs], (slab) => [
      xd, slab.offsets[0], ...slab.strides[0], id, index.offset, index.strides[0] ?? 1,
    ]);
    return this.fromLast(values, shape, dim, x.dtype);
  }

  cat(xs: readonly NDArray[], dim: number, dtype: DType): NDArray {
    const shape = xs[0].shape.slice();
    shape[dim] = xs.reduce((n, x) => n + x.shape[dim], 0);
    let values: StoredBuffer | null = null;
    let start = 0;
    for (const x of xs) {
      const begin = shape.map((_, d) => (d === dim ? start : 0));
      const prev = values;
      values = this.place(shape, x, begin, prev, 0);
      if (prev !== null && ownsMemory(prev)) prev.delete();
      start += x.shape[dim];
    }
    return this.result(values ?? new Float32Array(0), shape, dtype);
  }

  pad(x: NDArray, pads: readonly (readonly [number, number])[], value: number): NDArray {
    const shape = x.shape.map((s, d) => s + pads[d][0] + pads[d][1]);
    return this.result(this.place(shape, x, pads.map(([before]) => before), null, value), shape, x.dtype);
  }

  conv2d(x: NDArray, w: NDArray, g: Conv2dGeometry): NDArray {
    return this.scoped(() => {
      const out = [g.n, g.o, g.oh, g.ow];
      this.checkFloatIndexLimit('conv2d', { input: x.size, weight: w.size, output: sizeOf(out) });
      const values = this.dispatch(conv2dKernel(g), [g.ow, g.oh, g.n * g.o], [this.operand(x), this.operand(w)]);
      return this.result(values, out, x.dtype);
    });
  }

  conv2dBackwardInput(gy: NDArray, w: NDArray, g: Conv2dGeometry): NDArray {
    return this.scoped(() => {
      const out = [g.n, g.c, g.h, g.w];
      this.checkFloatIndexLimit('conv2dBackwardInput', { gradOutput: gy.size, weight: w.size, gradInput: sizeOf(out) });
      const values = this.dispatch(conv2dBackwardInputKernel(g), [g.w, g.h, g.n * g.c], [this.operand(gy), this.operand(w)]);
      return this.result(values, out, gy.dtype);
    });
  }

  conv2dBackwardWeight(gy: NDArray, x: NDArray, g: Conv2dGeometry): NDArray {
    return this.scoped(() => {
      const out = [g.o, g.c / g.groups, g.kh, g.kw];
      this.checkFloatIndexLimit('conv2dBackwardWeight', { gradOutput: gy.size, input: x.size });
      const values = this.dispatch(conv2dBackwardWeightKernel(g), [g.kw, g.kh, out[0] * out[1]], [this.operand(gy), this.operand(x)]);
      return this.result(values, out, gy.dtype);
    });
  }

  maxPool2d(x: NDArray, g: Pool2dGeometry): { values: NDArray; indices: NDArray } {
    return this.scoped(() => {
      const out = [g.n, g.c, g.oh, g.ow];
      this.checkFloatIndexLimit('maxPool2d', { input: x.size });
      const data = this.operand(x);
      const grid = [g.ow, g.oh, g.n * g.c] as const;
      const indices = this.result(this.dispatch(maxPoolKernel(g, 'indices'), grid, [data]), out, 'int32');
      this.poolWindows.set(indices.storage, g);
      return { values: this.result(this.dispatch(maxPoolKernel(g, 'values'), grid, [data]), out, x.dtype), indices };
    });
  }

  maxPool2dBackward(gy: NDArray, indices: NDArray, g: Pool2dGeometry): NDArray {
    return this.scoped(() => {
      this.checkFloatIndexLimit('maxPool2dBackward', { gradInput: g.n * g.c * g.h * g.w });
      // The contract passes only the shapes; indices this backend made know their windows, and then
      // each input visits only the windows that contain it, not every output of its plane.
      const windows = this.poolWindows.get(indices.storage);
      const grid = [g.w, g.h, g.n * g.c] as const;
      const args = [this.operand(gy), this.operand(indices)];
      const values =
        windows !== undefined && windows.oh === g.oh && windows.ow === g.ow && indices.isContiguous()
          ? this.dispatch(maxPoolBackwardKernel(windows), grid, args)
          : this.dispatch(maxPoolBackwardScanKernel(g.h, g.w, g.oh, g.ow), grid, args);
      return this.result(values, [g.n, g.c, g.h, g.w], gy.dtype);
    });
  }

  avgPool2d(x: NDArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined): NDArray {
    return this.scoped(() => {
      this.checkFloatIndexLimit('avgPool2d', { input: x.size });
      const values = this.dispatch(avgPoolKernel(g, countIncludePad), [g.ow, g.oh, g.n * g.c], [this.operand(x), divisorOverride ?? 0]);
      return this.result(values, [g.n, g.c, g.oh, g.ow], x.dtype);
    });
  }

  avgPool2dBackward(gy: NDArray, g: Pool2dGeometry, countIncludePad: boolean, divisorOverride: number | undefined): NDArray {
    return this.scoped(() => {
      this.checkFloatIndexLimit('avgPool2dBackward', { gradInput: g.n * g.c * g.h * g.w });
      const values = this.dispatch(avgPoolBackwardKernel(g, countIncludePad), [g.w, g.h, g.n * g.c], [this.operand(gy), divisorOverride ?? 0]);
      return this.result(values, [g.n, g.c, g.h, g.w], gy.dtype);
    });
  }

  // ---------------------------------------------------------------- fused optimizer updates

  sgdStep(param: NDArray, grad: NDArray, buf: NDArray | null, s: SgdScalars): void {
    const flags = [s.lr, s.momentum, s.dampening, s.weightDecay, buf === null ? 0 : 1, s.first ? 1 : 0, s.nesterov ? 1 : 0, s.maximize ? 1 : 0];
    if (this.updateProbe !== null) return this.updateProbe(flags);
    this.scoped(() => {
      const [p, g] = [this.operand(param), this.operand(grad)];
      const b = buf === null ? new Float32Array(1) : this.operand(buf);
      const grid = [param.size, 1, 1] as const;
      // every kernel reads the old values: run them all before writing any
      this.runner.observer?.updating?.(flags);
      const newBuf = buf === null ? null : this.dispatch(sgdKernel('buf'), grid, [p, g, b, ...flags]);
      const newParam = this.dispatch(sgdKernel('param'), grid, [p, g, b, ...flags]);
      this.runner.observer?.updating?.(null);
      this.write(param, newParam);
      if (buf !== null && newBuf !== null) this.write(buf, newBuf);
    });
  }

  adamStep(param: NDArray, grad: NDArray, m: NDArray, v: NDArray, vMax: NDArray | null, s: AdamScalars): void {
    const decay = s.decoupled ? 1 - s.lr * s.weightDecay : 1;
    const l2 = s.decoupled ? 0 : s.weightDecay;
    const scalars = [s.beta1, s.beta2, s.eps, decay, l2, s.stepSize, s.bc2Sqrt, vMax === null ? 0 : 1, s.maximize ? 1 : 0];
    if (this.updateProbe !== null) return this.updateProbe(scalars);
    this.scoped(() => {
      const [p, g, md, vd] = [this.operand(param), this.operand(grad), this.operand(m), this.operand(v)];
      const vm = vMax === null ? new Float32Array(1) : this.operand(vMax);
      const args = [p, g, md, vd, vm, ...scalars];
      const grid = [param.size, 1, 1] as const;
      this.runner.observer?.updating?.(scalars);
      const [np, nm, nv] = [this.dispatch(adamKernel('param'), grid, args), this.dispatch(adamKernel('m'), grid, args), this.dispatch(adamKernel('v'), grid, args)];
      const nvm = vMax === null ? null : this.dispatch(adamKernel('vMax'), grid, args);
      this.runner.observer?.updating?.(null);
      this.write(param, np);
      this.write(m, nm);
      this.write(v, nv);
      if (vMax !== null && nvm !== null) this.write(vMax, nvm);
    });
  }

  rmspropStep(param: NDArray, grad: NDArray, v: NDArray, buf: NDArray | null, gAvg: NDArray | null, s: RmspropScalars): void {
    const scalars = [s.lr, s.alpha, s.eps, s.weightDecay, s.momentum, buf === null ? 0 : 1, gAvg === null ? 0 : 1, s.maximize ? 1 : 0];
    if (this.updateProbe !== null) return this.updateProbe(scalars);
    this.scoped(() => {
      const one = new Float32Array(1);
      const [p, g, vd] = [this.operand(param), this.operand(grad), this.operand(v)];
      const [b, a] = [buf === null ? one : this.operand(buf), gAvg === null ? one : this.operand(gAvg)];
      const args = [p, g, vd, b, a, ...scalars];
      const grid = [param.size, 1, 1] as const;
      this.runner.observer?.updating?.(scalars);
      const np = this.dispatch(rmspropKernel('param'), grid, args);
      const nv = this.dispatch(rmspropKernel('v'), grid, args);
      const nb = buf === null ? null : this.dispatch(rmspropKernel('buf'), grid, args);
      const na = gAvg === null ? null : this.dispatch(rmspropKernel('gAvg'), grid, args);
      this.runner.observer?.updating?.(null);
      this.write(param, np);
      this.write(v, nv);
      if (buf !== null && nb !== null) this.write(buf, nb);
      if (gAvg !== null && na !== null) this.write(gAvg, na);
    });
  }
}

/**
 * Whether the backend frees `b` itself (a GL texture, a webgpu buffer) rather than leaving it to
 * the garbage collector (host memory).
 */
function ownsMemory(b: StoredBuffer): b is TextureBuffer | QueuedBuffer {
  return !(b instanceof Float32Array);
}

/** The elements of the view `x` of the host buffer `data`, row-major (`storeInto` reversed). */
function viewOf(data: Float32Array, x: NDArray): Float32Array {
  const out = new Float32Array(x.size);
  const index = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < x.size; i++) {
    let at = x.offset;
    for (let d = 0; d < x.ndim; d++) at += index[d] * x.strides[d];
    out[i] = data[at];
    for (let d = x.ndim - 1; d >= 0; d--) {
      if (++index[d] < x.shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Moves `dim` to the last position (a view). */
function toLast(x: NDArray, dim: number): NDArray {
  return dim === x.ndim - 1 ? x : x.transpose(dim, x.ndim - 1);
}

/**
 * A backend running every kernel as a gpu.js kernel in `mode`.
 *
 * @example
 * import { useBackend } from '@tsgrad/ndarray';
 * useBackend(createGpuBackend('webasm'));
 */
export function createGpuBackend(mode: GpuMode): GpuBackend {
  return new GpuBackend(mode);
}
