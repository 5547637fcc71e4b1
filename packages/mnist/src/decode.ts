import { IdxError, parseIdx, readIdxHeader, type IdxArray } from './idx.js';
import { nodeZlib } from './node-builtins.js';

/**
 * The most bytes a gzip stream may expand to by default (1 GiB; the largest MNIST-family file is
 * 47 MB). IDX decoding stops earlier, at the size the file's header declares; this caps the
 * declaration itself. Each decode function takes its own `maxBytes`.
 */
export const MAX_GUNZIP_BYTES = 2 ** 30;

/**
 * Whether `bytes` start with the gzip magic number 1F 8B.
 *
 * @example
 * ```ts
 * import { isGzip } from '@tsgrad/mnist';
 * isGzip(new Uint8Array([0x1f, 0x8b, 8])); // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses IDX bytes, raw or gzipped, on any platform: gzip is undone with the standard
 * `DecompressionStream` (browsers, Node >= 18, Deno, Bun), as a stream that stops as soon as the
 * output passes the size the IDX header declares (or `maxBytes`), so a gzip bomb costs a few MB.
 *
 * @example
 * ```ts
 * // snippet: skip downloads from the network
 * import { decodeIdx } from '@tsgrad/mnist';
 * const res = await fetch('https://example.org/mnist/t10k-labels-idx1-ubyte.gz');
 * const labels = await decodeIdx(new Uint8Array(await res.arrayBuffer()), res.url);
 * labels.shape; // [10000]
 * ```
 */
export async function decodeIdx(bytes: Uint8Array, file = 'IDX data', maxBytes = MAX_GUNZIP_BYTES): Promise<IdxArray> {
  if (!isGzip(bytes)) return parseIdx(bytes, file);
  return parseIdx(await inflateStream(bytes, file, (head) => idxLimit(head, file, maxBytes)), file);
}

/**
 * Parses IDX bytes, raw or gzipped, synchronously; gzip needs Node's zlib. The IDX header is read
 * from the first compressed bytes, and the rest is inflated only up to the size it declares (at
 * most `maxBytes`), so a gzip bomb fails after a few MB.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { join } from 'node:path';
 * import { decodeIdxSync, embeddedMnistDir } from '@tsgrad/mnist';
 * const path = join(embeddedMnistDir(), 'train-labels-idx1-ubyte');
 * decodeIdxSync(readFileSync(path), path).shape; // [60000]
 * ```
 */
export function decodeIdxSync(bytes: Uint8Array, file = 'IDX data', maxBytes = MAX_GUNZIP_BYTES): IdxArray {
  return parseIdx(isGzip(bytes) ? gunzipIdxSync(bytes, file, maxBytes) : bytes, file);
}

/**
 * The raw bytes of a gzipped IDX file (Node's zlib): the header is read from the first compressed
 * bytes, and the rest is inflated only up to the size it declares, and never past `maxBytes`.
 */
export function gunzipIdxSync(bytes: Uint8Array, file: string, maxBytes: number): Uint8Array {
  const zlib = nodeZlib('decodeIdxSync on gzipped data');
  const corrupt = (e: unknown): IdxError => new IdxError(file, `corrupt gzip data: ${e instanceof Error ? e.message : String(e)}`);
  // Deflate expands at most 1032:1, so inflating the gzip header and the first 1 KiB of deflate
  // data gives at most about 1 MB: enough for any IDX header, too little to hurt.
  const prefix = bytes.subarray(0, gzipHeaderLength(bytes) + HEAD_PROBE_BYTES);
  let head: Uint8Array;
  try {
    head = zlib.gunzipSync(prefix, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (e) {
    throw corrupt(e);
  }
  const limit = idxLimit(head, file, maxBytes);
  if (limit === undefined) {
    // A whole stream that ends before its header: the caller's parseIdx names the truncation.
    if (prefix.length === bytes.length) return head;
    throw new IdxError(file, `no IDX header in the first ${HEAD_PROBE_BYTES} bytes of deflate data (${head.length} bytes inflated)`);
  }
  try {
    // maxOutputLength makes zlib stop (RangeError) once it has produced more than the limit.
    return zlib.gunzipSync(bytes, { maxOutputLength: Math.max(limit.bytes, 1) });
  } catch (e) {
    if (e instanceof RangeError) throw new IdxError(file, tooLarge(limit));
    throw corrupt(e);
  }
}

/**
 * Decompresses gzip bytes with `DecompressionStream` (any platform), as a stream that stops once the
 * output passes `maxBytes`; corrupt data becomes an `IdxError`.
 *
 * @example
 * ```ts
 * // snippet: skip downloads from the network
 * import { gunzip } from '@tsgrad/mnist';
 * const raw = await gunzip(new Uint8Array(await (await fetch('/data/t10k-labels-idx1-ubyte.gz')).arrayBuffer()));
 * ```
 */
export async function gunzip(bytes: Uint8Array, file = 'gzip data', maxBytes = MAX_GUNZIP_BYTES): Promise<Uint8Array> {
  return inflateStream(bytes, file, () => ({ bytes: maxBytes, what: `${maxBytes} bytes (the limit; pass a larger maxBytes if this file is genuine)` }));
}

/** The most output a decoder accepts, and how to say it in an error. */
interface OutputLimit {
  bytes: number;
  what: string;
}

/** How many deflate bytes the synchronous decoder inflates to find the IDX header. */
const HEAD_PROBE_BYTES = 1024;

const tooLarge = (limit: OutputLimit): string => `gzip data expands to more than ${limit.what}`;

/**
 * The output limit for IDX data whose first inflated bytes are `head`: the size its header
 * declares, refused outright when that is over `maxBytes`; undefined while the header is incomplete.
 */
function idxLimit(head: Uint8Array, file: string, maxBytes: number): OutputLimit | undefined {
  const header = readIdxHeader(head, file);
  if (header === undefined) return undefined;
  const declared = `[${header.shape.join(', ')}] ${header.dtype}`;
  if (header.fileBytes > maxBytes) {
    throw new IdxError(file, `the IDX header declares ${declared}, a file of ${header.fileBytes} bytes, more than the limit of ${maxBytes} bytes`);
  }
  return { bytes: header.fileBytes, what: `the ${header.fileBytes} bytes its IDX header declares (${declared})` };
}

/**
 * The length of the gzip member header at the start of `bytes` (RFC 1952: 10 bytes, then the
 * optional extra field, file name, comment and header CRC); `bytes.length` if it is cut short.
 */
function gzipHeaderLength(bytes: Uint8Array): number {
  const flags = bytes[3] ?? 0;
  let at = 10;
  if (flags & 0x04) at += 2 + (bytes[at] ?? 0) + 256 * (bytes[at + 1] ?? 0); // FEXTRA: 2-byte length, then data
  for (const flag of [0x08, 0x10]) {
    // FNAME, FCOMMENT: zero-terminated
    if (flags & flag) {
      while (at < bytes.length && bytes[at] !== 0) at++;
      at++;
    }
  }
  if (flags & 0x02) at += 2; // FHCRC
  return Math.min(at, bytes.length);
}

/**
 * Inflates `bytes` with `DecompressionStream`, reading the output chunk by chunk: `limitOf` sees the
 * output so far until it returns a limit, and the stream is cancelled as soon as the output passes it.
 */
async function inflateStream(
  bytes: Uint8Array,
  file: string,
  limitOf: (head: Uint8Array) => OutputLimit | undefined,
): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      controller.enqueue(new Uint8Array(bytes));
      controller.close();
    },
  });
  const reader = source.pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let limit: OutputLimit | undefined;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (e) {
      throw new IdxError(file, `corrupt gzip data: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (next.done) break;
    chunks.push(next.value);
    total += next.value.length;
    try {
      limit ??= limitOf(chunks.length === 1 ? chunks[0] : concat(chunks, total));
    } catch (e) {
      await reader.cancel();
      throw e;
    }
    if (limit !== undefined && total > limit.bytes) {
      await reader.cancel();
      throw new IdxError(file, tooLarge(limit));
    }
  }
  return concat(chunks, total);
}

/** The chunks, joined. */
function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
