/**
 * A captured step replayed in a GL mode (webgl2, webgl, headlessgl): the plan `captured-step.ts`
 * recorded, launched again on the backend's own runner, where every buffer is a float texture.
 *
 *   values     launch outputs: new textures, each deleted right after the last op that reads it
 *   states     parameters and optimizer buffers: the storages' own textures; a write points the
 *              storage at the step's new texture and deletes the old one (as `GpuBackend.write`
 *              does in eager training), so the model is always current: nothing to sync
 *   inputs     the batch's textures (uploaded by `compileStep`, freed by it after the step)
 *   constants  recorded as host values, uploaded on the first replay and kept
 *
 * So a step uploads the batch, reads back one number (the loss), and leaves the same number of
 * live textures as the step before: the states and the constants. The gradients are
 * intermediates here (the optimizer consumed them), freed like any other value.
 */
import type { GpuBackend } from './gpu-backend.js';
import type { Source, StepPlan } from './captured-step.js';
import { TextureBuffer, type DeviceArg, type DeviceBuffer } from './runner.js';
import { placeRangeKernel } from './launch-split.js';
import { lifetimes } from './webgpu-step.js';
import { resolveSource, type BufferSources } from './replay-source.js';

/**
 * Replays captured steps on a GL backend's textures.
 *
 * Constants are uploaded once and kept by the replay: a scalar operand's array (`x.mul(2)`'s 2,
 * which ndarray's scalar cache keeps on the device in eager training too), zeros the step
 * allocated, a host array a kernel was handed. Small ones (a launch's dummy `[0]`) are passed as
 * host arrays, for which the runner keeps one texture per distinct value (`runner.ts`).
 *
 * @example
 * // snippet: skip needs a browser page with WebGL2 and a recorded plan (browser.test.ts runs compileStep on webgl2)
 * const replay = new GlReplay(backend); // backend = createGpuBackend('webgl2'), the model's
 * const loss = replay.replay(plan, [xTexture, yTexture], scalars); // the parameters now hold the updated textures
 */
export class GlReplay {
  // keyed by the recorded host array
  private readonly constants = new Map<Float32Array, TextureBuffer>();

  constructor(readonly backend: GpuBackend) {}

  /** Textures the replay keeps for its constants (they live as long as the compiled step). */
  get constantTextures(): number {
    return this.constants.size;
  }

  /**
   * Launches `plan` with this batch (`inputs`, the batch's textures) and this step's optimizer
   * `scalars`, points each state at its new texture, and returns the loss: the step's one readback.
   */
  replay(plan: StepPlan, inputs: readonly DeviceBuffer[], scalars: readonly (readonly number[])[]): number {
    const made: TextureBuffer[] = [];
    try {
      return this.launchAll(plan, inputs, scalars, made);
    } catch (e) {
      // a failed step frees what it made, except textures already handed to the states
      const held = new Set(plan.states.map((s) => s.data));
      for (const t of made) if (!held.has(t)) t.delete();
      throw e;
    }
  }

  /** The body of `replay`; every texture it makes is also pushed to `made`. */
  private launchAll(plan: StepPlan, inputs: readonly DeviceBuffer[], scalars: readonly (readonly number[])[], made: TextureBuffer[]): number {
    const r = this.backend.runner;
    const texture = (b: DeviceBuffer, what: string): TextureBuffer => {
      if (!(b instanceof TextureBuffer)) throw new Error(`compileStep: ${what} is host memory, not a texture, in mode ${r.mode}`);
      if (b.isDeleted) throw new Error(`compileStep: ${what} was freed (an array of the step disposed?)`);
      return b;
    };
    const { freeAfter, kept } = lifetimes(plan);
    const values: TextureBuffer[] = [];
    // a kernel reads a texture whole (its view comes in number arguments): every recorded place is a whole texture
    const whole = (b: TextureBuffer, s: { offset: number; length: number }, what: string): TextureBuffer => {
      if (s.offset !== 0 || s.length !== b.length) throw new Error(`compileStep: ${what} is read at [${s.offset}, ${s.offset + s.length}) of ${b.length} values; GL kernels read textures whole`);
      return b;
    };
    const at: BufferSources<DeviceArg> = {
      constant: (data) => this.constant(data),
      value: (i, offset, length) => whole(values[i], { offset, length }, `value ${i}`),
      state: (slot, offset, length) => whole(texture(plan.states[slot].data, `state ${slot}`), { offset, length }, `state ${slot}`),
      input: (slot, offset, length) => whole(texture(inputs[slot], `input ${slot}`), { offset, length }, `input ${slot}`),
    };
    const resolve = (s: Source): DeviceArg => resolveSource(s, scalars, at);
    const keep = (b: DeviceBuffer, what: string): TextureBuffer => {
      const t = texture(b, what);
      made.push(t);
      return t;
    };
    for (const [i, op] of plan.ops.entries()) {
      if (op.kind === 'kernel') {
        values.push(keep(r.dispatch(op.spec, op.grid, op.args.map(resolve)), `the output of kernel ${op.spec.key}`));
      } else {
        // the host glued slabs into one buffer when recording: glue them on the device, part after part
        let out: TextureBuffer | null = null;
        for (const part of op.parts) {
          const src = resolve(part.source);
          if (typeof src === 'number') throw new Error('compileStep: a recorded copy names a number');
          const next = keep(r.dispatch(placeRangeKernel(), [op.size, 1, 1], [out ?? src, src, part.at, src.length, out === null ? 1 : 0]), 'a glued buffer');
          out?.delete();
          out = next;
        }
        values.push(out ?? keep(r.toDevice(new Float32Array(op.size)), 'a glued buffer'));
      }
      for (const v of freeAfter[i]) values[v].delete();
    }
    const lossSource = plan.loss.source;
    const loss = lossSource.from === 'constant' ? lossSource.data[0] : r.read(this.sourceTexture(lossSource, values))[lossSource.from === 'value' ? lossSource.offset : 0];
    // the writes: each state's storage now holds the step's new texture, and its old one is freed
    const moved = new Set<number>();
    for (const w of plan.writes) {
      if (w.source.from !== 'value') throw new Error(`compileStep: a state write comes from ${w.source.from}`);
      const { index } = w.source;
      const t = whole(values[index], w.source, `the write of state ${w.slot}`);
      // one value written into two states (never seen in practice): the second gets a copy
      const next = moved.has(index) ? keep(r.dispatch(placeRangeKernel(), [t.length, 1, 1], [t, t, 0, t.length, 1]), 'a copied state') : t;
      moved.add(index);
      const storage = plan.states[w.slot];
      const old = storage.data;
      storage.data = next;
      if (old instanceof TextureBuffer && old !== next) old.delete();
    }
    for (const v of kept) if (!moved.has(v)) values[v].delete();
    return loss;
  }

  /** The texture a loss source names (a value of this replay). */
  private sourceTexture(s: Source, values: readonly TextureBuffer[]): TextureBuffer {
    if (s.from !== 'value') throw new Error(`compileStep: the loss comes from ${s.from}, not a value the step computed`);
    return values[s.index];
  }

  /** Frees the constants' textures (the step's states stay: they are the model's arrays). */
  release(): void {
    for (const t of this.constants.values()) t.delete();
    this.constants.clear();
  }

  /** A constant's texture: uploaded on first use and kept; small ones go as host arrays, which the runner keeps a texture for. */
  private constant(data: Float32Array): TextureBuffer | Float32Array {
    if (data.length <= 4) return data;
    const held = this.constants.get(data);
    if (held !== undefined) return held;
    const t = this.backend.runner.toDevice(data);
    if (!(t instanceof TextureBuffer)) return t;
    this.constants.set(data, t);
    return t;
  }
}
