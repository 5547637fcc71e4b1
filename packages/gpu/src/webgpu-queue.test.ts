/**
 * The eager webgpu backend's queue (webgpu-queue.ts) where an adapter answers (llvmpipe in CI):
 * program order, frees after every queued use, errors thrown by the next read, the host-side
 * pieces (slabs glued on the device, writes into part of a buffer) and the sync-read refusal.
 * Skipped, with the reason printed, where no adapter answers.
 */
import { describe, expect, it } from 'vitest';
import { IndexOutOfRangeError, arange, array, tidy, useBackend, withBackend, type TypedArray } from '@tsgrad/ndarray';
import { createGpuBackend } from './gpu-backend.js';
import { testWebGPU } from './test-webgpu.js';
import { WebGpuQueue } from './webgpu-queue.js';
import type { KernelSpec } from './runner.js';

const webgpu = await testWebGPU('the webgpu queue tests');
const twice: KernelSpec = { key: 'twice', params: [['a', 'Array']], body: 'return 2 * a[this.thread.x];' };

describe.skipIf(webgpu === null)('WebGpuQueue', () => {
  it('runs launches in program order, returns placeholders at once and frees a buffer only after its queued uses', async () => {
    const q = new WebGpuQueue();
    const a = q.upload(new Float32Array([1, 2, 3]));
    expect(a.device, 'pending right after the call').toBeNull();
    const b = q.launch(twice, [3, 1, 1], [a]);
    a.delete(); // b's launch, queued before, still reads it
    const c = q.launch(twice, [3, 1, 1], [b]);
    b.delete();
    expect(() => q.launch(twice, [3, 1, 1], [a])).toThrow(/deleted device buffer/);
    expect(await q.read(c)).toEqual(new Float32Array([4, 8, 12]));
    c.delete();
    await q.idle();
    expect(q.runner.live).toEqual({ buffers: 0, bytes: 0 });
    q.runner.destroy();
  });

  it('a failed launch fails the launches reading its result, and the read names the cause', async () => {
    const q = new WebGpuQueue();
    const a = q.produce(3, () => Promise.reject(new Error('made to fail')));
    const b = q.launch(twice, [3, 1, 1], [a]);
    await expect(q.read(b)).rejects.toThrow('made to fail');
    // the failure is reported once: the next read succeeds
    const c = q.upload(new Float32Array([5]));
    expect(await q.read(c)).toEqual(new Float32Array([5]));
    q.runner.destroy();
  });
});

describe.skipIf(webgpu === null)('the eager webgpu backend', () => {
  const gpu = createGpuBackend('webgpu');

  it('refuses synchronous reads, naming the asynchronous ones', async () => {
    const x = withBackend(gpu, () => array([1, 2, 3]));
    expect(gpu.capabilities.syncRead).toBe(false);
    expect(() => x.toArray()).toThrow(/gpu:webgpu: synchronous reads are not available .* use await x\.data\(\)/);
    expect(await x.toArrayAsync()).toEqual([1, 2, 3]);
    // host values handed over (how a captured step returns arrays) are uploaded, not kept on the host
    expect(await gpu.adopt(new Float32Array([1, 2, 3, 4]), [2, 2], 'float32').mul(2).toArrayAsync()).toEqual([[2, 4], [6, 8]]);
  });

  it('reports an index out of range: at once for indices uploaded from the host, at the next read for indices computed on the device', async () => {
    const previous = useBackend(gpu);
    try {
      const x = arange(6).reshape([2, 3]);
      // host values are known: checked without a readback, as on a synchronous backend
      expect(() => x.gather(1, array([[0, 3]], { dtype: 'int32' }))).toThrow(new IndexOutOfRangeError('gather', 3, 1, 3));
      expect(() => x.indexSelect(1, array([0, 1, 2, 3], { dtype: 'int32' }).narrow(0, 2, 2))).toThrow(new IndexOutOfRangeError('indexSelect', 3, 1, 3));
      // computed on the device: checked in the queue, thrown by the next read
      const bad = x.gather(1, array([[0, 1]], { dtype: 'int32' }).add(2));
      await expect(bad.data()).rejects.toThrow(new IndexOutOfRangeError('gather', 3, 1, 3));
      // reported once; valid work goes on
      expect(await x.gather(1, array([[2, 0]], { dtype: 'int32' })).toArrayAsync()).toEqual([[2, 0]]);
    } finally {
      useBackend(previous);
    }
  });

  it('glues slabs on the device (a 5-d strided copy) and writes into part of a buffer through the queue', async () => {
    const previous = useBackend(gpu);
    try {
      const host = withBackend(createGpuBackend('webasm'), () => arange(2 * 3 * 4 * 5 * 2).reshape([2, 3, 4, 5, 2]).permute([4, 2, 0, 3, 1]).contiguous().toArray());
      const x = arange(2 * 3 * 4 * 5 * 2).reshape([2, 3, 4, 5, 2]);
      expect(await x.permute([4, 2, 0, 3, 1]).contiguous().toArrayAsync()).toEqual(host);
      const y = arange(12).reshape([3, 4]);
      y.narrow(1, 1, 2).fill_(-1);
      y.transpose(0, 1).narrow(0, 3, 1).copy_(array([[7, 8, 9]]));
      expect(await y.toArrayAsync()).toEqual([[0, -1, -1, 7], [4, -1, -1, 8], [8, -1, -1, 9]]);
    } finally {
      useBackend(previous);
    }
  });

  it('frees what it releases: after a tidy scope the live device buffers are back where they were', async () => {
    const queue = gpu.queue;
    if (queue === null) throw new Error('gpu:webgpu has no queue');
    const pending: { read: Promise<TypedArray> | null } = { read: null };
    const run = (): void =>
      tidy(() =>
        withBackend(gpu, () => {
          // row 9 of 2a + 1 sums to 2 * (900 + ... + 999) + 100
          const s = arange(1000).reshape([10, 100]).mul(2).add(1).sum(1).max();
          pending.read = s.data(); // queued before tidy's frees
        }),
      );
    // once to warm up: the scalar operands (2, 1) are cached arrays that stay
    run();
    await pending.read;
    await queue.idle();
    const before = queue.runner.live.buffers;
    for (let i = 0; i < 3; i++) {
      run();
      expect(await pending.read).toEqual(new Int32Array([190000]));
    }
    await queue.idle();
    expect(queue.runner.live.buffers).toBe(before);
  });
});
