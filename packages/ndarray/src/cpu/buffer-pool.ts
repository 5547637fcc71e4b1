/**
 * A pool of released CPU buffers, reused for the next allocation of the same dtype and length.
 *
 * A training step allocates the same arrays every step (activations, gradients, the optimizer's
 * temporaries). A fresh large typed array costs zeroed pages from the operating system and
 * leaves the garbage collector more external memory to chase; a disposed one (`dispose`,
 * `tidy`) handed back here is zero-filled and reused instead, as PyTorch's caching allocator
 * reuses freed blocks. Arrays that are never disposed still go to the garbage collector.
 *
 * The pool holds at most `maxBytes`; a buffer that does not fit is left to the collector. Only
 * buffers of `minBytes` or more are pooled: small typed arrays are cheap to make. Arrays that live
 * in the wasm kernels' memory go back to its allocator instead (./wasm/heap-arrays.ts): the pool
 * keeps the others (too large for it, past its budget, or where the memory is not shared).
 */
import type { DType, TypedArray } from '../dtype.js';

/**
 * Free buffers by dtype and length, bounded in bytes.
 *
 * @example
 * const pool = new BufferPool(1 << 20);
 * pool.give('float32', new Float32Array(4096));
 * pool.take('float32', 4096)?.length; // 4096, zero-filled
 * pool.take('float32', 4096); // undefined: the pool is empty again
 * pool.give('float32', new Float32Array(4096).fill(1));
 * pool.take('float32', 4096, false)?.[0]; // 1: not zero-filled, for a kernel that overwrites it all
 */
export class BufferPool {
  private readonly free = new Map<string, TypedArray[]>();
  private pooled = 0;

  constructor(
    readonly maxBytes: number,
    readonly minBytes = 4096,
  ) {}

  /** The bytes held now, waiting to be reused. */
  get bytes(): number {
    return this.pooled;
  }

  /**
   * A buffer of `length` elements of `dtype` from the pool, or undefined if it has none;
   * zero-filled unless `zeroFill` is false (for a kernel that overwrites every element anyway:
   * the fill is a full pass over memory, a few percent of a training step).
   */
  take(dtype: DType, length: number, zeroFill = true): TypedArray | undefined {
    const list = this.free.get(key(dtype, length));
    const buffer = list?.pop();
    if (buffer === undefined) return undefined;
    this.pooled -= buffer.byteLength;
    return zeroFill ? buffer.fill(0) : buffer;
  }

  /** Hands `buffer` back for reuse (or leaves it to the garbage collector when the pool is full or it is small). */
  give(dtype: DType, buffer: TypedArray): void {
    const bytes = buffer.byteLength;
    if (bytes < this.minBytes || this.pooled + bytes > this.maxBytes) return;
    const k = key(dtype, buffer.length);
    const list = this.free.get(k);
    if (list === undefined) this.free.set(k, [buffer]);
    else list.push(buffer);
    this.pooled += bytes;
  }

  /** Drops every pooled buffer (to the garbage collector). */
  clear(): void {
    this.free.clear();
    this.pooled = 0;
  }
}

function key(dtype: DType, length: number): string {
  return `${dtype}:${length}`;
}
