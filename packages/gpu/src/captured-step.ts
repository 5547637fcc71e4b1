/**
 * A captured training step: the kernels of one forward and backward pass, written down once
 * and launched again for every later batch, without autograd, modules or shape logic in between.
 *
 * Why it works: on this backend a kernel never changes a buffer, it returns a new one, and an
 * array's storage only ever points at a new buffer (`GpuStorage.data`). So a step is a list of
 * launches whose arguments are either numbers (sizes, strides, offsets: the same for every
 * batch of the same shape) or buffers, and every buffer comes from one of four places:
 *
 *   value     the output of an earlier launch of the same step (an activation, a gradient)
 *   state     the current buffer of a parameter (the optimizer swaps it in after every step)
 *   input     the batch: x or y
 *   constant  made on the host while recording (the 1 that seeds backward, a dummy argument)
 *
 * Recording runs the step eagerly while the runner's observer notes each launch, then tells
 * each buffer argument's place by its ArrayBuffer (a contiguous view is a subarray of one).
 * Replaying resolves those places with this batch's buffers and launches the same kernels.
 * The optimizer then runs eagerly on the replayed gradients: its fused update is a few launches,
 * and its scalars (Adam's bias corrections) change every step, so they are not captured.
 * One number is read back per step: the loss.
 */
import { fromNDArray, type Tensor } from '@tsgrad/autograd';
import { withBackend, type DType, type NDArray, type Shape } from '@tsgrad/ndarray';
import { GpuBackend, GpuStorage } from './gpu-backend.js';
import type { Grid, KernelArg, KernelRunner, KernelSpec, LaunchObserver } from './runner.js';

/** Where a kernel argument comes from when a step is replayed (see the file comment). */
export type Source =
  | { from: 'value'; index: number; offset: number; length: number }
  | { from: 'state'; slot: number; offset: number; length: number }
  | { from: 'input'; slot: number; offset: number; length: number }
  | { from: 'constant'; data: Float32Array }
  | { from: 'number'; value: number };

/** One recorded operation: a kernel launch, or the host gluing launches' outputs into one buffer. */
export type RecordedOp =
  | { kind: 'kernel'; spec: KernelSpec; grid: Grid; args: Source[] }
  | { kind: 'assemble'; size: number; parts: { source: Source; at: number }[] };

/** Where an array of the recorded step lives: its buffer's source and its view. */
interface RecordedArray {
  source: Source;
  shape: Shape;
  dtype: DType;
}

/** One step, written down: the ops, then where the loss and each parameter's gradient are. */
export interface StepPlan {
  ops: RecordedOp[];
  loss: RecordedArray;
  grads: (RecordedArray | null)[];
  /** The batch's shapes the plan was recorded for. */
  inputShapes: [Shape, Shape];
}

/** What compileStep trains: anything with `forward` and `parameters()` (an nn Module). */
export interface StepModel {
  /** The model's output for a batch `x`. */
  forward(x: Tensor): Tensor;
  /** The tensors the optimizer updates, all on one gpu backend. */
  parameters(): Tensor[];
}

/** The loss: a function of (output, target) or a loss module (e.g. CrossEntropyLoss). */
export type StepLoss =
  | ((output: Tensor, target: Tensor) => Tensor)
  | {
      /** The loss of `output` against `target`, a scalar tensor. */
      forward(output: Tensor, target: Tensor): Tensor;
    };

/** The optimizer (any of @tsgrad/optim's). */
export interface StepOptimizer {
  /** Clears the parameters' gradients. */
  zeroGrad(): void;
  /** Updates the parameters from their gradients. */
  step(): void;
}

/**
 * Notes the launches of one step and tells each buffer argument's place: an earlier output, a
 * parameter, an input or a constant. Places are keyed by ArrayBuffer, since every kernel output
 * and every upload owns one, and a contiguous view of an array is a subarray of its buffer.
 */
class Recorder implements LaunchObserver {
  readonly ops: RecordedOp[] = [];
  private readonly places = new Map<ArrayBufferLike, { from: 'value' | 'state' | 'input'; index: number; base: number }>();
  refused: string | null = null;

  constructor(states: readonly Float32Array[], inputs: readonly Float32Array[]) {
    states.forEach((b, slot) => this.places.set(b.buffer, { from: 'state', index: slot, base: b.byteOffset }));
    inputs.forEach((b, slot) => this.places.set(b.buffer, { from: 'input', index: slot, base: b.byteOffset }));
  }

  /** The place of `b`: where its first element sits in a known buffer, or a constant. */
  source(b: Float32Array): Source {
    const place = this.places.get(b.buffer);
    if (place === undefined) return { from: 'constant', data: b };
    const offset = (b.byteOffset - place.base) / Float32Array.BYTES_PER_ELEMENT;
    if (place.from === 'value') return { from: 'value', index: place.index, offset, length: b.length };
    return { from: place.from, slot: place.index, offset, length: b.length };
  }

  launched(spec: KernelSpec, grid: Grid, args: readonly KernelArg[], out: Float32Array): void {
    const sources = args.map((a): Source => (typeof a === 'number' ? { from: 'number', value: a } : this.source(a)));
    this.output(out, { kind: 'kernel', spec, grid, args: sources });
  }

  assembled(out: Float32Array, parts: readonly { values: Float32Array; at: number }[]): void {
    this.output(out, { kind: 'assemble', size: out.length, parts: parts.map((p) => ({ source: this.source(p.values), at: p.at })) });
  }

  refuse(what: string): void {
    this.refused ??= what;
  }

  private output(out: Float32Array, op: RecordedOp): void {
    this.places.set(out.buffer, { from: 'value', index: this.ops.length, base: out.byteOffset });
    this.ops.push(op);
  }
}

/** The buffer behind `x` on `backend`, which must be a contiguous array starting at its buffer's start. */
function bufferOf(backend: GpuBackend, x: NDArray, what: string): Float32Array {
  const s = x.storage;
  if (!(s instanceof GpuStorage) || s.backend !== backend) throw new Error(`compileStep: ${what} is on backend ${s.backend.name}, not ${backend.name}`);
  if (!(s.data instanceof Float32Array)) throw new Error(`compileStep: ${what} lives in a GL texture (${backend.name}); a captured step records host buffers (webasm, cpu)`);
  return s.data;
}

/** `x` on `backend` as a contiguous array that is its whole buffer: replays bind buffers, not views. */
function ownArray(backend: GpuBackend, x: NDArray, what: string): NDArray {
  const moved = x.to(backend);
  const whole = moved.isContiguous() && moved.offset === 0 && bufferOf(backend, moved, what).length === moved.size;
  return whole ? moved : moved.clone();
}

/** The gpu backend `model`'s parameters live on. */
function backendOf(model: StepModel): GpuBackend {
  const s = model.parameters()[0]?.data.storage;
  if (!(s instanceof GpuStorage)) throw new Error(`compileStep: the model's parameters are on backend ${s?.backend.name ?? '(none: no parameters)'}; move the model with .to(gpuBackend)`);
  return s.backend;
}

/** `x`'s buffer view as a recorded array (its place, shape and dtype); contiguous arrays only. */
function recordArray(recorder: Recorder, backend: GpuBackend, x: NDArray, what: string): RecordedArray {
  if (!x.isContiguous()) throw new Error(`compileStep: ${what} is not contiguous; a captured step hands out contiguous arrays only`);
  const data = bufferOf(backend, x, what);
  return { source: recorder.source(data.subarray(x.offset, x.offset + x.size)), shape: x.shape, dtype: x.dtype };
}

/**
 * Runs one step eagerly (zeroGrad, forward, loss, backward) while writing its launches down.
 * Returns the plan and the loss tensor; the caller runs the optimizer.
 */
export function recordStep(backend: GpuBackend, model: StepModel, lossFn: StepLoss, opt: StepOptimizer, x: NDArray, y: NDArray): { plan: StepPlan; loss: Tensor } {
  const params = model.parameters();
  opt.zeroGrad();
  const recorder = new Recorder(
    params.map((p, i) => bufferOf(backend, p.data, `parameter ${i}`)),
    [bufferOf(backend, x, 'x'), bufferOf(backend, y, 'y')],
  );
  const before = params.map((p) => p.data.storage);
  backend.runner.observer = recorder;
  let loss: Tensor;
  try {
    const output = model.forward(fromNDArray(x));
    loss = typeof lossFn === 'function' ? lossFn(output, fromNDArray(y)) : lossFn.forward(output, fromNDArray(y));
    loss.backward();
  } finally {
    backend.runner.observer = null;
  }
  if (recorder.refused !== null) throw new Error(`compileStep: cannot capture this step: ${recorder.refused}`);
  params.forEach((p, i) => {
    if (p.data.storage !== before[i]) throw new Error(`compileStep: parameter ${i} was replaced during forward or backward; cannot capture`);
  });
  const plan: StepPlan = {
    ops: recorder.ops,
    loss: recordArray(recorder, backend, loss.data, 'the loss'),
    grads: params.map((p, i) => (p.grad === null ? null : recordArray(recorder, backend, p.grad.data, `the gradient of parameter ${i}`))),
    inputShapes: [x.shape, y.shape],
  };
  for (const a of [plan.loss, ...plan.grads]) {
    if (a !== null && a.source.from !== 'value' && a.source.from !== 'constant') throw new Error('compileStep: the loss and the gradients must be computed by the step');
  }
  return { plan, loss };
}

/** Runs one kernel: a runner's `run` (webasm, cpu) or `runAsync` (webgpu, whose calls are promises). */
export type Launch = (spec: KernelSpec, grid: Grid, args: readonly KernelArg[]) => Float32Array | Promise<Float32Array>;

/**
 * Launches a plan's ops in order with this batch's buffers, each op waiting for the one before;
 * returns every op's output.
 */
export async function replayStep(launch: Launch, plan: StepPlan, states: readonly Float32Array[], inputs: readonly Float32Array[]): Promise<Float32Array[]> {
  const values: Float32Array[] = [];
  const resolve = (s: Source): KernelArg => {
    switch (s.from) {
      case 'number':
        return s.value;
      case 'constant':
        return s.data;
      case 'value':
        return slice(values[s.index], s.offset, s.length);
      case 'state':
        return slice(states[s.slot], s.offset, s.length);
      case 'input':
        return slice(inputs[s.slot], s.offset, s.length);
    }
  };
  for (const op of plan.ops) {
    if (op.kind === 'kernel') {
      values.push(await launch(op.spec, op.grid, op.args.map(resolve)));
    } else {
      const out = new Float32Array(op.size);
      for (const part of op.parts) out.set(buffer(resolve(part.source)), part.at);
      values.push(out);
    }
  }
  return values;
}

/** The recorded array's elements after a replay (its buffer, as a new array's storage). */
function replayed(a: RecordedArray, values: readonly Float32Array[]): Float32Array {
  const s = a.source;
  if (s.from === 'constant') return s.data;
  if (s.from !== 'value') throw new Error(`compileStep: a recorded result comes from ${s.from}`);
  return slice(values[s.index], s.offset, s.length);
}

const slice = (b: Float32Array, offset: number, length: number): Float32Array => (offset === 0 && length === b.length ? b : b.subarray(offset, offset + length));

function buffer(a: KernelArg): Float32Array {
  if (typeof a === 'number') throw new Error('compileStep: a recorded copy names a number');
  return a;
}

const shapeKey = (shapes: readonly Shape[]): string => shapes.map((s) => `[${s.join(',')}]`).join(' ');

/** How compileStep replays. */
export interface CompileOptions {
  /**
   * A runner of another gpu.js mode to replay the recorded launches on, e.g. a webgpu runner
   * (`new KernelRunner('webgpu')` after `installNodeWebGPU()`), whose kernel calls are promises:
   * the step is recorded on the model's backend, forward and backward are replayed there (each
   * launch read back before the next), and the optimizer runs on the model's backend.
   */
  replayOn?: KernelRunner;
}

/**
 * Captures a training step: `const step = compileStep(model, lossFn, opt)`, then
 * `const loss = await step(x, y)` does what zeroGrad, forward, loss, backward and `opt.step()`
 * do, and returns the loss. The first batch of each shape is recorded while it runs eagerly;
 * later batches of that shape replay the recording (the same kernels, this batch's buffers),
 * then the optimizer updates the parameters from the replayed gradients. The model must be on a
 * GpuBackend; batches are moved there.
 *
 * A step is captured as it was recorded: host-side branches on values (checks of index ranges,
 * dropout masks drawn on the host) run only when recording. Steps that write into part of a
 * buffer, or replace a parameter's storage in forward or backward, are refused with an error.
 *
 * @example
 * import { array, randn } from '@tsgrad/ndarray';
 * const gpu = new GpuBackend('webasm');
 * const model = new Sequential(new Linear(4, 3)).to(gpu);
 * const step = compileStep(model, new CrossEntropyLoss(), new Adam(model.parameters(), { lr: 0.1 }));
 * const [x, y] = [randn([6, 4]), array([0, 1, 2, 0, 1, 2], { dtype: 'int32' })];
 * const first = await step(x, y); // recorded while it runs
 * let last = first;
 * for (let i = 0; i < 20; i++) last = await step(x, y); // replayed
 * last < first; // true
 */
export function compileStep(model: StepModel, lossFn: StepLoss, opt: StepOptimizer, options: CompileOptions = {}): (x: NDArray, y: NDArray) => Promise<number> {
  const backend = backendOf(model);
  const plans = new Map<string, StepPlan>();
  const { replayOn } = options;
  const launch: Launch = replayOn ? (spec, grid, args) => replayOn.runAsync(spec, grid, args) : (spec, grid, args) => backend.runner.run(spec, grid, args);
  return async (x: NDArray, y: NDArray): Promise<number> => {
    const [xs, ys] = [ownArray(backend, x, 'x'), ownArray(backend, y, 'y')];
    const key = shapeKey([xs.shape, ys.shape]);
    const plan = plans.get(key);
    const params = model.parameters();
    let loss: number;
    if (plan === undefined) {
      // arrays that ops make while recording (zeros, the seed of backward) are made on the backend
      const recorded = withBackend(backend, () => recordStep(backend, model, lossFn, opt, xs, ys));
      plans.set(key, recorded.plan);
      loss = recorded.loss.data.item();
    } else {
      const states = params.map((p, i) => bufferOf(backend, p.data, `parameter ${i}`));
      const values = await replayStep(launch, plan, states, [bufferOf(backend, xs, 'x'), bufferOf(backend, ys, 'y')]);
      opt.zeroGrad();
      params.forEach((p, i) => {
        const g = plan.grads[i];
        p.grad = g === null ? null : fromNDArray(backend.adopt(replayed(g, values).slice(), g.shape, g.dtype));
      });
      loss = replayed(plan.loss, values)[0];
    }
    withBackend(backend, () => opt.step());
    return loss;
  };
}
