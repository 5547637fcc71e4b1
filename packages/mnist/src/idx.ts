/**
 * The IDX format (LeCun's MNIST files): a 4-byte magic number `00 00 TT NN` (TT the element type,
 * NN the number of dimensions), NN big-endian uint32 sizes, then the elements, big-endian,
 * row-major. This file is pure: no Node or browser APIs.
 */

/** The element types IDX defines, by our dtype names. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
/** The typed array an IDX file decodes to, by its element type (0x08 unsigned byte ... 0x0E double). */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its element type, its dimensions and its elements (row-major). */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxData;
}

/** Type code, dtype and element size of each IDX element type. */
const IDX_TYPES: readonly { code: number; dtype: IdxDType; bytes: number }[] = [
  { code: 0x08, dtype: 'uint8', bytes: 1 },
  { code: 0x09, dtype: 'int8', bytes: 1 },
  { code: 0x0b, dtype: 'int16', bytes: 2 },
  { code: 0x0c, dtype: 'int32', bytes: 4 },
  { code: 0x0d, dtype: 'float32', bytes: 4 },
  { code: 0x0e, dtype: 'float64', bytes: 8 },
];

/**
 * A malformed IDX file (or gzip stream, or dataset file); the message starts with the file's name.
 *
 * @example
 * ```ts
 * import { IdxError, parseIdx } from '@tsgrad/mnist';
 * try { parseIdx(new Uint8Array([1, 2, 3, 4]), 'x.idx'); } catch (e) { e instanceof IdxError && e.file; } // 'x.idx'
 * ```
 */
export class IdxError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'IdxError';
    this.file = file;
  }
}

const hex = (n: number, digits: number): string => `0x${n.toString(16).toUpperCase().padStart(digits, '0')}`;

/**
 * Parses an uncompressed IDX file. Sizes are checked against the bytes present before anything
 * is allocated, so a malicious header cannot trigger a huge allocation. uint8 and int8 data are
 * views of `bytes` (no copy); wider types are decoded from big-endian into a new array.
 * For gzipped bytes use `decodeIdx` (async, any platform) or `decodeIdxSync` (Node).
 *
 * @param file a name for error messages (a path or URL)
 * @example
 * ```ts
 * import { parseIdx } from '@tsgrad/mnist';
 * const bytes = new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]); // uint8, 1-d, size 3
 * parseIdx(bytes, 'tiny').data; // Uint8Array [7, 8, 9]
 * ```
 */
export function parseIdx(bytes: Uint8Array, file = 'IDX data'): IdxArray {
  if (bytes.length < 4) {
    throw new IdxError(file, `truncated: ${bytes.length} bytes, but an IDX file needs at least 4 (the magic number)`);
  }
  const header = readIdxHeader(bytes, file);
  if (header === undefined) {
    const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
    throw new IdxError(
      file,
      `truncated header: magic number ${hex(magic, 8)} declares ${bytes[3]} dimensions, which need ${4 + 4 * bytes[3]} ` +
        `header bytes, but the file has ${bytes.length}`,
    );
  }
  const { dtype, shape, headerBytes, count, fileBytes } = header;
  if (fileBytes !== bytes.length) {
    const expected = fileBytes - headerBytes;
    const present = bytes.length - headerBytes;
    const what = expected > present ? 'truncated' : `${present - expected} unexpected bytes after the data`;
    throw new IdxError(
      file,
      `${what}: the header says [${shape.join(', ')}] ${dtype}, which is ${expected} data bytes after the ` +
        `${headerBytes}-byte header (a file of ${fileBytes} bytes), but the file has ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dtype, shape, data: decodeElements(view, headerBytes, count, dtype) };
}

/** What an IDX header declares: the element type, the shape, and the sizes in bytes. */
export interface IdxHeader {
  dtype: IdxDType;
  shape: number[];
  /** The header's own length: 4 + 4 * ndim. */
  headerBytes: number;
  /** The number of elements, the product of the shape. */
  count: number;
  /** The length of the whole file the header describes (header and elements). */
  fileBytes: number;
}

/**
 * Reads the header at the start of `head` (the first bytes of an IDX file, e.g. the first output of
 * a decompressor): `undefined` while `head` is too short to hold it, an `IdxError` for a wrong
 * magic number. A decoder uses `fileBytes` to stop a stream that grows past what the header
 * declares.
 *
 * @example
 * ```ts
 * import { readIdxHeader } from '@tsgrad/mnist';
 * readIdxHeader(new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 3]))?.fileBytes; // 11
 * readIdxHeader(new Uint8Array([0, 0, 0x08, 1, 0])); // undefined: the size is not there yet
 * ```
 */
export function readIdxHeader(head: Uint8Array, file = 'IDX data'): IdxHeader | undefined {
  const type = head.length >= 3 ? IDX_TYPES.find((t) => t.code === head[2]) : undefined;
  if ((head.length >= 1 && head[0] !== 0) || (head.length >= 2 && head[1] !== 0) || (head.length >= 3 && type === undefined)) {
    const magic = Array.from({ length: 4 }, (_, i) => head[i] ?? 0).reduce((m, b) => m * 256 + b, 0);
    const gzipHint = head[0] === 0x1f && head[1] === 0x8b ? ' (these are gzip bytes: use decodeIdx or decodeIdxSync)' : '';
    throw new IdxError(
      file,
      `wrong magic number ${hex(magic, 8)} (${magic})${gzipHint}: an IDX file starts with 0x00 0x00, a type code ` +
        `(0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64) and the number of dimensions`,
    );
  }
  if (head.length < 4 || type === undefined) return undefined;
  const ndim = head[3];
  const headerBytes = 4 + 4 * ndim;
  if (head.length < headerBytes) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, headerBytes);
  const shape = Array.from({ length: ndim }, (_, d) => view.getUint32(4 + 4 * d, false));
  // A product of up to 255 uint32 sizes can overflow 2^53, but it is only compared with the
  // bytes present (or a limit), never used to allocate before that comparison.
  const count = shape.reduce((p, d) => p * d, 1);
  return { dtype: type.dtype, shape, headerBytes, count, fileBytes: headerBytes + count * type.bytes };
}

/** The `count` elements at `offset`, big-endian. */
function decodeElements(view: DataView, offset: number, count: number, dtype: IdxDType): IdxData {
  const start = view.byteOffset + offset;
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, start, count);
    case 'int8':
      return new Int8Array(view.buffer, start, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** The IDX dtype whose typed array `data` is. */
function dtypeOf(data: IdxData): IdxDType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/**
 * Writes an IDX file (the inverse of `parseIdx`).
 *
 * @example
 * ```ts
 * import { encodeIdx, parseIdx } from '@tsgrad/mnist';
 * const bytes = encodeIdx({ dtype: 'int16', shape: [2, 2], data: new Int16Array([1, -2, 3, -4]) });
 * parseIdx(bytes).data; // Int16Array [1, -2, 3, -4]
 * ```
 */
export function encodeIdx(idx: IdxArray): Uint8Array {
  const { dtype, shape, data } = idx;
  const type = IDX_TYPES.find((t) => t.dtype === dtype);
  if (type === undefined) throw new Error(`encodeIdx: unknown dtype ${String(dtype)}`);
  if (dtypeOf(data) !== dtype) throw new Error(`encodeIdx: dtype ${dtype} but the data is a ${data.constructor.name}`);
  if (shape.length > 255 || shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new Error(`encodeIdx: shape [${shape.join(', ')}] is not up to 255 uint32 sizes`);
  }
  const count = shape.reduce((p, d) => p * d, 1);
  if (count !== data.length) {
    throw new Error(`encodeIdx: shape [${shape.join(', ')}] has ${count} elements but the data has ${data.length}`);
  }
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + count * type.bytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, (type.code << 8) | shape.length, false);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const at = headerBytes + i * type.bytes;
    const v = data[i];
    if (dtype === 'uint8') view.setUint8(at, v);
    else if (dtype === 'int8') view.setInt8(at, v);
    else if (dtype === 'int16') view.setInt16(at, v, false);
    else if (dtype === 'int32') view.setInt32(at, v, false);
    else if (dtype === 'float32') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return out;
}
