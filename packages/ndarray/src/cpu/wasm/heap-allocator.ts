/**
 * Blocks of a `WebAssembly.Memory`, handed out and taken back: where the CPU backend keeps its
 * storage, so that the wasm kernels read and write arrays in place instead of copying them in
 * and out (./heap-arrays.ts), and where the runtime keeps its kernel scratch (./runtime.ts).
 *
 * A training step frees and allocates the same sizes every step, so the allocator is the
 * simplest one that reuses them: a free list per block size (sizes rounded up to 16 bytes) and a
 * bump pointer for sizes it has not seen free. Blocks are never split or merged; memory never
 * shrinks (wasm memories cannot), so {@link HeapAllocator.allocate} declines past a budget of
 * bytes handed out from the bump pointer, and the caller keeps the array in JavaScript instead.
 * A block whose owner (a typed array over it) is garbage-collected without being freed comes
 * back through a `FinalizationRegistry`.
 */

/** Blocks start at multiples of 16 bytes (a v128) and span whole multiples of 16 bytes. */
export const BLOCK_ALIGN = 16;
/**
 * Bytes kept readable past the last block: a kernel's last vector load may read a little past the
 * end of its operand (never used), and that must not run off the end of the memory.
 */
const TAIL_SLACK = 64;
const PAGE_BYTES = 65536;

const roundUp = (x: number, multiple: number): number => Math.ceil(x / multiple) * multiple;

/**
 * Blocks of `memory` from byte address `base` on, at most `budget` bytes of them (not counting
 * blocks allocated `unbounded`).
 *
 * @example
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const heap = new HeapAllocator(memory, 1 << 20);
 * const a = heap.allocate(100); // 0: 112 bytes (100 rounded up to 16) at address 0
 * const b = heap.allocate(100); // 112
 * heap.free(a);
 * heap.allocate(100); // 0 again: a block of that size was free
 */
export class HeapAllocator {
  /** Free blocks' addresses, by block size in bytes. */
  private readonly freeBlocks = new Map<number, number[]>();
  /** Every allocated block: its size, and the token its owner was registered with (if any). */
  private readonly live = new Map<number, { bytes: number; token: object | undefined }>();
  private top: number;
  private bounded = 0;
  private idle = 0;
  private readonly collected = new FinalizationRegistry<number>((address) => this.free(address));

  constructor(
    private readonly memory: WebAssembly.Memory,
    readonly budget: number,
    readonly base = 0,
  ) {
    if (base % BLOCK_ALIGN !== 0) throw new Error(`HeapAllocator: base ${base} is not a multiple of ${BLOCK_ALIGN}`);
    this.top = base;
  }

  /**
   * The byte address of a block of at least `bytes` bytes (16-byte aligned), or -1 when it would
   * take the bytes handed out past the budget. `unbounded` blocks (the kernels' scratch, which
   * must always be had) ignore the budget and do not count against it. The block's contents are
   * whatever its last owner left: zero it if that matters.
   */
  allocate(bytes: number, unbounded = false): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`HeapAllocator: cannot allocate ${bytes} bytes`);
    const size = Math.max(BLOCK_ALIGN, roundUp(bytes, BLOCK_ALIGN));
    let address = this.freeBlocks.get(size)?.pop();
    if (address !== undefined) {
      this.idle -= size;
    } else {
      if (!unbounded && this.bounded + size > this.budget) return -1;
      address = this.top;
      this.top += size;
      const needPages = Math.ceil((this.top + TAIL_SLACK) / PAGE_BYTES), havePages = this.memory.buffer.byteLength / PAGE_BYTES;
      if (needPages > havePages) this.memory.grow(needPages - havePages);
      if (!unbounded) this.bounded += size;
    }
    this.live.set(address, { bytes: size, token: undefined });
    return address;
  }

  /**
   * Frees the block at `address` when `owner` is garbage-collected, unless {@link free} frees it
   * first. The owner must not be reachable from the allocator (a typed array over the block is).
   */
  freeWhenCollected(address: number, owner: object): void {
    const block = this.blockAt(address);
    block.token = {};
    this.collected.register(owner, address, block.token);
  }

  /** Takes the block at `address` back for reuse by a block of the same size. */
  free(address: number): void {
    const block = this.blockAt(address);
    if (block.token !== undefined) this.collected.unregister(block.token);
    this.live.delete(address);
    const list = this.freeBlocks.get(block.bytes);
    if (list === undefined) this.freeBlocks.set(block.bytes, [address]);
    else list.push(address);
    this.idle += block.bytes;
  }

  /** The size in bytes of the allocated block at `address` (its request rounded up to 16). */
  sizeOf(address: number): number {
    return this.blockAt(address).bytes;
  }

  /** Bytes in allocated blocks, and in free blocks waiting for reuse. */
  get usage(): { allocated: number; free: number; budgeted: number } {
    return { allocated: this.top - this.base - this.idle, free: this.idle, budgeted: this.bounded };
  }

  private blockAt(address: number): { bytes: number; token: object | undefined } {
    const block = this.live.get(address);
    if (block === undefined) throw new Error(`HeapAllocator: no allocated block at byte address ${address} (freed twice?)`);
    return block;
  }
}
