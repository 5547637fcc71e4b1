import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeIdx, decodeIdxSync, gunzip, isGzip } from './decode.js';
import { IdxError, encodeIdx, parseIdx, readIdxHeader } from './idx.js';

const header = (type: number, dims: number[]): number[] => [
  0, 0, type, dims.length,
  ...dims.flatMap((d) => [(d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255]),
];

describe('parseIdx', () => {
  it('reads every element type, big-endian (bytes written by hand)', () => {
    const cases = [
      { type: 0x08, body: [7, 255], dtype: 'uint8', values: [7, 255] },
      { type: 0x09, body: [0x7f, 0x80], dtype: 'int8', values: [127, -128] },
      { type: 0x0b, body: [0x00, 0x01, 0xff, 0xfe], dtype: 'int16', values: [1, -2] },
      { type: 0x0c, body: [0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xfd], dtype: 'int32', values: [65536, -3] },
      { type: 0x0d, body: [0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0], dtype: 'float32', values: [1.5, -2.5] },
      { type: 0x0e, body: [0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18], dtype: 'float64', values: [1.5, Math.PI] },
    ];
    for (const c of cases) {
      const parsed = parseIdx(new Uint8Array([...header(c.type, [2]), ...c.body]), 'hand');
      expect(parsed.dtype).toBe(c.dtype);
      expect(parsed.shape).toEqual([2]);
      expect(Array.from(parsed.data)).toEqual(c.values);
    }
  });

  it('reads any number of dimensions, including none (a scalar)', () => {
    const x = parseIdx(new Uint8Array([...header(0x08, [2, 1, 3, 1]), 1, 2, 3, 4, 5, 6]));
    expect(x.shape).toEqual([2, 1, 3, 1]);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const s = parseIdx(new Uint8Array([...header(0x09, []), 0xfb]));
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([-5]);
  });

  it('returns uint8 data as a view of the input (no copy)', () => {
    const bytes = new Uint8Array([...header(0x08, [3]), 1, 2, 3]);
    const x = parseIdx(bytes);
    bytes[8] = 42;
    expect(x.data[0]).toBe(42);
    expect(x.data.constructor).toBe(Uint8Array);
  });

  it('round-trips through encodeIdx for every dtype', () => {
    const arrays = [
      { dtype: 'uint8', shape: [2, 3], data: Uint8Array.of(0, 1, 2, 253, 254, 255) },
      { dtype: 'int8', shape: [3], data: Int8Array.of(-128, 0, 127) },
      { dtype: 'int16', shape: [1, 3], data: Int16Array.of(-32768, 12345, 32767) },
      { dtype: 'int32', shape: [3], data: Int32Array.of(-(2 ** 31), 7, 2 ** 31 - 1) },
      { dtype: 'float32', shape: [2, 1, 1], data: Float32Array.of(-0.1, 3e38) },
      { dtype: 'float64', shape: [2], data: Float64Array.of(Number.MIN_VALUE, -1e300) },
    ] as const;
    for (const a of arrays) {
      const back = parseIdx(encodeIdx({ dtype: a.dtype, shape: [...a.shape], data: a.data }));
      expect(back.dtype).toBe(a.dtype);
      expect(back.shape).toEqual(a.shape);
      expect(back.data).toEqual(a.data);
    }
  });

  it('names the file and the byte counts of a truncated file', () => {
    const bytes = new Uint8Array([...header(0x08, [10, 28, 28]), 1, 2, 3]);
    expect(() => parseIdx(bytes, 'train-images-idx3-ubyte')).toThrow(
      'train-images-idx3-ubyte: truncated: the header says [10, 28, 28] uint8, which is 7840 data bytes after the ' +
        '16-byte header (a file of 7856 bytes), but the file has 19 bytes',
    );
    expect(() => parseIdx(new Uint8Array([0, 0, 8]), 'f')).toThrow('f: truncated: 3 bytes, but an IDX file needs at least 4');
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]), 'f')).toThrow(
      'f: truncated header: magic number 0x00000803 declares 3 dimensions, which need 16 header bytes, but the file has 8',
    );
  });

  it('rejects bytes after the data', () => {
    expect(() => parseIdx(new Uint8Array([...header(0x08, [2]), 1, 2, 3]), 'f')).toThrow(
      'f: 1 unexpected bytes after the data: the header says [2] uint8, which is 2 data bytes',
    );
  });

  it('names the file and the number for a wrong magic number', () => {
    expect(() => parseIdx(new Uint8Array([0x12, 0x34, 0x56, 0x78, 0, 0]), 'labels.bin')).toThrow(
      'labels.bin: wrong magic number 0x12345678 (305419896): an IDX file starts with 0x00 0x00, a type code',
    );
    expect(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'x')).toThrow('x: wrong magic number 0x00000A01 (2561)');
    expect(() => parseIdx(gzipSync(new Uint8Array([0, 0, 8, 0, 1])), 'y.gz')).toThrow('these are gzip bytes: use decodeIdx');
  });

  it('checks a huge header against the bytes present before allocating anything', () => {
    // 255 dimensions of 2^32 - 1: the product is about 10^2456 elements; 10 bytes are present.
    const bytes = new Uint8Array([...header(0x0e, new Array<number>(255).fill(0xffffffff)), ...new Array<number>(10).fill(0)]);
    let error: unknown;
    try {
      parseIdx(bytes, 'evil');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IdxError);
    expect(String(error)).toContain('evil: truncated: the header says [4294967295, 4294967295');
    expect(String(error)).toContain('but the file has 1034 bytes');
  });
});

describe('decodeIdx / decodeIdxSync', () => {
  const raw = encodeIdx({ dtype: 'int16', shape: [2, 2], data: Int16Array.of(1, -1, 300, -300) });
  const gz = gzipSync(raw);

  it('undo gzip (zlib in Node, DecompressionStream anywhere) and parse', async () => {
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(raw)).toBe(false);
    expect(Array.from(decodeIdxSync(gz, 'a.gz').data)).toEqual([1, -1, 300, -300]);
    expect(Array.from((await decodeIdx(gz, 'a.gz')).data)).toEqual([1, -1, 300, -300]);
    expect(Array.from((await decodeIdx(raw, 'a')).data)).toEqual([1, -1, 300, -300]);
  });

  it('readIdxHeader reads what a header declares from its first bytes, and waits for the rest', () => {
    const bytes = encodeIdx({ dtype: 'int16', shape: [2, 3], data: new Int16Array(6) });
    expect(readIdxHeader(bytes.subarray(0, 11), 'h')).toBeUndefined();
    expect(readIdxHeader(bytes.subarray(0, 12), 'h')).toEqual({ dtype: 'int16', shape: [2, 3], headerBytes: 12, count: 6, fileBytes: 24 });
    expect(() => readIdxHeader(Uint8Array.of(0, 0, 0x42), 'h')).toThrow('h: wrong magic number 0x00004200 (16896)');
  });

  it('stop a gzip stream at the size its IDX header declares, and refuse a header that declares more than maxBytes', async () => {
    // A valid header for 3 bytes, then 100,000 zeros: about 100 compressed bytes.
    const header = encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(1, 2, 3) });
    const overlong = gzipSync(Uint8Array.from([...header, ...new Uint8Array(100_000)]));
    const declared = 'bomb.gz: gzip data expands to more than the 11 bytes its IDX header declares ([3] uint8)';
    expect(() => decodeIdxSync(overlong, 'bomb.gz')).toThrow(declared);
    await expect(decodeIdx(overlong, 'bomb.gz')).rejects.toThrow(declared);
    // A header that claims [100000] uint8 is refused against maxBytes before the rest is inflated.
    const big = gzipSync(encodeIdx({ dtype: 'uint8', shape: [100_000], data: new Uint8Array(100_000) }));
    const limit = 'big.gz: the IDX header declares [100000] uint8, a file of 100008 bytes, more than the limit of 10000 bytes';
    expect(() => decodeIdxSync(big, 'big.gz', 10_000)).toThrow(limit);
    await expect(decodeIdx(big, 'big.gz', 10_000)).rejects.toThrow(limit);
    // Zeros are no IDX file: the first inflated bytes say so.
    const zeros = gzipSync(new Uint8Array(100_000));
    expect(() => decodeIdxSync(zeros, 'zeros.gz')).toThrow('zeros.gz: wrong magic number 0x00000000 (0)');
    await expect(decodeIdx(zeros, 'zeros.gz')).rejects.toThrow('zeros.gz: wrong magic number 0x00000000 (0)');
    // gunzip, for any gzip data, stops at maxBytes.
    await expect(gunzip(zeros, 'zeros.gz', 10_000)).rejects.toThrow('zeros.gz: gzip data expands to more than 10000 bytes (the limit');
  });

  it('turn corrupt gzip data into an IdxError naming the file', async () => {
    const bad = Uint8Array.from(gz);
    bad.fill(0xaa, 10, 20);
    expect(() => decodeIdxSync(bad, 'bad.gz')).toThrow(/^bad\.gz: corrupt gzip data: /);
    await expect(decodeIdx(bad, 'bad.gz')).rejects.toThrow(/^bad\.gz: corrupt gzip data: /);
  });
});
