/**
 * A typed wrapper over gpu.js: one GPU instance per mode, kernels compiled once per source
 * and reused for every shape (`dynamicOutput`), results flattened to one Float32Array.
 *
 * gpu.js's own `index.d.ts` types every kernel call as synchronous and knows no webgpu buffer
 * handle, so nothing outside this file touches gpu.js types: callers see `KernelRunner.run`.
 */
import { GPU, Texture } from 'gpu.js';
import type { Storage } from '@tsgrad/ndarray';

/** The gpu.js modes tsgrad can ask for. */
export type GpuMode = 'webgpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webasm' | 'cpu';

/**
 * Every mode, for loops in tests and the CLI's `--backend gpu:<mode>`.
 *
 * @example
 * GPU_MODES.includes('webasm'); // true
 */
export const GPU_MODES: readonly GpuMode[] = ['webgpu', 'webgl2', 'webgl', 'headlessgl', 'webasm', 'cpu'];

/** A kernel argument: a float buffer or a number (`Integer` or `Float`, as the kernel declares). */
export type KernelArg = Float32Array | number;

/**
 * The GL modes, whose kernels are fragment shaders writing float textures: results stay on the
 * device as {@link TextureBuffer}s (gpu.js `pipeline: true`) until they are read.
 *
 * @example
 * isGlMode('webgl2'); // true
 * isGlMode('webasm'); // false
 */
export function isGlMode(mode: GpuMode): boolean {
  return mode === 'webgl2' || mode === 'webgl' || mode === 'headlessgl';
}

/**
 * A kernel's result held on the device: a gpu.js float texture of `length` values, row-major
 * (a kernel reads it at a flat index whatever the grid that wrote it). Only `KernelRunner.read`
 * brings the values to the host; `delete()` frees the texture (idempotent).
 *
 * @example
 * // snippet: skip needs a browser page with WebGL2 (browser.test.ts runs the GL modes)
 * const r = new KernelRunner('webgl2');
 * const t = r.toDevice(new Float32Array([1, 2, 3])); // a TextureBuffer of length 3
 * r.read(t); // Float32Array [1, 2, 3]
 * t.delete();
 */
export class TextureBuffer {
  private deleted = false;
  constructor(
    /** The gpu.js texture (a clone that this buffer alone owns). */
    readonly texture: Texture,
    readonly length: number,
    /** Told once, when the texture is freed (the runner's count of live textures). */
    private readonly onDelete: () => void = () => {},
  ) {}

  /** Whether `delete()` was called. */
  get isDeleted(): boolean {
    return this.deleted;
  }

  /** Frees the texture; reading or launching with it afterwards throws. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.texture.delete();
    this.onDelete();
  }
}

/** Where a kernel's result lives: host memory (webasm, cpu) or a texture (the GL modes). */
export type DeviceBuffer = Float32Array | TextureBuffer;

/** A kernel argument in any mode: a host buffer, a device buffer or a number. */
export type DeviceArg = DeviceBuffer | number;

/**
 * A parameter's gpu.js type: `Array` for buffers; `Integer` for every size, stride and offset
 * (gpu.js makes numbers float32 by default, and float32 index math reads wrong elements past 2^24).
 */
export type ParamType = 'Array' | 'Integer' | 'Float';

/** How a kernel is compiled: its parameters (name and type, in call order) and its body. */
export interface KernelSpec {
  /** The cache key: the same key must always mean the same source. */
  key: string;
  params: readonly (readonly [string, ParamType])[];
  /** The body of a JavaScript function in gpu.js's kernel dialect. */
  body: string;
  /**
   * Sizes written into the body as literals (each name replaced by its value), so a kernel is
   * compiled per geometry: worth it for convolutions and pooling, whose loops then have fixed
   * bounds (measured 1.6x faster on webasm than the same sizes passed as arguments).
   */
  constants?: Readonly<Record<string, number>>;
}

/**
 * The body with each constant's name replaced by its value.
 *
 * @example
 * withConstants('return a * K;', { K: 3 }); // 'return a * 3;'
 */
export function withConstants(body: string, constants: Readonly<Record<string, number>>): string {
  let out = body;
  for (const [name, value] of Object.entries(constants)) {
    if (!Number.isInteger(value)) throw new Error(`gpu backend: kernel constant ${name} must be an integer, got ${value}`);
    out = out.replace(new RegExp(`\\b${name}\\b`, 'g'), value < 0 ? `(${value})` : String(value));
  }
  return out;
}

/** The output grid `[x, y, z]`, x fastest: element (x, y, z) lands at `(z * Y + y) * X + x`. */
export type Grid = readonly [number, number, number];

// The settings gpu.js reads; its d.ts lacks loopMaxIterations, so they are passed through this type.
export interface KernelSettings {
  output: number[];
  // GL modes: results stay in textures, a new texture per launch (immutable)
  pipeline: boolean;
  immutable: boolean;
  argumentTypes: Record<string, ParamType>;
  dynamicOutput: boolean;
  dynamicArguments: boolean;
  loopMaxIterations: number;
  tactic: 'precision';
  precision: 'single';
}

/**
 * How every tsgrad kernel is compiled: typed arguments, any output size, float32, no loop cap;
 * `onDevice` keeps each result on the device in a fresh texture or buffer (`pipeline`, `immutable`).
 *
 * @example
 * kernelSettings({ key: 'k', params: [['n', 'Integer']], body: 'return n;' }, [4, 1, 1], false).argumentTypes; // { n: 'Integer' }
 */
export function kernelSettings(spec: KernelSpec, output: number[], onDevice: boolean): KernelSettings {
  return {
    output,
    argumentTypes: Object.fromEntries(spec.params),
    dynamicOutput: true,
    dynamicArguments: true,
    loopMaxIterations: 1 << 30,
    tactic: 'precision',
    precision: 'single',
    pipeline: onDevice,
    immutable: onDevice,
  };
}

/**
 * The JavaScript function gpu.js compiles for `spec`: its parameters and its body, constants written in.
 *
 * @example
 * kernelSource({ key: 'twice', params: [['a', 'Array']], body: 'return 2 * a[this.thread.x];' });
 * // 'function (a) {\nreturn 2 * a[this.thread.x];\n}'
 */
export function kernelSource(spec: KernelSpec): string {
  const body = spec.constants === undefined ? spec.body : withConstants(spec.body, spec.constants);
  return `function (${spec.params.map(([name]) => name).join(', ')}) {\n${body}\n}`;
}

/**
 * Sees every launch while it is set on a runner (`runner.observer`): how a captured step
 * (`captured-step.ts`) writes down the kernels of one training step.
 */
export interface LaunchObserver {
  /**
   * `spec` ran over `grid` with `args` and returned `out` (a fresh buffer: host memory on
   * webasm and cpu, a texture in the GL modes, where host arrays among `args` were uploaded for
   * this launch only).
   */
  launched(spec: KernelSpec, grid: Grid, args: readonly DeviceArg[], out: DeviceBuffer): void;
  /** The host copied `parts` (each at its element offset) into the fresh buffer `out`. */
  assembled(out: Float32Array, parts: readonly { values: Float32Array; at: number }[]): void;
  /** GL modes: host `values` were copied into the new texture `out` (`toDevice`: an array's upload). */
  uploaded?(values: Float32Array, out: TextureBuffer): void;
  /** GL modes: the texture `buffer` was read back to the host as `values`. */
  read?(buffer: TextureBuffer, values: Float32Array): void;
  /** The backend did something a replay could not repeat (`what` says what). */
  refuse(what: string): void;
  /**
   * An array's storage was pointed at a new buffer (`before` → `after`): an in-place update
   * (`fill_`, `copy_`, an optimizer step). A captured step keeps such storages as its state.
   */
  replaced?(storage: Storage, before: DeviceBuffer, after: DeviceBuffer): void;
  /**
   * A fused optimizer update begins (`scalars`: its number arguments, in the order its kernels
   * take them) or ends (`null`). Those numbers change from step to step (Adam's bias
   * corrections), so a captured step takes them at replay time, not from the recording.
   */
  updating?(scalars: readonly number[] | null): void;
}

/**
 * Runs gpu.js kernels in one mode with a cache of compiled kernels.
 *
 * @example
 * const r = new KernelRunner('webasm');
 * const twice: KernelSpec = { key: 'twice', params: [['a', 'Array']], body: 'return 2 * a[this.thread.x];' };
 * r.run(twice, [3, 1, 1], [new Float32Array([1, 2, 3])]); // Float32Array [2, 4, 6]
 */
export class KernelRunner {
  readonly mode: GpuMode;
  private readonly gpu: GPU;
  private readonly kernels = new Map<string, (...args: (KernelArg | Texture)[]) => unknown>();
  /** Kernels compiled so far (a new source compiles once; a new shape does not). */
  compiles = 0;
  /** Kernel launches so far. */
  launches = 0;
  /** Launches and milliseconds (including gpu.js's argument upload and readback) per kernel key. */
  readonly timings = new Map<string, { launches: number; ms: number }>();
  /** Told of every launch while set (a captured step recording). */
  observer: LaunchObserver | null = null;
  /** GL modes: textures read back to the host so far (what `pipeline: true` keeps rare). */
  reads = 0;
  /** GL modes: host arrays copied into textures so far. */
  uploads = 0;
  /** GL modes: textures this runner made that are not deleted yet. */
  liveTextures = 0;
  /**
   * GL modes: a texture for each small host argument seen (by its values), kept for the runner's
   * life. Kernels take dummy buffers (`[0]` where an optimizer has no momentum, a `place` with
   * nothing before it) on every launch: without this, each launch would upload one.
   */
  private readonly smallArgs = new Map<string, TextureBuffer>();

  constructor(mode: GpuMode) {
    this.mode = mode;
    try {
      this.gpu = new GPU({ mode });
    } catch (e) {
      throw new Error(`gpu backend: gpu.js cannot run mode ${mode} here (${e instanceof Error ? e.message : String(e)})${isGlMode(mode) ? '; webgl2 and webgl need a browser with float textures, headlessgl the native gl package (docs/guides/gpu.md)' : ''}`);
    }
  }

  /**
   * Runs `spec` over `grid` and returns its `x * y * z` results, row-major, on the host
   * (in the GL modes the result texture is read back and freed).
   */
  run(spec: KernelSpec, grid: Grid, args: readonly DeviceArg[]): Float32Array {
    const out = this.dispatch(spec, grid, args);
    if (out instanceof Float32Array) return out;
    const values = this.read(out);
    out.delete();
    return values;
  }

  /**
   * Runs `spec` over `grid` and leaves its results where the mode computes them: a Float32Array
   * on webasm and cpu, a {@link TextureBuffer} in the GL modes, where host arrays among `args`
   * are uploaded for this launch only and textures are read in place (nothing is read back).
   */
  dispatch(spec: KernelSpec, grid: Grid, args: readonly DeviceArg[]): DeviceBuffer {
    if (this.mode === 'webgpu') throw new Error(`gpu backend: kernel ${spec.key}: webgpu kernels are asynchronous; use runAsync`);
    const [x, y, z] = grid;
    if (x * y * z === 0) return new Float32Array(0);
    const kernel = this.kernel(spec, grid);
    this.launches++;
    const start = performance.now();
    let out: DeviceBuffer;
    if (isGlMode(this.mode)) {
      // Every buffer argument is a texture, so gpu.js never sees one kernel called with two argument kinds.
      const uploads: TextureBuffer[] = [];
      const glArgs = args.map((a) => {
        if (typeof a === 'number') return a;
        const small = !(a instanceof TextureBuffer) && a.length <= SMALL_ARG;
        const t = a instanceof TextureBuffer ? a : small ? this.smallArg(a) : this.upload(a);
        if (t !== a && !small) uploads.push(t);
        if (t.isDeleted) throw new Error(`gpu backend: kernel ${spec.key} was handed a deleted texture (an array used after dispose)`);
        return t.texture;
      });
      try {
        out = this.texture(kernel(...glArgs), x * y * z, spec.key);
      } catch (e) {
        // a shader that does not compile, a texture over the context's size limit...: name kernel, mode and grid
        throw new Error(`gpu backend: kernel ${spec.key} cannot run in mode ${this.mode} on grid [${grid.join(', ')}]: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        for (const t of uploads) t.delete();
      }
      this.observer?.launched(spec, grid, args, out);
    } else {
      const hostArgs = args.map((a) => {
        if (a instanceof TextureBuffer) throw new Error(`gpu backend: kernel ${spec.key} in mode ${this.mode} was handed a GL texture`);
        return a;
      });
      out = flatten(kernel(...hostArgs), x * y * z, spec.key);
      this.observer?.launched(spec, grid, hostArgs, out);
    }
    const t = this.timings.get(spec.key) ?? { launches: 0, ms: 0 };
    t.launches++;
    t.ms += performance.now() - start;
    this.timings.set(spec.key, t);
    return out;
  }

  /**
   * `values` as a device buffer: a texture in the GL modes (one upload kernel), else `values` itself.
   */
  toDevice(values: Float32Array): DeviceBuffer {
    if (!isGlMode(this.mode) || values.length === 0) return values;
    const t = this.upload(values);
    this.observer?.uploaded?.(values, t);
    return t;
  }

  /** `values` copied into a new texture (GL modes). */
  private upload(values: Float32Array): TextureBuffer {
    const kernel = this.kernel(UPLOAD, [Math.max(1, values.length), 1, 1]);
    this.uploads++;
    return this.texture(kernel(values), values.length, UPLOAD.key);
  }

  /** The kept texture of a small host argument (GL modes): uploaded the first time its values are seen. */
  private smallArg(values: Float32Array): TextureBuffer {
    const key = Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(',');
    let t = this.smallArgs.get(key);
    if (t === undefined || t.isDeleted) {
      t = this.upload(values);
      this.smallArgs.set(key, t);
    }
    return t;
  }

  /** A GL kernel's result as a TextureBuffer counted among the live textures. */
  private texture(result: unknown, length: number, key: string): TextureBuffer {
    if (!(result instanceof Texture)) throw new Error(`gpu backend: GL kernel ${key} returned ${typeof result}, expected a texture`);
    this.liveTextures++;
    return new TextureBuffer(result, length, () => this.liveTextures--);
  }

  /** The values of a device buffer on the host (a GL texture is read back; a host buffer is returned as is). */
  read(buffer: DeviceBuffer): Float32Array {
    if (buffer instanceof Float32Array) return buffer;
    if (buffer.isDeleted) throw new Error('gpu backend: read of a deleted texture (an array used after dispose)');
    this.reads++;
    const values = flatten(buffer.texture.toArray(), buffer.length, 'read');
    this.observer?.read?.(buffer, values);
    return values;
  }

  /**
   * The GL context's renderer (WEBGL_debug_renderer_info's unmasked renderer, else RENDERER),
   * or null outside the GL modes. Compiles the upload kernel once to reach gpu.js's context.
   */
  glRenderer(): string | null {
    if (!isGlMode(this.mode)) return null;
    const kernel = this.kernel(UPLOAD, [1, 1, 1]);
    this.toDevice(new Float32Array(1));
    const gl = kernelsByRun.get(kernel);
    return gl === undefined ? null : rendererOf(Reflect.get(gl, 'context'));
  }

  /**
   * Runs `spec` as `run` does, awaiting the result: on webgpu every kernel call is a Promise
   * (the readback is `mapAsync`); on the other modes the result is already there.
   */
  async runAsync(spec: KernelSpec, grid: Grid, args: readonly KernelArg[]): Promise<Float32Array> {
    const [x, y, z] = grid;
    if (x * y * z === 0) return new Float32Array(0);
    const kernel = this.kernel(spec, grid);
    this.launches++;
    return flatten(await kernel(...args), x * y * z, spec.key);
  }

  private kernel(spec: KernelSpec, grid: Grid): (...args: (KernelArg | Texture)[]) => unknown {
    const output = [grid[0], grid[1], grid[2]];
    const key = spec.constants === undefined ? spec.key : `${spec.key}${JSON.stringify(spec.constants)}`;
    const cached = this.kernels.get(key);
    if (cached !== undefined) {
      setOutput(cached, output);
      return cached;
    }
    const kernel = this.gpu.createKernel(kernelSource(spec), kernelSettings(spec, output, isGlMode(this.mode)));
    this.compiles++;
    const mode = this.mode;
    let checked = false;
    const run = (...args: (KernelArg | Texture)[]): unknown => {
      const result = kernel(...args);
      // gpu.js degrades kernels it cannot compile to its cpu mode with a console warning; tsgrad says so instead.
      if (!checked) {
        // gpu.js's GL kernels all report mode 'gpu'
        const ran: unknown = Reflect.get(kernel.kernel.constructor, 'mode');
        if (ran !== (isGlMode(mode) ? 'gpu' : mode) || !precisionIsSingle(kernel.kernel)) {
          const reason: unknown = Reflect.get(kernel.kernel, 'fallbackReason');
          throw new Error(`gpu backend: kernel ${spec.key} ran in mode ${String(ran)}, not ${mode} (${String(reason)})`);
        }
        checked = true;
      }
      return result;
    };
    this.kernels.set(key, run);
    setOutput(run, output);
    kernelsByRun.set(run, kernel);
    return run;
  }

  /** Frees every compiled kernel (and the kept textures of small arguments). */
  destroy(): void {
    for (const t of this.smallArgs.values()) t.delete();
    this.smallArgs.clear();
    this.gpu.destroy();
    this.kernels.clear();
  }
}

// The gpu.js kernel behind each cached run function, for setOutput.
const kernelsByRun = new WeakMap<(...args: (KernelArg | Texture)[]) => unknown, { setOutput(output: number[]): unknown }>();

// Host arguments of at most this many values get a kept texture each (GL modes, `smallArg`).
const SMALL_ARG = 4;

// Copies host values into a texture (GL modes); it only ever sees host arrays.
const UPLOAD: KernelSpec = { key: 'upload', params: [['a', 'Array']], body: 'return a[this.thread.x];' };

/** gpu.js degrades float textures to 8-bit ones where a context cannot render floats: refused here. */
function precisionIsSingle(kernel: object): boolean {
  const precision: unknown = Reflect.get(kernel, 'precision');
  return precision === undefined || precision === 'single';
}

/** A GL context's renderer string, read through `getParameter` (WebGL, WebGL2 or headless-gl). */
export function rendererOf(context: unknown): string | null {
  if (typeof context !== 'object' || context === null) return null;
  const getParameter: unknown = Reflect.get(context, 'getParameter');
  const getExtension: unknown = Reflect.get(context, 'getExtension');
  if (typeof getParameter !== 'function' || typeof getExtension !== 'function') return null;
  const info: unknown = Reflect.apply(getExtension, context, ['WEBGL_debug_renderer_info']);
  const unmasked: unknown = typeof info === 'object' && info !== null ? Reflect.get(info, 'UNMASKED_RENDERER_WEBGL') : undefined;
  // 0x1f01 is RENDERER
  const renderer: unknown = Reflect.apply(getParameter, context, [typeof unmasked === 'number' ? unmasked : 0x1f01]);
  return typeof renderer === 'string' ? renderer : null;
}

function setOutput(run: (...args: (KernelArg | Texture)[]) => unknown, output: number[]): void {
  kernelsByRun.get(run)?.setOutput(output);
}

/**
 * gpu.js returns a Float32Array for 1-d output and nested arrays of rows for 2-d and 3-d: this
 * gives one row-major Float32Array of `size` values.
 *
 * @example
 * flatten([[new Float32Array([1, 2]), new Float32Array([3, 4])]], 4, 'k'); // Float32Array [1, 2, 3, 4]
 */
export function flatten(result: unknown, size: number, key: string): Float32Array {
  if (result instanceof Float32Array && result.length === size) return result;
  const out = new Float32Array(size);
  let at = 0;
  const visit = (v: unknown): void => {
    if (v instanceof Float32Array) {
      out.set(v, at);
      at += v.length;
    } else if (Array.isArray(v)) {
      for (const row of v) visit(row);
    } else {
      throw new Error(`gpu backend: kernel ${key} returned ${typeof v}, expected Float32Array rows`);
    }
  };
  visit(result);
  if (at !== size) throw new Error(`gpu backend: kernel ${key} returned ${at} values, expected ${size}`);
  return out;
}
