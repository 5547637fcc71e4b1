/**
 * A captured step replayed on the WebGPU device with its data kept there: the same plan as
 * `captured-step.ts` replays on the host, but every buffer is a `WebGpuBuffer`.
 *
 *   values     launch outputs, each freed right after the last op that reads it
 *   states     parameters and optimizer buffers: uploaded once, then replaced on the device by
 *              the step's writes (the old buffer freed), read back only by `sync()`
 *   inputs     the batch, uploaded once per step and freed at its end
 *   constants  uploaded once and kept
 *
 * So a step costs one upload (the batch) and one readback (the loss, a single number), and the
 * device holds the same buffers after every step: the states and constants.
 */
import type { GpuStorage } from './gpu-backend.js';
import type { Source, StepPlan } from './captured-step.js';
import { WebGpuBuffer, type WebGpuArg, type WebGpuRunner } from './webgpu-runner.js';
import { placeRangeKernel } from './launch-split.js';
import { resolveSource, type BufferSources } from './replay-source.js';

/** For each op of a plan: the values whose last reader it is (freed after it), and the values kept to the end. */
interface Lifetimes {
  freeAfter: number[][];
  kept: Set<number>;
}

const lifetimesOf = new WeakMap<StepPlan, Lifetimes>();

/**
 * When each value of `plan` can be freed: after the last op that reads it (or right after its own
 * op when nothing reads it), except the loss and the states' new buffers, kept to the end.
 *
 * @example
 * const k = { key: 'k', params: [], body: 'return 1;' };
 * const v = (index: number) => ({ from: 'value' as const, index, offset: 0, length: 1 });
 * const plan: StepPlan = {
 *   ops: [{ kind: 'kernel', spec: k, grid: [1, 1, 1], args: [] }, { kind: 'kernel', spec: k, grid: [1, 1, 1], args: [v(0)] },
 *     { kind: 'kernel', spec: k, grid: [1, 1, 1], args: [v(0), v(1)] }],
 *   loss: { source: v(2), shape: [], dtype: 'float32' }, grads: [], inputShapes: [[1], [1]], states: [], writes: [], updates: 0,
 * };
 * lifetimes(plan).freeAfter; // [[], [], [0, 1]]: op 2 reads values 0 and 1 last; value 2 is the loss, kept
 */
export function lifetimes(plan: StepPlan): Lifetimes {
  const cached = lifetimesOf.get(plan);
  if (cached !== undefined) return cached;
  const last = plan.ops.map((_, i) => i);
  plan.ops.forEach((op, i) => {
    const sources = op.kind === 'kernel' ? op.args : op.parts.map((p) => p.source);
    for (const s of sources) if (s.from === 'value') last[s.index] = i;
  });
  const kept = new Set<number>();
  for (const s of [plan.loss.source, ...plan.writes.map((w) => w.source)]) if (s.from === 'value') kept.add(s.index);
  const freeAfter = plan.ops.map((): number[] => []);
  last.forEach((at, v) => {
    if (!kept.has(v)) freeAfter[at].push(v);
  });
  const result = { freeAfter, kept };
  lifetimesOf.set(plan, result);
  return result;
}

/**
 * Replays captured steps on a `WebGpuRunner`, holding the model's parameters and the optimizer's
 * state on the device between steps.
 *
 * @example
 * // snippet: skip needs a recorded plan (captured-step.ts); compileStep(..., { replayOn: new WebGpuRunner() }) builds one
 * // compileStep(model, lossFn, opt, { replayOn: new WebGpuRunner() }) builds one; by hand:
 * const device = new WebGpuReplay(new WebGpuRunner());
 * const loss = await device.replay(plan, [xBuffer, yBuffer], scalars);
 * await device.sync(); // parameters and optimizer state back into the model's arrays
 */
export class WebGpuReplay {
  private readonly states = new Map<GpuStorage, WebGpuBuffer>();
  private readonly constants = new Map<Float32Array, WebGpuBuffer>();

  constructor(readonly runner: WebGpuRunner) {}

  /** Whether states are held on the device (then the host arrays are stale until `sync`). */
  get holdsState(): boolean {
    return this.states.size > 0;
  }

  /**
   * Launches `plan` with this batch (`inputs`, host buffers) and this step's optimizer `scalars`,
   * applies its writes to the device states, and returns the loss: the step's one readback.
   */
  async replay(plan: StepPlan, inputs: readonly Float32Array[], scalars: readonly (readonly number[])[]): Promise<number> {
    const made: WebGpuBuffer[] = [];
    try {
      return await this.launchAll(plan, inputs, scalars, made);
    } catch (e) {
      // a failed step frees what it made, except buffers already handed to the states
      const held = new Set(this.states.values());
      for (const b of made) if (!b.freed && !held.has(b)) this.runner.free(b);
      throw e;
    }
  }

  /** The body of `replay`; every buffer it makes is also pushed to `made`. */
  private async launchAll(plan: StepPlan, inputs: readonly Float32Array[], scalars: readonly (readonly number[])[], made: WebGpuBuffer[]): Promise<number> {
    const r = this.runner;
    const mark = (b: WebGpuBuffer): WebGpuBuffer => {
      made.push(b);
      return b;
    };
    const { freeAfter } = lifetimes(plan);
    const values: WebGpuBuffer[] = [];
    const uploaded: (WebGpuBuffer | undefined)[] = [];
    let temps: WebGpuBuffer[] = [];
    // a view of a buffer (a sub-range) becomes a buffer of its own, freed after the op
    const view = async (b: WebGpuBuffer, offset: number, length: number): Promise<WebGpuBuffer> => {
      if (offset === 0 && length === b.length) return b;
      const part = mark(await r.slice(b, offset, length));
      temps.push(part);
      return part;
    };
    const at: BufferSources<Promise<WebGpuBuffer>> = {
      constant: async (data) => this.constant(data),
      value: (i, offset, length) => view(values[i], offset, length),
      state: async (slot, offset, length) => view(await this.state(plan.states[slot]), offset, length),
      input: async (slot, offset, length) => {
        let b = uploaded[slot];
        if (b === undefined) {
          b = mark(await r.upload(inputs[slot]));
          uploaded[slot] = b;
        }
        return view(b, offset, length);
      },
    };
    const resolve = async (s: Source): Promise<WebGpuArg> => resolveSource(s, scalars, at);
    const bufferOf = async (s: Source): Promise<WebGpuBuffer> => {
      const b = await resolve(s);
      if (!(b instanceof WebGpuBuffer)) throw new Error(`compileStep: a recorded copy names the number ${b}`);
      return b;
    };
    for (const [i, op] of plan.ops.entries()) {
      if (op.kind === 'kernel') {
        const args: WebGpuArg[] = [];
        for (const s of op.args) args.push(await resolve(s));
        values.push(mark(await r.launch(op.spec, op.grid, args)));
      } else {
        // the host glued slabs into one buffer: glue them on the device, part after part
        let out: WebGpuBuffer | null = null;
        for (const part of op.parts) {
          const src = await bufferOf(part.source);
          const next: WebGpuBuffer = mark(await r.launch(placeRangeKernel(), [op.size, 1, 1], [out ?? src, src, part.at, src.length, out === null ? 1 : 0]));
          if (out !== null) r.free(out);
          out = next;
        }
        values.push(out ?? mark(await r.upload(new Float32Array(op.size))));
      }
      temps.forEach((t) => r.free(t));
      temps = [];
      for (const v of freeAfter[i]) r.free(values[v]);
    }
    const lossSource = plan.loss.source;
    const lossBuffer = lossSource.from === 'constant' ? await this.constant(lossSource.data) : await bufferOf(lossSource);
    const loss = (await r.read(lossBuffer))[0];
    // the writes: each state now holds the step's new buffer (moved when it is a whole value, else copied)
    const moved = new Set<number>();
    for (const w of plan.writes) {
      if (w.source.from !== 'value') throw new Error(`compileStep: a state write comes from ${w.source.from}`);
      const { index, offset, length } = w.source;
      const whole = offset === 0 && length === values[index].length && !moved.has(index);
      const next = whole ? values[index] : mark(await r.slice(values[index], offset, length));
      if (whole) moved.add(index);
      const storage = plan.states[w.slot];
      const old = this.states.get(storage);
      if (old !== undefined) r.free(old);
      this.states.set(storage, next);
    }
    temps.forEach((t) => r.free(t));
    for (const v of lifetimes(plan).kept) if (!moved.has(v)) r.free(values[v]);
    for (const b of uploaded) if (b !== undefined) r.free(b);
    return loss;
  }

  /** Copies every state held on the device back into its host array (one readback each). */
  async sync(): Promise<void> {
    for (const [storage, b] of this.states) storage.data = await this.runner.read(b);
  }

  /** Frees the device copies of the states and the constants (after `sync`, the host arrays are current). */
  release(): void {
    for (const b of this.states.values()) this.runner.free(b);
    for (const b of this.constants.values()) this.runner.free(b);
    this.states.clear();
    this.constants.clear();
  }

  private async state(storage: GpuStorage): Promise<WebGpuBuffer> {
    const held = this.states.get(storage);
    if (held !== undefined) return held;
    if (!(storage.data instanceof Float32Array)) throw new Error(`compileStep: a state lives in a GL texture (${storage.backend.name}); a captured step records host buffers (webasm, cpu)`);
    const b = await this.runner.upload(storage.data);
    this.states.set(storage, b);
    return b;
  }

  private async constant(data: Float32Array): Promise<WebGpuBuffer> {
    const held = this.constants.get(data);
    if (held !== undefined) return held;
    const b = await this.runner.upload(data);
    this.constants.set(data, b);
    return b;
  }
}
