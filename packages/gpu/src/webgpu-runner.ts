/**
 * Kernels whose results stay on the WebGPU device: every launch returns a `WebGpuBuffer` (a
 * gpu.js `pipeline: true` buffer handle) that the next launch takes as an argument, with no
 * readback in between; `read` is the only way values come back to the host.
 *
 * Memory is explicit, as on a GPU: each buffer lives until `free` (gpu.js's `handle.delete()`),
 * and the runner counts the buffers and bytes it holds (`live`), so a caller can show that a
 * training loop frees every intermediate. Launches too large for one WebGPU dispatch are split
 * (`launch-split.ts`) and glued on the device.
 */
import { GPU } from 'gpu.js';
import { offsetKernel, placeRangeKernel, rankOf, sliceKernel, splitGrid } from './launch-split.js';
import { flatten, withConstants, type Grid, type KernelSpec, type ParamType } from './runner.js';

/** What gpu.js's webgpu `pipeline: true` kernels return: a GPU buffer handle (typed here, since gpu.js's d.ts has none). */
interface BufferHandle {
  readonly output: readonly number[];
  toArray(): Promise<unknown>;
  delete(): void;
}

function isBufferHandle(v: unknown): v is BufferHandle {
  return typeof v === 'object' && v !== null && 'output' in v && 'toArray' in v && typeof v.toArray === 'function' && 'delete' in v && typeof v.delete === 'function';
}

/**
 * A float32 buffer on the device, made by a `WebGpuRunner` (a launch or an upload).
 *
 * @example
 * await installNodeWebGPU();                 // Node: gives gpu.js a navigator.gpu
 * const r = new WebGpuRunner();
 * const b = await r.upload(new Float32Array([1, 2, 3]));
 * b.length;                                   // 3
 * await r.read(b);                            // Float32Array [1, 2, 3]
 * r.free(b);
 * r.destroy();                               // frees its compiled kernels
 */
export class WebGpuBuffer {
  /** Set by `free`: the device memory is gone. */
  freed = false;
  constructor(
    /** Elements. */
    readonly length: number,
  ) {}
}

// The gpu.js handle behind each buffer (none for an empty buffer, which has no device memory).
const handles = new WeakMap<WebGpuBuffer, BufferHandle>();

/** An argument of a device launch: a device buffer, or a number (`Integer` or `Float`, as the kernel declares). */
export type WebGpuArg = WebGpuBuffer | number;

// gpu.js settings for device-resident kernels; its d.ts lacks loopMaxIterations, hence this type.
interface PipelineSettings {
  output: number[];
  argumentTypes: Record<string, ParamType>;
  dynamicOutput: boolean;
  dynamicArguments: boolean;
  loopMaxIterations: number;
  tactic: 'precision';
  precision: 'single';
  pipeline: true;
  /** Every call gets a buffer of its own: without it a kernel reuses (overwrites) its last output. */
  immutable: true;
}

/**
 * Runs gpu.js kernels on WebGPU with their results left on the device.
 *
 * @example
 * await installNodeWebGPU();              // Node only: gives gpu.js a navigator.gpu
 * const r = new WebGpuRunner();
 * const twice: KernelSpec = { key: 'twice', params: [['a', 'Array']], body: 'return 2 * a[this.thread.x];' };
 * const a = await r.upload(new Float32Array([1, 2, 3]));
 * const b = await r.launch(twice, [3, 1, 1], [a]);    // no readback
 * const c = await r.launch(twice, [3, 1, 1], [b]);
 * await r.read(c);                                     // Float32Array [4, 8, 12]
 * [a, b, c].forEach((x) => r.free(x));
 * r.live;                                              // { buffers: 0, bytes: 0 }
 * r.destroy();
 */
export class WebGpuRunner {
  readonly mode = 'webgpu';
  private readonly gpu: GPU;
  private readonly kernels = new Map<string, { run: (...args: unknown[]) => unknown; setOutput(output: number[]): unknown }>();
  /** Kernels compiled so far (one per source and output rank). */
  compiles = 0;
  /** Dispatches so far (a split launch counts each chunk and each glue copy). */
  launches = 0;
  /** Launches split into several dispatches so far. */
  splits = 0;
  /** Values read back to the host so far. */
  reads = 0;
  private buffers = 0;
  private bytes = 0;

  constructor() {
    this.gpu = new GPU({ mode: 'webgpu' });
  }

  /** The device buffers this runner made and nobody freed yet, and their bytes. */
  get live(): { buffers: number; bytes: number } {
    return { buffers: this.buffers, bytes: this.bytes };
  }

  /**
   * Runs `spec` over `grid` and returns its results as a new device buffer (row-major, `x*y*z`).
   * Grids over WebGPU's dispatch limits run in chunks glued on the device.
   */
  async launch(spec: KernelSpec, grid: Grid, args: readonly WebGpuArg[]): Promise<WebGpuBuffer> {
    const size = grid[0] * grid[1] * grid[2];
    if (size === 0) return this.own(null, 0);
    const chunks = splitGrid(grid);
    if (chunks.length === 1) return this.dispatch(spec, grid, args);
    this.splits++;
    const shifted = offsetKernel(spec);
    let whole: WebGpuBuffer | null = null;
    for (const c of chunks) {
      const part = await this.dispatch(shifted, c.grid, [...args, ...c.start]);
      const prev: WebGpuBuffer = whole ?? part; // any buffer: unread while `first` is 1
      const next = await this.dispatch(placeRangeKernel(), [size, 1, 1], [prev, part, c.outStart, part.length, whole === null ? 1 : 0]);
      if (whole !== null) this.free(whole);
      this.free(part);
      whole = next;
    }
    if (whole === null) throw new Error(`gpu backend: kernel ${spec.key}: no chunks for grid [${grid.join(', ')}]`);
    return whole;
  }

  /** `length` elements of `b` from `start`, as a buffer of their own (`b` itself when that is all of it). */
  async slice(b: WebGpuBuffer, start: number, length: number): Promise<WebGpuBuffer> {
    if (start < 0 || start + length > b.length) throw new RangeError(`gpu backend: slice [${start}, ${start + length}) of a device buffer of ${b.length} elements`);
    return this.dispatch(sliceKernel(), [length, 1, 1], [b, start]);
  }

  /** Copies host values to a new device buffer. */
  async upload(values: Float32Array): Promise<WebGpuBuffer> {
    if (values.length === 0) return this.own(null, 0);
    return this.dispatch(sliceKernel(), [values.length, 1, 1], [values, 0]);
  }

  /** The buffer's values on the host (one `mapAsync` readback). */
  async read(b: WebGpuBuffer): Promise<Float32Array> {
    if (b.freed) throw new Error('gpu backend: read of a freed device buffer');
    const handle = handles.get(b);
    if (handle === undefined) return new Float32Array(0);
    this.reads++;
    return flatten(await handle.toArray(), b.length, 'read');
  }

  /** Releases the buffer's device memory (the buffer must not be used again). */
  free(b: WebGpuBuffer): void {
    if (b.freed) throw new Error('gpu backend: a device buffer was freed twice');
    b.freed = true;
    handles.get(b)?.delete();
    this.buffers--;
    this.bytes -= b.length * Float32Array.BYTES_PER_ELEMENT;
  }

  /** Frees every compiled kernel (buffers still held stay valid until freed). */
  destroy(): void {
    this.gpu.destroy();
    this.kernels.clear();
  }

  /** One dispatch (the grid must fit); host arrays are uploaded by gpu.js as the kernel's arguments. */
  private async dispatch(spec: KernelSpec, grid: Grid, args: readonly (WebGpuArg | Float32Array)[]): Promise<WebGpuBuffer> {
    const rank = rankOf(grid);
    const output = grid.slice(0, rank);
    const kernel = this.kernel(spec, output);
    kernel.setOutput(output);
    const values = args.map((a): unknown => {
      if (!(a instanceof WebGpuBuffer)) return a;
      if (a.freed) throw new Error(`gpu backend: kernel ${spec.key} was handed a freed device buffer`);
      // an empty buffer has no device memory; a kernel never reads it, but gpu.js needs an array
      return handles.get(a) ?? new Float32Array(1);
    });
    this.launches++;
    const result: unknown = await kernel.run(...values);
    if (!isBufferHandle(result)) throw new Error(`gpu backend: kernel ${spec.key} returned ${typeof result}, not a webgpu buffer handle (is the mode webgpu?)`);
    return this.own(result, grid[0] * grid[1] * grid[2]);
  }

  private own(handle: BufferHandle | null, length: number): WebGpuBuffer {
    this.buffers++;
    this.bytes += length * Float32Array.BYTES_PER_ELEMENT;
    const b = new WebGpuBuffer(length);
    if (handle !== null) handles.set(b, handle);
    return b;
  }

  private kernel(spec: KernelSpec, output: number[]): { run: (...args: unknown[]) => unknown; setOutput(output: number[]): unknown } {
    // gpu.js fixes a webgpu kernel's output rank (its workgroup shape) when it builds
    const key = `${spec.key}${spec.constants === undefined ? '' : JSON.stringify(spec.constants)}#${output.length}`;
    const cached = this.kernels.get(key);
    if (cached !== undefined) return cached;
    const settings: PipelineSettings = {
      output,
      argumentTypes: Object.fromEntries(spec.params),
      dynamicOutput: true,
      dynamicArguments: true,
      loopMaxIterations: 1 << 30,
      tactic: 'precision',
      precision: 'single',
      pipeline: true,
      immutable: true,
    };
    const body = spec.constants === undefined ? spec.body : withConstants(spec.body, spec.constants);
    const source = `function (${spec.params.map(([name]) => name).join(', ')}) {\n${body}\n}`;
    const compiled = this.gpu.createKernel(source, settings);
    this.compiles++;
    const entry = { run: (...args: unknown[]): unknown => Reflect.apply(compiled, undefined, args), setOutput: (o: number[]): unknown => compiled.setOutput(o) };
    this.kernels.set(key, entry);
    return entry;
  }
}
