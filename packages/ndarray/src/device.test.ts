import { describe, expect, it } from 'vitest';
import { array, cpuBackend, ones, referenceBackend, withBackend, zeros } from './index.js';
import { CountingBackend } from './testing.js';

describe('devices', () => {
  it('every array knows its backend; creation uses the default one', () => {
    expect(zeros([1]).backend).toBe(cpuBackend);
    expect(withBackend(referenceBackend, () => zeros([1])).backend).toBe(referenceBackend);
    expect(zeros([2]).backend.describe()).toMatchObject({ name: 'cpu', kind: 'cpu' });
  });

  it("mixing arrays of two backends fails with PyTorch's message", () => {
    const a = ones([2]);
    const b = withBackend(referenceBackend, () => ones([2]));
    expect(() => a.add(b)).toThrow(
      'Expected all tensors to be on the same device, but found at least two devices, cpu and cpu-naive! (in add; move one with .to(backend))',
    );
    expect(() => a.matmul(b.reshape([2, 1]))).toThrow('found at least two devices, cpu and cpu-naive');
  });

  it('to() moves data (a no-op on the same backend) and results stay on the operands\' backend', () => {
    const a = array([[1, 2], [3, 4]]).transpose(0, 1);
    const b = a.to(referenceBackend);
    expect(b.backend).toBe(referenceBackend);
    expect(b.toArray()).toEqual([[1, 3], [2, 4]]);
    expect(a.to(cpuBackend)).toBe(a);
    // A scalar operand is made on the array's backend, whatever the default is.
    expect(withBackend(cpuBackend, () => b.mul(2)).backend).toBe(referenceBackend);
  });

  it('reads: synchronous where the backend can, always asynchronous', async () => {
    const asyncOnly = new CountingBackend(cpuBackend, 'async-only', { syncRead: false });
    const a = withBackend(asyncOnly, () => array([[1, 2], [3, 4]]));
    expect(() => a.toArray()).toThrow('async-only: synchronous reads are not available; use await data()');
    expect(await a.toArrayAsync()).toEqual([[1, 2], [3, 4]]);
    expect(Array.from(await a.transpose(0, 1).data())).toEqual([1, 3, 2, 4]);
    expect(asyncOnly.counts).toMatchObject({ syncReads: 0, asyncReads: 2 });
    expect((await a.toAsync(cpuBackend)).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('get and item read one element; printing reads once', () => {
    const counting = new CountingBackend();
    const a = withBackend(counting, () => array([[1, 2], [3, 4]]));
    expect(a.get(1, 0)).toBe(3);
    expect(a.narrow(0, 1, 1).narrow(1, 1, 1).item()).toBe(4);
    expect(String(a)).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(counting.counts.syncReads).toBe(3);
  });

  it('in-place writes (copy_, fill_, zero_) bump the version shared by views', () => {
    const a = zeros([2, 2]);
    const v = a.transpose(0, 1);
    expect(a.version).toBe(0);
    a.copy_(array([1, 2]));
    expect(a.toArray()).toEqual([[1, 2], [1, 2]]);
    expect(v.version).toBe(1);
    v.narrow(0, 0, 1).fill_(7);
    expect(a.toArray()).toEqual([[7, 2], [7, 2]]);
    expect(a.version).toBe(2);
    expect(a.zero_().toArray()).toEqual([[0, 0], [0, 0]]);
    expect(() => a.copy_(withBackend(referenceBackend, () => ones([2])))).toThrow('found at least two devices');
  });

  it('index values are checked by the kernel that reads them', () => {
    const x = array([[1, 2], [3, 4]]);
    expect(() => x.gather(1, array([[0], [2]], { dtype: 'int32' }))).toThrow('gather: index 2 is out of bounds for dim 1 with size 2');
    expect(() => x.indexSelect(0, array([-1], { dtype: 'int32' }))).toThrow('indexSelect: index -1 is out of bounds for dim 0 with size 2');
  });
});
