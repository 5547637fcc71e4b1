/**
 * A typed wrapper over gpu.js: one GPU instance per mode, kernels compiled once per source
 * and reused for every shape (`dynamicOutput`), results flattened to one Float32Array.
 *
 * gpu.js's own `index.d.ts` types every kernel call as synchronous and knows no webgpu buffer
 * handle, so nothing outside this file touches gpu.js types: callers see `KernelRunner.run`.
 */
import { GPU } from 'gpu.js';
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
interface KernelSettings {
  output: number[];
  argumentTypes: Record<string, ParamType>;
  dynamicOutput: boolean;
  dynamicArguments: boolean;
  loopMaxIterations: number;
  tactic: 'precision';
  precision: 'single';
}

/**
 * Sees every launch while it is set on a runner (`runner.observer`): how a captured step
 * (`captured-step.ts`) writes down the kernels of one training step.
 */
export interface LaunchObserver {
  /** `spec` ran over `grid` with `args` and returned `out` (a fresh buffer). */
  launched(spec: KernelSpec, grid: Grid, args: readonly KernelArg[], out: Float32Array): void;
  /** The host copied `parts` (each at its element offset) into the fresh buffer `out`. */
  assembled(out: Float32Array, parts: readonly { values: Float32Array; at: number }[]): void;
  /** The backend did something a replay could not repeat (`what` says what). */
  refuse(what: string): void;
  /**
   * An array's storage was pointed at a new buffer (`before` → `after`): an in-place update
   * (`fill_`, `copy_`, an optimizer step). A captured step keeps such storages as its state.
   */
  replaced?(storage: Storage, before: Float32Array, after: Float32Array): void;
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
  private readonly kernels = new Map<string, (...args: KernelArg[]) => unknown>();
  /** Kernels compiled so far (a new source compiles once; a new shape does not). */
  compiles = 0;
  /** Kernel launches so far. */
  launches = 0;
  /** Launches and milliseconds (including gpu.js's argument upload and readback) per kernel key. */
  readonly timings = new Map<string, { launches: number; ms: number }>();
  /** Told of every launch while set (a captured step recording). */
  observer: LaunchObserver | null = null;

  constructor(mode: GpuMode) {
    this.mode = mode;
    this.gpu = new GPU({ mode });
  }

  /**
   * Runs `spec` over `grid` and returns its `x * y * z` results, row-major.
   */
  run(spec: KernelSpec, grid: Grid, args: readonly KernelArg[]): Float32Array {
    if (this.mode === 'webgpu') throw new Error(`gpu backend: kernel ${spec.key}: webgpu kernels are asynchronous; use runAsync`);
    const [x, y, z] = grid;
    if (x * y * z === 0) return new Float32Array(0);
    const kernel = this.kernel(spec, grid);
    this.launches++;
    const start = performance.now();
    const values = flatten(kernel(...args), x * y * z, spec.key);
    const t = this.timings.get(spec.key) ?? { launches: 0, ms: 0 };
    t.launches++;
    t.ms += performance.now() - start;
    this.timings.set(spec.key, t);
    this.observer?.launched(spec, grid, args, values);
    return values;
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

  private kernel(spec: KernelSpec, grid: Grid): (...args: KernelArg[]) => unknown {
    const output = [grid[0], grid[1], grid[2]];
    const key = spec.constants === undefined ? spec.key : `${spec.key}${JSON.stringify(spec.constants)}`;
    const cached = this.kernels.get(key);
    if (cached !== undefined) {
      setOutput(cached, output);
      return cached;
    }
    const settings: KernelSettings = {
      output,
      argumentTypes: Object.fromEntries(spec.params),
      dynamicOutput: true,
      dynamicArguments: true,
      loopMaxIterations: 1 << 30,
      tactic: 'precision',
      precision: 'single',
    };
    const body = spec.constants === undefined ? spec.body : withConstants(spec.body, spec.constants);
    const source = `function (${spec.params.map(([name]) => name).join(', ')}) {\n${body}\n}`;
    const kernel = this.gpu.createKernel(source, settings);
    this.compiles++;
    const mode = this.mode;
    let checked = false;
    const run = (...args: KernelArg[]): unknown => {
      const result = kernel(...args);
      // gpu.js degrades kernels it cannot compile to its cpu mode with a console warning; tsgrad says so instead.
      if (!checked) {
        const ran: unknown = Reflect.get(kernel.kernel.constructor, 'mode');
        if (ran !== mode) {
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

  /** Frees every compiled kernel. */
  destroy(): void {
    this.gpu.destroy();
    this.kernels.clear();
  }
}

// The gpu.js kernel behind each cached run function, for setOutput.
const kernelsByRun = new WeakMap<(...args: KernelArg[]) => unknown, { setOutput(output: number[]): unknown }>();

function setOutput(run: (...args: KernelArg[]) => unknown, output: number[]): void {
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
