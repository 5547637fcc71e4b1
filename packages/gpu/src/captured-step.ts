/**
 * A captured training step: the kernels of one forward pass, backward pass and optimizer update,
 * written down once and launched again for every later batch, without autograd, modules or
 * shape logic in between.
 *
 * Why it works: on this backend a kernel never changes a buffer, it returns a new one (a host
 * array on webasm and cpu, a texture in the GL modes), and an array's storage only ever points
 * at a new buffer (`GpuStorage.data`). So a step is a list of
 * launches whose arguments are numbers (sizes, strides, offsets: the same for every batch of the
 * same shape), an optimizer's scalars, or buffers, and every buffer comes from one of four places:
 *
 *   value     the output of an earlier launch of the same step (an activation, a gradient)
 *   state     a buffer that lives across steps: a parameter, an optimizer moment; the step reads
 *             it as it was before the step and leaves a new one (a write)
 *   input     the batch: x or y
 *   constant  made on the host while recording (the 1 that seeds backward, a dummy argument)
 *
 * Recording runs the step eagerly while the runner's observer notes each launch, then tells each
 * buffer argument's place by its ArrayBuffer (a contiguous view is a subarray of one) or, in the
 * GL modes, by its texture (a constant's values are kept on the host); arrays
 * pointed at a new buffer by an in-place update (the optimizer's) become states with a write.
 * The numbers of a fused optimizer update are `scalar` places: Adam's bias corrections change
 * every step, so each replay first runs `opt.step()` with the backend's `updateProbe` set, which
 * advances the optimizer's counters and hands over this step's scalars without launching.
 * Replaying resolves the places with this batch's buffers and launches the same kernels, on the
 * host (`replayStep`), on the WebGPU device with every buffer kept there (`webgpu-step.ts`), or
 * on a GL backend's own textures (`gl-step.ts`). One number is read back per step: the loss.
 */
import { fromNDArray, type Tensor } from '@tsgrad/autograd';
import { tidy, withBackend, zeros, type DType, type NDArray, type Shape, type Storage } from '@tsgrad/ndarray';
import { GpuBackend, GpuStorage } from './gpu-backend.js';
import { KernelRunner, TextureBuffer, type DeviceArg, type DeviceBuffer, type Grid, type KernelArg, type KernelSpec, type LaunchObserver } from './runner.js';
import { WebGpuRunner } from './webgpu-runner.js';
import { WebGpuReplay } from './webgpu-step.js';
import { GlReplay } from './gl-step.js';
import { resolveSource, type BufferSources } from './replay-source.js';

/** Where a kernel argument comes from when a step is replayed (see the file comment). */
export type Source =
  | { from: 'value'; index: number; offset: number; length: number }
  | { from: 'state'; slot: number; offset: number; length: number }
  | { from: 'input'; slot: number; offset: number; length: number }
  | { from: 'constant'; data: Float32Array }
  | { from: 'number'; value: number }
  /** Number `index` of the step's `update`-th fused optimizer update, taken at replay time. */
  | { from: 'scalar'; update: number; index: number };

/** A state the step updates in place: after a replay, slot `slot` holds `source`'s buffer. */
export interface StateWrite {
  slot: number;
  source: Source;
}

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
  /** The storages read as they were before the step, by slot: the parameters, then the optimizer's buffers. */
  states: GpuStorage[];
  /** What the step leaves in each state it updates (the optimizer's new parameters, moments...). */
  writes: StateWrite[];
  /** Fused optimizer updates in the step; a replay asks the optimizer for each one's scalars. */
  updates: number;
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

/** A place a buffer was seen in while recording: its kind, slot or op index, and its first element's byte offset. */
interface Place {
  from: 'value' | 'state' | 'input';
  index: number;
  base: number;
}

/**
 * What identifies a buffer: on the host its ArrayBuffer (a contiguous view is a subarray of
 * one), in the GL modes the texture itself (a kernel always reads a texture whole, its view
 * given by number arguments).
 */
type BufferKey = ArrayBufferLike | TextureBuffer;

const keyOf = (b: DeviceBuffer): BufferKey => (b instanceof TextureBuffer ? b : b.buffer);

/**
 * Notes the launches of one step and tells each buffer argument's place: an earlier output, a
 * state (a parameter, an optimizer buffer), an input or a constant. Places are keyed by
 * ArrayBuffer on the host, since every kernel output and every upload owns one, and a contiguous
 * view of an array is a subarray of its buffer; in the GL modes by texture. Number arguments of a
 * fused optimizer update become `scalar` sources, read at replay time.
 *
 * A constant must outlive the recorded step, so in the GL modes it is kept as host values: those
 * an upload was made from (`uploaded`), or, for a texture made before the step, its values read
 * back once while recording.
 */
class Recorder implements LaunchObserver {
  readonly ops: RecordedOp[] = [];
  /** The storages the step reads as they were before it, by slot: the parameters first. */
  readonly states: GpuStorage[];
  /** Fused optimizer updates seen so far. */
  updates = 0;
  refused: string | null = null;
  private readonly places = new Map<BufferKey, Place>();
  /** GL modes: the host values of each texture that is a constant of the step. */
  private readonly constants = new Map<TextureBuffer, Float32Array>();
  /** Each storage pointed at a new buffer: its buffer before the first such update and after the last. */
  private readonly replacements = new Map<GpuStorage, { before: DeviceBuffer; after: DeviceBuffer }>();
  private scalars: readonly number[] | null = null;

  constructor(
    params: readonly GpuStorage[],
    inputs: readonly DeviceBuffer[],
    private readonly firstSerial: number,
    /** Reads a texture back (GL modes): how a texture made before the step becomes a constant. */
    private readonly readBack: (t: TextureBuffer) => Float32Array,
  ) {
    this.states = [...params];
    params.forEach((s, slot) => this.places.set(keyOf(s.data), { from: 'state', index: slot, base: baseOf(s.data) }));
    inputs.forEach((b, slot) => this.places.set(keyOf(b), { from: 'input', index: slot, base: baseOf(b) }));
  }

  /** The place of `b`: where its first element sits in a known buffer, or a constant. */
  source(b: DeviceBuffer): Source {
    const place = this.places.get(keyOf(b));
    if (place === undefined) return { from: 'constant', data: b instanceof TextureBuffer ? this.constantOf(b) : b };
    const offset = (baseOf(b) - place.base) / Float32Array.BYTES_PER_ELEMENT;
    if (place.from === 'value') return { from: 'value', index: place.index, offset, length: b.length };
    return { from: place.from, slot: place.index, offset, length: b.length };
  }

  /** The place of the elements [offset, offset + length) of `b`. */
  viewSource(b: DeviceBuffer, offset: number, length: number): Source {
    if (b instanceof Float32Array) return this.source(b.subarray(offset, offset + length));
    const s = this.source(b);
    if (s.from === 'constant') return { from: 'constant', data: s.data.subarray(offset, offset + length) };
    if (s.from === 'number' || s.from === 'scalar') return s;
    return { ...s, offset, length };
  }

  launched(spec: KernelSpec, grid: Grid, args: readonly DeviceArg[], out: DeviceBuffer): void {
    let n = 0;
    const sources = args.map((a): Source => {
      if (typeof a !== 'number') return this.source(a);
      const index = n++;
      if (this.scalars === null) return { from: 'number', value: a };
      if (!Object.is(this.scalars[index], a)) this.refuse(`kernel ${spec.key} of an optimizer update takes ${a} as its number argument ${index}, not the update's scalar ${this.scalars[index]}`);
      return { from: 'scalar', update: this.updates - 1, index };
    });
    this.output(out, { kind: 'kernel', spec, grid, args: sources });
  }

  assembled(out: Float32Array, parts: readonly { values: Float32Array; at: number }[]): void {
    this.output(out, { kind: 'assemble', size: out.length, parts: parts.map((p) => ({ source: this.source(p.values), at: p.at })) });
  }

  // GL: an upload of host values the step computed (slabs glued on the host) is that value again;
  // an upload of anything else (a scalar operand, zeros) is a constant made from those values
  uploaded(values: Float32Array, out: TextureBuffer): void {
    const place = this.places.get(values.buffer);
    if (place !== undefined && values.byteOffset === place.base && place.from === 'value') this.places.set(out, { ...place, base: 0 });
    else this.constants.set(out, values);
  }

  // GL: values read back from a texture of known place (slabs to glue) are in the same place
  read(buffer: TextureBuffer, values: Float32Array): void {
    const place = this.places.get(buffer);
    if (place !== undefined) this.places.set(values.buffer, { ...place, base: values.byteOffset });
  }

  replaced(storage: Storage, before: DeviceBuffer, after: DeviceBuffer): void {
    if (!(storage instanceof GpuStorage)) return this.refuse('an in-place update of an array of another backend');
    const seen = this.replacements.get(storage);
    this.replacements.set(storage, { before: seen?.before ?? before, after });
  }

  updating(scalars: readonly number[] | null): void {
    if (scalars !== null) this.updates++;
    this.scalars = scalars;
  }

  refuse(what: string): void {
    this.refused ??= what;
  }

  /**
   * The in-place updates as the step's writes: each storage that existed before the step and
   * was pointed at a new buffer becomes a state (if it was not one already, its old buffer was
   * recorded as a constant: those sources become the state's), written with its last buffer.
   * Storages the step made itself are recomputed by the replay and need no slot.
   */
  writes(): StateWrite[] {
    const writes: StateWrite[] = [];
    for (const [storage, { before, after }] of this.replacements) {
      let slot = this.states.indexOf(storage);
      if (slot < 0) {
        if (storage.serial >= this.firstSerial) continue;
        if (this.places.has(keyOf(before))) {
          this.refuse(`an array updated in place held a buffer the step itself made or was given (${storage.size} elements)`);
          continue;
        }
        // the constant its old buffer was recorded as (on the host, views of that buffer; GL: its values read back)
        const wasBefore = (s: Source): s is Extract<Source, { from: 'constant' }> =>
          s.from === 'constant' && (before instanceof TextureBuffer ? s.data.buffer === this.constants.get(before)?.buffer : s.data.buffer === before.buffer);
        slot = this.states.push(storage) - 1;
        this.places.set(keyOf(before), { from: 'state', index: slot, base: baseOf(before) });
        const rebind = (s: Source): Source => (wasBefore(s) ? this.rebound(s.data, before) : s);
        for (const op of this.ops) {
          if (op.kind === 'kernel') op.args = op.args.map(rebind);
          else op.parts = op.parts.map((p) => ({ source: rebind(p.source), at: p.at }));
        }
      }
      const source = this.source(after);
      if (source.from !== 'value') this.refuse(`an in-place update set an array to a ${source.from} buffer, not one the step computed`);
      writes.push({ slot, source });
    }
    return writes;
  }

  /** The source of a constant's `data` (a view of the old buffer `before`, now a state's). */
  private rebound(data: Float32Array, before: DeviceBuffer): Source {
    if (before instanceof Float32Array) return this.source(data);
    // GL: the constant holds the texture's values read back; its view is the same range of the state
    const whole = this.constants.get(before);
    const offset = whole === undefined ? 0 : (data.byteOffset - whole.byteOffset) / Float32Array.BYTES_PER_ELEMENT;
    return this.viewSource(before, offset, data.length);
  }

  /** GL: the host values of a texture the step did not make (an upload's, or read back once). */
  private constantOf(t: TextureBuffer): Float32Array {
    let values = this.constants.get(t);
    if (values === undefined) {
      values = this.readBack(t).slice();
      this.constants.set(t, values);
    }
    return values;
  }

  private output(out: DeviceBuffer, op: RecordedOp): void {
    this.places.set(keyOf(out), { from: 'value', index: this.ops.length, base: baseOf(out) });
    this.ops.push(op);
  }
}

/** Where a buffer's first element sits in its key, in bytes (a texture is always whole). */
const baseOf = (b: DeviceBuffer): number => (b instanceof TextureBuffer ? 0 : b.byteOffset);

/** A storage's buffer on the host (webasm, cpu): what a host replay reads, never a GL texture. */
export function hostData(s: GpuStorage, what: string): Float32Array {
  if (!(s.data instanceof Float32Array)) throw new Error(`compileStep: ${what} lives in a GL texture (${s.backend.name}); only a GL backend replays its own textures (replayOn is for host buffers)`);
  return s.data;
}

/** `b`, which must be host memory: what a host replay binds. */
function hostBuffer(b: DeviceBuffer, what: string): Float32Array {
  if (!(b instanceof Float32Array)) throw new Error(`compileStep: ${what} is a GL texture; a host replay binds host buffers`);
  return b;
}

/** The buffer behind `x` on `backend` (host memory, or a texture in the GL modes). */
function bufferOf(backend: GpuBackend, x: NDArray, what: string): DeviceBuffer {
  const s = x.storage;
  if (!(s instanceof GpuStorage) || s.backend !== backend) throw new Error(`compileStep: ${what} is on backend ${s.backend.name}, not ${backend.name}`);
  return s.data;
}

/** `x` on `backend` as a contiguous array that is its whole buffer: replays bind buffers, not views. */
function ownArray(backend: GpuBackend, x: NDArray, what: string): NDArray {
  const moved = x.to(backend);
  const whole = moved.isContiguous() && moved.offset === 0 && bufferOf(backend, moved, what).length === moved.size;
  if (whole) return moved;
  const copy = moved.clone();
  if (moved !== x) backend.release(moved.storage);
  return copy;
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
  return { source: recorder.viewSource(bufferOf(backend, x, what), x.offset, x.size), shape: x.shape, dtype: x.dtype };
}

/** The GpuStorage behind a parameter, which must be on `backend`. */
function storageOf(backend: GpuBackend, x: NDArray, what: string): GpuStorage {
  const s = x.storage;
  if (!(s instanceof GpuStorage) || s.backend !== backend) throw new Error(`compileStep: ${what} is on backend ${s.backend.name}, not ${backend.name}`);
  return s;
}

/**
 * Runs one step eagerly (zeroGrad, forward, loss, backward, `opt.step()`) while writing its
 * launches down. Returns the plan and the loss tensor.
 *
 * The optimizer's state must exist already (compileStep runs one eager step first): buffers the
 * step makes itself are recomputed on replay, so moments created here would restart from zero.
 */
export function recordStep(backend: GpuBackend, model: StepModel, lossFn: StepLoss, opt: StepOptimizer, x: NDArray, y: NDArray): { plan: StepPlan; loss: Tensor } {
  const params = model.parameters();
  opt.zeroGrad();
  const recorder = new Recorder(
    params.map((p, i) => storageOf(backend, p.data, `parameter ${i}`)),
    [bufferOf(backend, x, 'x'), bufferOf(backend, y, 'y')],
    GpuStorage.nextSerial,
    (t) => backend.runner.read(t),
  );
  const before = params.map((p) => p.data.storage);
  backend.runner.observer = recorder;
  let loss: Tensor;
  try {
    const output = model.forward(fromNDArray(x));
    loss = typeof lossFn === 'function' ? lossFn(output, fromNDArray(y)) : lossFn.forward(output, fromNDArray(y));
    loss.backward();
    opt.step();
  } finally {
    backend.runner.observer = null;
  }
  params.forEach((p, i) => {
    if (p.data.storage !== before[i]) throw new Error(`compileStep: parameter ${i} was replaced by a new array during the step; cannot capture`);
  });
  const writes = recorder.writes();
  if (recorder.refused !== null) throw new Error(`compileStep: cannot capture this step: ${recorder.refused}`);
  const plan: StepPlan = {
    ops: recorder.ops,
    loss: recordArray(recorder, backend, loss.data, 'the loss'),
    grads: params.map((p, i) => (p.grad === null ? null : recordArray(recorder, backend, p.grad.data, `the gradient of parameter ${i}`))),
    inputShapes: [x.shape, y.shape],
    states: recorder.states,
    writes,
    updates: recorder.updates,
  };
  for (const a of [plan.loss, ...plan.grads]) {
    if (a !== null && a.source.from !== 'value' && a.source.from !== 'constant') throw new Error('compileStep: the loss and the gradients must be computed by the step');
  }
  return { plan, loss };
}

/** Runs one kernel on host buffers: the model's runner's `run`, or another mode's `runAsync` (`replayOn`). */
export type Launch = (spec: KernelSpec, grid: Grid, args: readonly KernelArg[]) => Float32Array | Promise<Float32Array>;

/**
 * Launches a plan's ops in order with this batch's buffers, each op waiting for the one before;
 * `states` are the state slots' buffers now, `scalars` each optimizer update's numbers for this
 * step. Returns every op's output.
 */
export async function replayStep(
  launch: Launch, plan: StepPlan, states: readonly Float32Array[], inputs: readonly Float32Array[], scalars: readonly (readonly number[])[],
): Promise<Float32Array[]> {
  const values: Float32Array[] = [];
  const at: BufferSources<Float32Array> = {
    constant: (data) => data,
    value: (i, offset, length) => slice(values[i], offset, length),
    state: (slot, offset, length) => slice(states[slot], offset, length),
    input: (slot, offset, length) => slice(inputs[slot], offset, length),
  };
  const resolve = (s: Source): KernelArg => resolveSource(s, scalars, at);
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
function replayed(a: { source: Source }, values: readonly Float32Array[]): Float32Array {
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

// Zero gradients per plan, set while probing so the optimizer visits the parameters it updated when recording.
const standIns = new WeakMap<StepPlan, (Tensor | null)[]>();

/**
 * This step's scalars of each fused optimizer update: `opt.step()` runs with the backend's
 * `updateProbe` set, so it advances its own counters (Adam's t) and computes its scalars as in
 * eager training, but launches nothing. Parameters without a gradient get zeros, so the
 * optimizer visits the same ones as when recording.
 */
export function probeUpdates(backend: GpuBackend, params: readonly Tensor[], plan: StepPlan, opt: StepOptimizer): number[][] {
  const scalars: number[][] = [];
  let stand = standIns.get(plan);
  if (stand === undefined) {
    stand = plan.grads.map((g) => (g === null ? null : fromNDArray(withBackend(backend, () => zeros(g.shape, g.dtype)))));
    standIns.set(plan, stand);
  }
  params.forEach((p, i) => (p.grad = stand[i] ?? null));
  const launches = backend.runner.launches;
  backend.updateProbe = (s) => scalars.push([...s]);
  try {
    withBackend(backend, () => opt.step());
  } finally {
    backend.updateProbe = null;
  }
  if (backend.runner.launches !== launches) throw new Error(`compileStep: the optimizer launched ${backend.runner.launches - launches} kernels besides its fused updates; cannot capture it`);
  if (scalars.length !== plan.updates) throw new Error(`compileStep: the optimizer made ${scalars.length} fused updates; the recorded step had ${plan.updates}`);
  return scalars;
}

/** How compileStep replays. */
export interface CompileOptions {
  /**
   * Where to replay the recorded launches. A `WebGpuRunner` (or a `KernelRunner('webgpu')`, for
   * which one is made), after `installNodeWebGPU()` in Node: the whole step (forward, backward,
   * optimizer) runs on WebGPU with every buffer left on the device, the parameters and the
   * optimizer's state included; one number, the loss, is read back per step, and `step.sync()`
   * copies the state back into the model. A `KernelRunner` of another mode replays there with
   * host buffers. Default: the model's backend. A model on a GL mode (webgl2, webgl, headlessgl)
   * always replays on its own textures, and takes no `replayOn`.
   */
  replayOn?: KernelRunner | WebGpuRunner;
}

/** A captured training step: call it with a batch for the loss; `sync()` brings device-held state home. */
export interface CompiledStep {
  /** One training step on the batch (x, y); resolves to the loss. */
  (x: NDArray, y: NDArray): Promise<number>;
  /**
   * Copies the parameters and the optimizer's state from the device into the model's arrays
   * (replays on a `WebGpuRunner` keep them there); nothing to do otherwise.
   */
  sync(): Promise<void>;
}

/** One eager step on the model's backend (zeroGrad, forward, loss, backward, opt.step()); returns the loss. */
export function eagerStep(backend: GpuBackend, model: StepModel, lossFn: StepLoss, opt: StepOptimizer, x: NDArray, y: NDArray): number {
  return withBackend(backend, () => {
    opt.zeroGrad();
    const output = model.forward(fromNDArray(x));
    const loss = typeof lossFn === 'function' ? lossFn(output, fromNDArray(y)) : lossFn.forward(output, fromNDArray(y));
    loss.backward();
    const value = loss.data.item();
    opt.step();
    return value;
  });
}

/** `b` as a buffer of its own (a copy when it is a view into a larger one): a storage's whole buffer. */
const own = (b: Float32Array): Float32Array => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice());

/**
 * Captures a training step: `const step = compileStep(model, lossFn, opt)`, then
 * `const loss = await step(x, y)` does what zeroGrad, forward, loss, backward and `opt.step()`
 * do, and returns the loss. The first step runs eagerly (the optimizer makes its state); the
 * next batch of each shape is recorded while it runs eagerly, optimizer included; later batches
 * of that shape replay the recording: the same kernels, this batch's buffers, and this step's
 * optimizer scalars (Adam's bias corrections), which the optimizer computes as usual but hands
 * to the replay instead of launching its kernels. The model must be on a GpuBackend; batches
 * are moved there (and those copies freed after the step).
 *
 * In the GL modes the replay keeps everything in textures: the parameters and the optimizer's
 * state are the model's own textures, replaced by each step's new ones; every intermediate,
 * the gradients included, is freed within the step (`p.grad` is null after it), and the loss is
 * the one texture read back.
 *
 * A step is captured as it was recorded: host-side branches on values (checks of index ranges,
 * dropout masks drawn on the host) run only when recording. Steps that write into part of a
 * buffer, or replace a parameter's array, are refused with an error.
 *
 * @example
 * import { array, randn } from '@tsgrad/ndarray';
 * const gpu = new GpuBackend('webasm');
 * const model = new Sequential(new Linear(4, 3)).to(gpu);
 * const step = compileStep(model, new CrossEntropyLoss(), new Adam(model.parameters(), { lr: 0.1 }));
 * const [x, y] = [randn([6, 4]), array([0, 1, 2, 0, 1, 2], { dtype: 'int32' })];
 * const first = await step(x, y); // eager; the second step is recorded while it runs
 * let last = first;
 * for (let i = 0; i < 20; i++) last = await step(x, y); // replayed, Adam's update included
 * last < first; // true
 */
export function compileStep(model: StepModel, lossFn: StepLoss, opt: StepOptimizer, options: CompileOptions = {}): CompiledStep {
  const backend = backendOf(model);
  const plans = new Map<string, StepPlan>();
  const { replayOn } = options;
  if (backend.gl && replayOn !== undefined) throw new Error(`compileStep: a model on ${backend.name} replays on its own textures; replayOn is for models on gpu:webasm or gpu:cpu`);
  // GL modes: the replay runs on the backend's own textures (gl-step.ts)
  const gl = backend.gl ? new GlReplay(backend) : null;
  const runner = replayOn instanceof WebGpuRunner ? replayOn : replayOn?.mode === 'webgpu' ? new WebGpuRunner() : null;
  const device = runner === null ? null : new WebGpuReplay(runner);
  const launch: Launch = replayOn instanceof KernelRunner ? (spec, grid, args) => replayOn.runAsync(spec, grid, args) : (spec, grid, args) => backend.runner.run(spec, grid, args);
  let warm = false;
  const sync = async (): Promise<void> => {
    await device?.sync();
  };
  /**
   * GL modes: an eager or recording step runs in `tidy`, so its intermediates' textures are freed
   * when it ends, not when the garbage collector finds them (the optimizer's state is `keep`-marked
   * and survives); its gradients go with them, as on every replay.
   */
  const tidied = <T>(f: () => T): T => {
    if (gl === null) return f();
    const out = tidy(f);
    for (const p of model.parameters()) p.grad = null;
    return out;
  };
  const train = async (xs: NDArray, ys: NDArray): Promise<number> => {
    const key = shapeKey([xs.shape, ys.shape]);
    const plan = plans.get(key);
    const params = model.parameters();
    const inputs = [bufferOf(backend, xs, 'x'), bufferOf(backend, ys, 'y')];
    if (!warm || plan === undefined) {
      // eager steps need the state on the host; the device takes it up again at the next replay
      if (device?.holdsState) {
        await device.sync();
        device.release();
      }
      if (!warm) {
        warm = true;
        return tidied(() => eagerStep(backend, model, lossFn, opt, xs, ys));
      }
      // arrays that ops make while recording (zeros, the seed of backward) are made on the backend
      return tidied(() => {
        const recorded = withBackend(backend, () => recordStep(backend, model, lossFn, opt, xs, ys));
        plans.set(key, recorded.plan);
        return recorded.loss.data.item();
      });
    }
    const scalars = probeUpdates(backend, params, plan, opt);
    if (gl !== null) {
      const loss = gl.replay(plan, inputs, scalars);
      params.forEach((p) => (p.grad = null)); // the gradients were freed on the device
      return loss;
    }
    if (device !== null) {
      const loss = await device.replay(plan, inputs.map((b, i) => hostBuffer(b, `input ${i}`)), scalars);
      params.forEach((p) => (p.grad = null)); // the gradients stayed on the device
      return loss;
    }
    const values = await replayStep(launch, plan, plan.states.map((s, i) => hostData(s, `state ${i}`)), inputs.map((b, i) => hostBuffer(b, `input ${i}`)), scalars);
    for (const w of plan.writes) plan.states[w.slot].data = own(replayed(w, values));
    params.forEach((p, i) => {
      const g = plan.grads[i];
      p.grad = g === null ? null : fromNDArray(backend.adopt(replayed(g, values).slice(), g.shape, g.dtype));
    });
    return replayed(plan.loss, values)[0];
  };
  const step = async (x: NDArray, y: NDArray): Promise<number> => {
    const [xs, ys] = [ownArray(backend, x, 'x'), ownArray(backend, y, 'y')];
    try {
      return await train(xs, ys);
    } finally {
      // the batch's copies on the backend (textures in the GL modes) go with the step
      if (xs !== x) backend.release(xs.storage);
      if (ys !== y) backend.release(ys.storage);
    }
  };
  return Object.assign(step, { sync });
}
