/**
 * The safetensors format (https://github.com/huggingface/safetensors), in memory:
 *
 * ```text
 * [8 bytes]  N, the header length, unsigned 64-bit little-endian
 * [N bytes]  a JSON object, UTF-8, padded with spaces to a multiple of 8 bytes:
 *            { "__metadata__": { string: string },                 (optional)
 *              name: { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, ... }
 * [rest]     the tensors' raw little-endian bytes, back to back; offsets count from here
 * ```
 *
 * The writer lays a file out as the reference (Rust) writer does: tensors sorted by dtype
 * (widest first, in the reference's dtype order) then by name, compact JSON with
 * `__metadata__` first and the tensors in data order, and space padding.
 *
 * Reading maps each file dtype to an NDArray dtype: F32, F64, I32, U8 and BOOL as
 * themselves; F16 and BF16 to float32 (exactly); I8, I16 and U16 to int32 (exactly); I64,
 * U32 and U64 to int32 when every value fits, else an error (tsgrad has no 64-bit integers).
 * A malformed file is a `SafetensorsError` naming the file, tensor and byte offsets; every
 * check runs before any tensor is allocated, so a hostile header cannot cause a huge
 * allocation.
 */
import { NDArray, array, type DType, type TypedArray } from '@tsgrad/ndarray';

/** A file's tensors and its `__metadata__` (`{}` when it has none). */
export interface SafetensorsContents {
  tensors: Record<string, NDArray>;
  metadata: Record<string, string>;
}

/**
 * A malformed or unsupported safetensors file; the message names the file, the tensor and the byte offsets.
 *
 * @example
 * ```ts
 * import { deserialize, SafetensorsError } from '@tsgrad/nn';
 * try { deserialize(new Uint8Array(5)); } catch (e) { e instanceof SafetensorsError; } // true: 'file is 5 bytes, too short ...'
 * ```
 */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** The reference reader's limit on the header (100 MB): a longer one is certainly corrupt. */
export const MAX_HEADER_BYTES = 100_000_000;

/** The file dtypes, in the reference implementation's order (the writer sorts by it, descending). */
const FILE_DTYPES = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'] as const;
type FileDType = (typeof FILE_DTYPES)[number];

const BYTES: Record<FileDType, number> = {
  BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

const FILE_DTYPE_OF: Record<DType, FileDType> = { float32: 'F32', float64: 'F64', int32: 'I32', uint8: 'U8', bool: 'BOOL' };

function isFileDType(s: string): s is FileDType {
  return (FILE_DTYPES as readonly string[]).includes(s);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------- writing

/**
 * Encodes tensors (and optional string metadata) as a safetensors file, laid out as the
 * reference writer does. An empty `metadata` is not written.
 *
 * @example
 * ```ts
 * import { array } from '@tsgrad/ndarray';
 * import { serialize, deserialize } from '@tsgrad/nn';
 * const bytes = serialize({ w: array([[1, 2], [3, 4]]) }, { step: '10' });
 * deserialize(bytes).tensors.w.toArray(); // [[1, 2], [3, 4]]
 * ```
 */
export function serialize(record: Record<string, NDArray>, metadata?: Record<string, string>): Uint8Array {
  const entries = Object.entries(record).map(([name, a]) => {
    if (name === '__metadata__') throw new SafetensorsError('serialize: "__metadata__" cannot be a tensor name');
    if (!(a instanceof NDArray)) throw new SafetensorsError(`serialize: tensor "${name}" is not an NDArray`);
    return { name, array: a, dtype: FILE_DTYPE_OF[a.dtype], bytes: a.size * BYTES[FILE_DTYPE_OF[a.dtype]] };
  });
  const rank = (d: FileDType): number => FILE_DTYPES.indexOf(d);
  entries.sort((x, y) => rank(y.dtype) - rank(x.dtype) || compareUtf8(x.name, y.name));

  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`serialize: metadata "${k}" must be a string, got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  let offset = 0;
  for (const e of entries) {
    setOwn(header, e.name, { dtype: e.dtype, shape: [...e.array.shape], data_offsets: [offset, offset + e.bytes] });
    offset += e.bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces, as the reference pads
  let at = 8 + headerLength;
  for (const e of entries) {
    writeLittleEndian(e.array.toTypedArray(), out.subarray(at, at + e.bytes));
    at += e.bytes;
  }
  return out;
}

/** Compares strings by their UTF-8 bytes (code point order), as the reference writer sorts names. */
function compareUtf8(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) ?? 0);
  const y = [...b].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function writeLittleEndian(values: TypedArray, out: Uint8Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float64Array) view.setFloat64(i * 8, values[i], true);
    else if (values instanceof Float32Array) view.setFloat32(i * 4, values[i], true);
    else if (values instanceof Int32Array) view.setInt32(i * 4, values[i], true);
    else view.setUint8(i, values[i]);
  }
}

// ---------------------------------------------------------------------------------- reading

/** One tensor's header entry, checked. */
interface Entry {
  name: string;
  dtype: FileDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Decodes a safetensors file. `source` (a path) is named in errors.
 *
 * @example
 * ```ts
 * import { array } from '@tsgrad/ndarray';
 * import { serialize, deserialize } from '@tsgrad/nn';
 * const { tensors, metadata } = deserialize(serialize({ b: array([1, 2, 3], { dtype: 'int32' }) }, { epoch: '3' }));
 * tensors.b.dtype; // 'int32'
 * metadata.epoch; // '3'
 * ```
 */
export function deserialize(bytes: Uint8Array, { source }: { source?: string } = {}): SafetensorsContents {
  const fail = (message: string): never => {
    throw new SafetensorsError(`${source === undefined ? 'safetensors' : source}: ${message}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} (bytes 0-7) is over the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) {
    fail(`header length ${headerLength} (bytes 0-7) runs past the end of the file (${bytes.length} bytes)`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  const header = parseHeader(bytes.subarray(8, dataStart), fail);
  const metadata = parseMetadata(header.__metadata__, fail);
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name !== '__metadata__') entries.push(parseEntry(name, info, fail));
  }
  checkLayout(entries, dataStart, dataLength, fail);

  const tensors: Record<string, NDArray> = {};
  for (const e of entries) {
    const raw = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    const where = `tensor "${e.name}" (file bytes ${dataStart + e.begin}-${dataStart + e.end - 1})`;
    setOwn(tensors, e.name, decode(raw, e, (message) => fail(`${where}: ${message}`)));
  }
  return { tensors, metadata };
}

function parseHeader(raw: Uint8Array, fail: (m: string) => never): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return fail(`header (bytes 8-${7 + raw.length}) is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header (bytes 8-${7 + raw.length}) is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(header)) return fail(`header (bytes 8-${7 + raw.length}) is not a JSON object`);
  return header;
}

function parseMetadata(value: unknown, fail: (m: string) => never): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) return fail('"__metadata__" is not an object of strings');
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return fail(`"__metadata__" value "${k}" is not a string`);
    setOwn(metadata, k, v);
  }
  return metadata;
}

function parseEntry(name: string, info: unknown, fail: (m: string) => never): Entry {
  const bad = (m: string): never => fail(`tensor "${name}": ${m}`);
  if (!isObject(info)) return bad('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string' || !isFileDType(dtype)) {
    return bad(`unknown dtype ${JSON.stringify(dtype)} (supported: ${FILE_DTYPES.join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) return bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    return bad(`data_offsets ${JSON.stringify(offsets)} is not [begin, end] with non-negative integers`);
  }
  const [begin, end] = offsets;
  if (end < begin) return bad(`data_offsets [${begin}, ${end}] end before they begin`);
  let count = 1;
  for (const d of shape) count *= d;
  const expected = count * BYTES[dtype];
  if (!Number.isSafeInteger(expected) || expected !== end - begin) {
    return bad(`shape [${shape.join(',')}] of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape, begin, end };
}

/** The tensors must tile the data section exactly: no overlaps, no holes, nothing left over. */
function checkLayout(entries: Entry[], dataStart: number, dataLength: number, fail: (m: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    const where = `tensor "${e.name}" data_offsets [${e.begin}, ${e.end}]`;
    if (e.begin < at) fail(`${where} overlap${previous === null ? '' : ` tensor "${previous.name}" [${previous.begin}, ${previous.end}]`}`);
    if (e.begin > at) fail(`${where} leave a hole: bytes ${at}-${e.begin - 1} of the data section (file bytes ${dataStart + at}-${dataStart + e.begin - 1}) belong to no tensor`);
    if (e.end > dataLength) fail(`${where} run past the end of the data section (${dataLength} bytes from file byte ${dataStart})`);
    at = e.end;
    previous = e;
  }
  if (at !== dataLength) {
    fail(`the tensors end at data byte ${at} but the data section is ${dataLength} bytes (from file byte ${dataStart})`);
  }
}

function decode(raw: Uint8Array, e: Entry, fail: (m: string) => never): NDArray {
  const count = raw.length / BYTES[e.dtype];
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const ints = (read: (i: number) => number): Int32Array => Int32Array.from({ length: count }, (_, i) => read(i));
  switch (e.dtype) {
    case 'F32':
      return array(copyNative(raw, Float32Array, (i) => dv.getFloat32(i * 4, true)), { shape: e.shape });
    case 'F64':
      return array(copyNative(raw, Float64Array, (i) => dv.getFloat64(i * 8, true)), { shape: e.shape });
    case 'I32':
      return array(copyNative(raw, Int32Array, (i) => dv.getInt32(i * 4, true)), { shape: e.shape });
    case 'U8':
      return array(copyBytes(raw), { shape: e.shape, dtype: 'uint8' });
    case 'BOOL': {
      const bad = raw.findIndex((b) => b > 1);
      if (bad >= 0) fail(`BOOL element ${bad} is ${raw[bad]}, not 0 or 1`);
      return array(copyBytes(raw), { shape: e.shape, dtype: 'bool' });
    }
    case 'F16':
      return array(Float32Array.from({ length: count }, (_, i) => halfToFloat(dv.getUint16(i * 2, true))), { shape: e.shape });
    case 'BF16':
      return array(Float32Array.from({ length: count }, (_, i) => bfloat16ToFloat(dv.getUint16(i * 2, true))), { shape: e.shape });
    case 'I8':
      return array(ints((i) => dv.getInt8(i)), { shape: e.shape });
    case 'I16':
      return array(ints((i) => dv.getInt16(i * 2, true)), { shape: e.shape });
    case 'U16':
      return array(ints((i) => dv.getUint16(i * 2, true)), { shape: e.shape });
    case 'U32':
      return array(ints((i) => toInt32(dv.getUint32(i * 4, true), i, 'U32', fail)), { shape: e.shape });
    case 'I64':
      return array(ints((i) => toInt32(dv.getBigInt64(i * 8, true), i, 'I64', fail)), { shape: e.shape });
    case 'U64':
      return array(ints((i) => toInt32(dv.getBigUint64(i * 8, true), i, 'U64', fail)), { shape: e.shape });
  }
}

type NativeArray = Float32Array | Float64Array | Int32Array;

/**
 * Copies little-endian elements into a fresh typed array: a byte copy on little-endian
 * machines (the copy also aligns the data), `read` element by element otherwise.
 */
function copyNative<T extends NativeArray>(
  raw: Uint8Array,
  Kind: { new (buffer: ArrayBuffer): T; new (length: number): T; BYTES_PER_ELEMENT: number },
  read: (i: number) => number,
): T {
  if (LITTLE_ENDIAN) return new Kind(copyBytes(raw).buffer);
  const out = new Kind(raw.length / Kind.BYTES_PER_ELEMENT);
  for (let i = 0; i < out.length; i++) out[i] = read(i);
  return out;
}

/** A fresh copy with its own buffer (a Node Buffer's `slice` would share memory instead). */
function copyBytes(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(raw.length);
  out.set(raw);
  return out;
}

function toInt32(v: number | bigint, i: number, dtype: string, fail: (m: string) => never): number {
  if (v < -2147483648 || v > 2147483647) fail(`${dtype} element ${i} is ${v}, outside int32 (tsgrad has no 64-bit integer dtype)`);
  return Number(v);
}

/**
 * An IEEE half (binary16) as a number, exactly: sign, 5-bit exponent (bias 15), 10-bit fraction.
 *
 * @example
 * ```ts
 * import { halfToFloat } from './safetensors.js';
 * halfToFloat(0x3c00); // 1
 * halfToFloat(0xc000); // -2
 * ```
 */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (and zero)
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const scratch = new Uint32Array(1);
const scratchFloat = new Float32Array(scratch.buffer);

/** A bfloat16 as a number, exactly: the upper 16 bits of a float32. */
function bfloat16ToFloat(b: number): number {
  scratch[0] = b << 16;
  return scratchFloat[0];
}

/** Sets an own, enumerable property, even for a name such as "__proto__" (file names are data). */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
