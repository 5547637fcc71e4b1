import { IdxError, parseIdx, type IdxArray } from './idx.js';
import { nodeZlib } from './node-builtins.js';

/**
 * The most bytes a gzip stream may expand to (1 GiB; the largest MNIST-family file is 47 MB), so
 * a small "gzip bomb" cannot exhaust memory. Each decode function takes its own `maxBytes`.
 */
export const MAX_GUNZIP_BYTES = 2 ** 30;

const tooLarge = (maxBytes: number): string =>
  `gzip data expands to more than ${maxBytes} bytes (the limit; pass a larger maxBytes if this file is genuine)`;

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
 * `DecompressionStream` (browsers, Node >= 18, Deno, Bun).
 *
 * @example
 * ```ts
 * import { decodeIdx } from '@tsgrad/mnist';
 * const res = await fetch('https://example.org/mnist/t10k-labels-idx1-ubyte.gz');
 * const labels = await decodeIdx(new Uint8Array(await res.arrayBuffer()), res.url);
 * labels.shape; // [10000]
 * ```
 */
export async function decodeIdx(bytes: Uint8Array, file = 'IDX data', maxBytes = MAX_GUNZIP_BYTES): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, file, maxBytes) : bytes, file);
}

/**
 * Parses IDX bytes, raw or gzipped, synchronously; gzip needs Node's zlib.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decodeIdxSync } from '@tsgrad/mnist';
 * const path = 'data/train-labels-idx1-ubyte.gz';
 * decodeIdxSync(readFileSync(path), path).shape; // [60000]
 * ```
 */
export function decodeIdxSync(bytes: Uint8Array, file = 'IDX data', maxBytes = MAX_GUNZIP_BYTES): IdxArray {
  if (!isGzip(bytes)) return parseIdx(bytes, file);
  const zlib = nodeZlib('decodeIdxSync on gzipped data');
  let raw: Uint8Array;
  try {
    raw = zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    if (e instanceof RangeError) throw new IdxError(file, tooLarge(maxBytes));
    throw new IdxError(file, `corrupt gzip data: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseIdx(raw, file);
}

/**
 * Decompresses gzip bytes with `DecompressionStream` (any platform); corrupt data becomes an `IdxError`.
 *
 * @example
 * ```ts
 * import { gunzip } from '@tsgrad/mnist';
 * const raw = await gunzip(new Uint8Array(await (await fetch('/data/t10k-labels-idx1-ubyte.gz')).arrayBuffer()));
 * ```
 */
export async function gunzip(bytes: Uint8Array, file = 'gzip data', maxBytes = MAX_GUNZIP_BYTES): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        controller.enqueue(new Uint8Array(bytes));
        controller.close();
      },
    });
    const reader = source.pipeThrough(new DecompressionStream('gzip')).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        break;
      }
    }
  } catch (e) {
    throw new IdxError(file, `corrupt gzip data: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (total > maxBytes) throw new IdxError(file, tooLarge(maxBytes));
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
