/**
 * Element memory, owned by a backend.
 *
 * A `Storage` is the backend's handle to one allocation: a typed array on the CPU, a device
 * buffer or texture on a GPU. Outside its backend it is opaque: code sees its dtype, its size,
 * and the bookkeeping that every backend shares (the version counter of in-place writes and the
 * count of arrays that use it). Backends subclass it to add the memory itself.
 */
import type { Backend } from './backend.js';
import type { DType } from './dtype.js';

/**
 * Bytes per element of `dtype` as the CPU stores it (bool and uint8 take one byte).
 *
 * @example
 * bytesPerElement('float64'); // 8
 */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'float32' || dtype === 'int32' ? 4 : 1;
}

/**
 * One allocation of `size` elements of `dtype`, made by `backend`. Subclasses hold the memory.
 *
 * @example
 * import { zeros } from '@tsgrad/ndarray';
 * const s = zeros([2, 3]).storage;
 * s.size;          // 6
 * s.backend.name;  // 'cpu'
 */
export abstract class Storage {
  /** The backend that made this storage and is the only code that reads or writes its elements. */
  abstract readonly backend: Backend;
  /**
   * Bumped by every in-place write (`copy_`, `fill_`, optimizer steps); autograd compares it with
   * the version it saw in forward, so a backward never silently uses overwritten values.
   */
  version = 0;
  /** How many arrays (views included) use this storage and have not been disposed. */
  refs = 0;
  /** Set once the backend has released the memory; any later use is an error. */
  released = false;
  /** The ledger's record of this storage (null when it was not tracked). */
  entry: LedgerEntry | null = null;

  constructor(
    readonly dtype: DType,
    readonly size: number,
  ) {}

  /** The bytes this storage occupies. */
  get bytes(): number {
    return this.size * bytesPerElement(this.dtype);
  }
}

/** What `memory()` reports for one backend. */
export interface MemoryInfo {
  /** The backend's name. */
  backend: string;
  /** Storages allocated and not yet released (a view shares its base's storage). */
  buffers: number;
  /** Bytes held by those storages. */
  bytes: number;
  /** The most bytes held at once since the backend was made. */
  peakBytes: number;
}

/** How a ledger records a storage: its bytes, its release, and whether it was released already. */
export interface LedgerEntry {
  bytes: number;
  release: () => void;
  released: boolean;
}

/**
 * A backend's account of its live storages: counts, bytes and the peak, with a
 * `FinalizationRegistry` as the safety net that releases a storage nobody disposed once the
 * garbage collector has found it unreachable.
 *
 * Registering costs about a microsecond, more than a small kernel: a backend whose memory the
 * garbage collector frees anyway (the CPU) can leave storages under `minBytes` out of the account.
 *
 * @example
 * const ledger = new MemoryLedger('mine');
 * ledger.info().buffers; // 0
 */
export class MemoryLedger {
  private buffers = 0;
  private bytes = 0;
  private peak = 0;
  // The entry must not reference the storage itself, or the storage would never be collected.
  private readonly registry = new FinalizationRegistry<LedgerEntry>((entry) => {
    if (entry.released) return;
    entry.released = true;
    this.buffers--;
    this.bytes -= entry.bytes;
    entry.release();
  });

  constructor(
    private readonly name: string,
    private readonly minBytes = 0,
  ) {}

  /**
   * Counts a new storage; `release` frees its memory (a device buffer) and runs exactly once,
   * at `release(storage)` or, if the storage is dropped without that, after garbage collection.
   */
  track(storage: Storage, release: () => void = noop): void {
    const bytes = storage.bytes;
    if (bytes < this.minBytes) return;
    const entry: LedgerEntry = { bytes, release, released: false };
    this.buffers++;
    this.bytes += bytes;
    if (this.bytes > this.peak) this.peak = this.bytes;
    storage.entry = entry;
    this.registry.register(storage, entry);
  }

  /** Releases a storage now (idempotent); `release` frees what `track` did not know of. */
  release(storage: Storage, release: () => void = noop): void {
    if (storage.released) return;
    storage.released = true;
    const entry = storage.entry;
    if (entry !== null && !entry.released) {
      entry.released = true;
      this.buffers--;
      this.bytes -= entry.bytes;
      entry.release();
      return;
    }
    release();
  }

  /** The live buffers and bytes now, and the peak. */
  info(): MemoryInfo {
    return { backend: this.name, buffers: this.buffers, bytes: this.bytes, peakBytes: this.peak };
  }
}

function noop(): void {}
