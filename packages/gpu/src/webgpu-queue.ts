/**
 * The eager WebGPU backend's launch queue: how synchronous backend calls drive asynchronous
 * WebGPU kernels.
 *
 * A Backend method (`binary`, `matmul`, `conv2d`...) must return its result at once, but a gpu.js
 * webgpu kernel call returns a Promise. So a launch here only *queues* the work and returns a
 * {@link QueuedBuffer} at once: a placeholder for a device buffer that a later task fills in.
 * Tasks run one at a time, in program order, on one `WebGpuRunner`:
 *
 * - a task's inputs were made by earlier tasks, so they are ready (or failed) when it runs;
 * - a shared compiled kernel's `setOutput` and its call are never interleaved with another launch;
 * - WebGPU sees the submissions in program order;
 * - `delete()` queues the free, so a buffer is freed only after every launch queued before it
 *   that reads it (an array released while kernels using it are still pending stays valid for them);
 * - a read (`read`) is a task too: it resolves once everything before it has run.
 *
 * Errors inside a task cannot be thrown to the caller that queued it (that call has returned).
 * A failed launch marks its buffer failed (launches reading it fail with the same error), and
 * the first failure, or a deferred check such as an index out of range (`check`), is thrown by
 * the next `read`: what the backend contract allows a device backend to do.
 */
import { WebGpuBuffer, WebGpuRunner, type WebGpuArg } from './webgpu-runner.js';
import { placeRangeKernel } from './launch-split.js';
import type { Grid, KernelSpec } from './runner.js';

/**
 * A device buffer that may still be pending: queued by a launch, filled in when the launch runs.
 * `delete()` frees it after every launch queued so far (idempotent).
 *
 * @example
 * await installNodeWebGPU();
 * const q = new WebGpuQueue();
 * const a = q.upload(new Float32Array([1, 2, 3])); // returns at once; the upload is queued
 * await q.read(a);                                  // Float32Array [1, 2, 3]
 * a.delete();
 */
export class QueuedBuffer {
  /** The device buffer, once the task that makes it has run. */
  device: WebGpuBuffer | null = null;
  /** Why the task that makes it failed, if it did. */
  error: Error | null = null;
  private deleted = false;

  constructor(
    /** Elements (float32). */
    readonly length: number,
    private readonly queue: WebGpuQueue,
  ) {}

  /** Whether `delete()` was called (the buffer must not be handed to a new launch). */
  get isDeleted(): boolean {
    return this.deleted;
  }

  /** Queues the free: the device memory goes once every launch queued before now has run. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.queue.free(this);
  }

  /** Inside a task: the device buffer, or the error that kept it from being made. */
  ready(user: string): WebGpuBuffer {
    if (this.error !== null) throw this.error;
    if (this.device === null) throw new Error(`gpu:webgpu: ${user} ran before the launch making its input (a bug in the webgpu queue)`);
    if (this.device.freed) throw new Error(`gpu:webgpu: ${user} was handed a freed device buffer (an array used after dispose)`);
    return this.device;
  }
}

/** Unread checks kept on the device before they are run without waiting for a read. */
const MAX_DEFERRED = 64;

/** A launch argument: a (possibly pending) device buffer, a host array uploaded for the launch, or a number. */
export type QueuedArg = QueuedBuffer | Float32Array | number;

/**
 * One serial queue of WebGPU work over one `WebGpuRunner` (see the file's comment).
 *
 * @example
 * await installNodeWebGPU();
 * const q = new WebGpuQueue();
 * const twice: KernelSpec = { key: 'twice', params: [['a', 'Array']], body: 'return 2 * a[this.thread.x];' };
 * const a = q.upload(new Float32Array([1, 2, 3]));
 * const b = q.launch(twice, [3, 1, 1], [a]);  // queued behind the upload
 * a.delete();                                  // freed after the launch that reads it
 * await q.read(b);                             // Float32Array [2, 4, 6]
 * b.delete();
 * await q.idle();
 * q.runner.live;                               // { buffers: 0, bytes: 0 }
 */
export class WebGpuQueue {
  /** Runs the launches (split over dispatch limits) and counts the live device buffers (`live`). */
  readonly runner: WebGpuRunner;
  /** Tasks queued and not yet finished. */
  pending = 0;
  /** Milliseconds per kernel key, each launch timed from its task's start to gpu.js's result. */
  readonly timings = new Map<string, { launches: number; ms: number }>();
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  // Checks waiting for the next read: a device copy of the values to check, and the test.
  private deferred: { copy: WebGpuBuffer; test: (values: Float32Array) => void }[] = [];

  constructor(runner: WebGpuRunner = new WebGpuRunner()) {
    this.runner = runner;
  }

  /**
   * Queues `task` behind every task queued so far. Its error is kept (the first one) for the
   * next `read` to throw; the queue goes on with the next task.
   */
  private enqueue(task: () => Promise<void> | void): void {
    this.pending++;
    this.tail = this.tail
      .then(task)
      .catch((e: unknown) => {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        this.pending--;
      });
  }

  /** Queues a task that makes a device buffer of `length` elements; returns its placeholder now. */
  produce(length: number, make: (runner: WebGpuRunner) => Promise<WebGpuBuffer>): QueuedBuffer {
    const out = new QueuedBuffer(length, this);
    this.enqueue(async () => {
      try {
        out.device = await make(this.runner);
      } catch (e) {
        out.error = e instanceof Error ? e : new Error(String(e));
        throw out.error;
      }
    });
    return out;
  }

  /**
   * Queues `spec` over `grid`; host arrays among `args` are uploaded for this launch and freed
   * after it. Throws now if an argument was already deleted.
   */
  launch(spec: KernelSpec, grid: Grid, args: readonly QueuedArg[]): QueuedBuffer {
    for (const a of args) {
      if (a instanceof QueuedBuffer && a.isDeleted) throw new Error(`gpu:webgpu: kernel ${spec.key} was handed a deleted device buffer (an array used after dispose)`);
    }
    return this.produce(grid[0] * grid[1] * grid[2], async (runner) => {
      const uploads: WebGpuBuffer[] = [];
      try {
        const values: WebGpuArg[] = [];
        for (const a of args) {
          if (a instanceof QueuedBuffer) values.push(a.ready(`kernel ${spec.key}`));
          else if (a instanceof Float32Array) {
            const b = await runner.upload(a);
            uploads.push(b);
            values.push(b);
          } else values.push(a);
        }
        const start = performance.now();
        const out = await runner.launch(spec, grid, values);
        const t = this.timings.get(spec.key) ?? { launches: 0, ms: 0 };
        t.launches++;
        t.ms += performance.now() - start;
        this.timings.set(spec.key, t);
        return out;
      } finally {
        for (const b of uploads) runner.free(b);
      }
    });
  }

  /**
   * Queues the gluing of `parts` (each placed at its element offset) into one new buffer of
   * `size` elements, on the device: one copy kernel per part. The parts are not freed.
   */
  glue(size: number, parts: readonly { buffer: QueuedBuffer; at: number }[]): QueuedBuffer {
    return this.produce(size, async (runner) => {
      let whole: WebGpuBuffer | null = null;
      for (const { buffer, at } of parts) {
        const part = buffer.ready('gluing slabs');
        // `prev` is unread while `first` is 1: any buffer will do
        const next: WebGpuBuffer = await runner.launch(placeRangeKernel(), [size, 1, 1], [whole ?? part, part, at, part.length, whole === null ? 1 : 0]);
        if (whole !== null) runner.free(whole);
        whole = next;
      }
      return whole ?? runner.upload(new Float32Array(size));
    });
  }

  /**
   * Queues a host-side rewrite: `old`'s values are read, `store` writes `values`' values into
   * them, and the result is uploaded as a new buffer (neither input is freed). How a write into
   * part of a buffer (`fill_`, `copy_` on a strided view) runs on webgpu: rare, so through the host.
   */
  rewrite(old: QueuedBuffer, values: QueuedBuffer, store: (host: Float32Array, values: Float32Array) => void): QueuedBuffer {
    return this.produce(old.length, async (runner) => {
      const host = (await runner.read(old.ready('a partial write'))).slice();
      store(host, await runner.read(values.ready('a partial write')));
      return runner.upload(host);
    });
  }

  /** Queues an upload of `values` (copied now, so the caller may reuse its array). */
  upload(values: Float32Array): QueuedBuffer {
    const copy = values.slice();
    return this.produce(copy.length, (runner) => runner.upload(copy));
  }

  /** Queues the free of `b` (use `b.delete()`). */
  free(b: QueuedBuffer): void {
    this.enqueue(() => {
      if (b.device !== null) this.runner.free(b.device);
    });
  }

  /**
   * `b`'s values on the host once every task queued before now has run. Rejects with `b`'s own
   * failure, else with the first failure or failed check since the last read (then forgotten).
   */
  read(b: QueuedBuffer): Promise<Float32Array> {
    if (b.isDeleted) return Promise.reject(new Error('gpu:webgpu: read of a deleted device buffer (an array used after dispose)'));
    return new Promise<Float32Array>((resolve, reject) => {
      this.enqueue(async () => {
        try {
          const values = await this.runner.read(b.ready('a read'));
          await this.runChecks();
          const failure = this.takeFailure();
          if (failure !== null) reject(failure);
          else resolve(values);
        } catch (e) {
          if (this.failure === e) this.failure = null;
          reject(e);
        }
      });
    });
  }

  /**
   * Queues a check of `b`'s values, thrown by the next read if it fails: how the backend reports an
   * index out of range without a sync read. The values are copied on the device (no wait) and read
   * back with the next read, when the device has caught up anyway: a check never makes the queue
   * wait for the device mid-step. (More than `MAX_DEFERRED` unread checks are run at once.)
   */
  check(b: QueuedBuffer, test: (values: Float32Array) => void): void {
    this.enqueue(async () => {
      const values = b.ready('a check');
      if (values.length === 0) return;
      this.deferred.push({ copy: await this.runner.slice(values, 0, values.length), test });
      if (this.deferred.length > MAX_DEFERRED) await this.runChecks();
    });
  }

  /** Inside a task: reads back and runs the deferred checks (a failure is kept for the next read), freeing their copies. */
  private async runChecks(): Promise<void> {
    const checks = this.deferred;
    this.deferred = [];
    for (const { copy, test } of checks) {
      try {
        test(await this.runner.read(copy));
      } catch (e) {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      } finally {
        this.runner.free(copy);
      }
    }
  }

  /** Resolves when every task queued so far has run (failures are left for the next read). */
  async idle(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.tail;
      await tail;
    } while (tail !== this.tail);
  }

  /** The first failure since the last read, forgotten once taken. */
  private takeFailure(): Error | null {
    const f = this.failure;
    this.failure = null;
    return f;
  }
}
