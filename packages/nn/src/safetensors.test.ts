import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { array, arange, NDArray, type DType } from '@tsgrad/ndarray';
import { deserialize, halfToFloat, MAX_HEADER_BYTES, SafetensorsError, serialize } from './safetensors.js';

const fixtures = new URL('../fixtures/', import.meta.url);
const readFixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, fixtures)));

interface ExpectedTensor {
  fileDtype: string;
  dtype: DType;
  shape: number[];
  values: Array<number | 'Infinity' | '-Infinity'>;
}
interface FixtureFile {
  metadata: Record<string, string>;
  tensors: Record<string, ExpectedTensor>;
}
const expected: { reference: FixtureFile; layout: FixtureFile & { bytes: number } } = JSON.parse(
  readFileSync(new URL('safetensors_fixtures.json', fixtures), 'utf8'),
);
const toNumber = (v: number | string): number => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v));

/** A file from a header (object or raw text) and data bytes; `length` overrides the header length field. */
function craft(header: object | string, data: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (shape: number[], begin: number, end: number): object => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('reading files written by the spec-following Python writer', () => {
  const file = deserialize(readFixture('safetensors_reference.safetensors'));

  it('reads every dtype with its values, shape and the metadata', () => {
    expect(file.metadata).toEqual(expected.reference.metadata);
    expect(Object.keys(file.tensors).sort()).toEqual(Object.keys(expected.reference.tensors).sort());
    for (const [name, want] of Object.entries(expected.reference.tensors)) {
      const got = file.tensors[name];
      expect([name, got.dtype, got.shape]).toEqual([name, want.dtype, want.shape]);
      const values = Array.from(got.toTypedArray());
      expect(values).toEqual(want.values.map(toNumber)); // exact, F16 and BF16 included
    }
    expect(Object.is(file.tensors.f16.toTypedArray()[6], -0)).toBe(true);
  });

  it('reads the parity checkpoint written by the project seed writer (unsorted, metadata last)', () => {
    const parity = deserialize(readFixture('parity-init.safetensors'));
    expect(parity.tensors['0.weight'].shape).toEqual([32, 1, 5, 5]);
    expect(parity.tensors['7.bias'].dtype).toBe('float32');
  });
});

describe('writing', () => {
  it('is byte-identical to the reference layout (dtype order, name order, metadata first, space padding)', () => {
    const record: Record<string, NDArray> = {};
    for (const [name, t] of Object.entries(expected.layout.tensors)) {
      record[name] = array(t.values.map(toNumber), { shape: t.shape, dtype: t.dtype });
    }
    const want = readFixture('safetensors_layout.safetensors');
    const got = serialize(record, expected.layout.metadata);
    expect(got.length).toBe(expected.layout.bytes);
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  });

  it('pads the header with spaces to a multiple of 8 and omits empty metadata', () => {
    const bytes = serialize({ x: array([1, 2, 3]) }, {});
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toBe('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}'.padEnd(n, ' '));
  });

  it('writes strided views, scalars, empty arrays and every dtype, and reads them back', () => {
    const record = {
      t: arange(0, 6, 1, 'float64').reshape([2, 3]).transpose(0, 1),
      s: array(2.5, { dtype: 'float32' }),
      e: array([], { shape: [0, 4], dtype: 'float32' }),
      i: array([-5, 7], { dtype: 'int32' }),
      u: array([0, 255], { dtype: 'uint8' }),
      b: array([true, false, true]),
    };
    const back = deserialize(serialize(record, { k: 'v' }));
    expect(back.metadata).toEqual({ k: 'v' });
    for (const [name, a] of Object.entries(record)) {
      expect([name, back.tensors[name].dtype, back.tensors[name].shape]).toEqual([name, a.dtype, a.shape]);
      expect(back.tensors[name].toArray()).toEqual(a.toArray());
    }
  });

  it('copies the data: the arrays do not share memory with the file bytes', () => {
    const bytes = serialize({ x: array([1, 2]), m: array([7], { dtype: 'uint8' }) });
    const { tensors } = deserialize(bytes);
    bytes.fill(0, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)));
    expect([tensors.x.toArray(), tensors.m.toArray()]).toEqual([[1, 2], [7]]);
  });

  it('rejects "__metadata__" as a tensor name and non-string metadata', () => {
    expect(() => serialize({ __metadata__: array([1]) })).toThrow(/"__metadata__" cannot be a tensor name/);
    const bad: Record<string, string> = JSON.parse('{"a": 1}');
    expect(() => serialize({ x: array([1]) }, bad)).toThrow(/metadata "a" must be a string, got number/);
  });
});

describe('malformed files: a SafetensorsError naming the problem, file and offsets', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['too short', new Uint8Array(5), /file is 5 bytes, too short/],
    ['absurd header length', craft({}, new Uint8Array(0), 1n << 60n), /header length 1152921504606846976 \(bytes 0-7\) is over the 100000000-byte limit/],
    ['header past the end', craft({}, new Uint8Array(0), 64n), /header length 64 \(bytes 0-7\) runs past the end of the file \(10 bytes\)/],
    ['invalid UTF-8', craft('{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)), /header \(bytes 8-13\) is not valid UTF-8/],
    ['invalid JSON', craft('{"a": '), /header \(bytes 8-13\) is not valid JSON/],
    ['header not an object', craft('[1, 2]'), /is not a JSON object/],
    ['unknown dtype', craft({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /tensor "a": unknown dtype "F8_E4M3"/],
    ['bad shape', craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "a": shape \[-1\] is not a list of non-negative integers/],
    ['bad offsets', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, new Uint8Array(4)), /tensor "a": data_offsets \[0\] is not \[begin, end\]/],
    ['reversed offsets', craft({ a: f32([0], 4, 0) }, new Uint8Array(4)), /tensor "a": data_offsets \[4, 0\] end before they begin/],
    ['shape and bytes disagree', craft({ a: f32([2, 3], 0, 20) }, new Uint8Array(20)), /tensor "a": shape \[2,3\] of F32 needs 24 bytes but data_offsets \[0, 20\] hold 20/],
    ['absurd shape', craft({ a: f32([1e9, 1e9, 1e9], 0, 4) }, new Uint8Array(4)), /needs 4e\+27 bytes but data_offsets \[0, 4\] hold 4/],
    ['offsets past the end', craft({ a: f32([2], 0, 8) }, new Uint8Array(4)), /tensor "a" data_offsets \[0, 8\] run past the end of the data section \(4 bytes from file byte \d+\)/],
    ['overlap', craft({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, new Uint8Array(12)), /tensor "b" data_offsets \[4, 12\] overlap tensor "a" \[0, 8\]/],
    ['hole', craft({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, new Uint8Array(12)), /tensor "b" data_offsets \[8, 12\] leave a hole: bytes 4-7 of the data section/],
    ['trailing bytes', craft({ a: f32([1], 0, 4) }, new Uint8Array(8)), /the tensors end at data byte 4 but the data section is 8 bytes/],
    ['metadata not strings', craft({ __metadata__: { a: 1 } }), /"__metadata__" value "a" is not a string/],
    ['I64 out of int32', craft({ big: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])), /tensor "big" \(file bytes \d+-\d+\): I64 element 1 is 4294967296, outside int32/],
    ['BOOL not 0/1', craft({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, new Uint8Array([1, 2])), /tensor "m" .*: BOOL element 1 is 2, not 0 or 1/],
  ];
  for (const [what, bytes, message] of cases) {
    it(what, () => {
      expect(() => deserialize(bytes)).toThrow(SafetensorsError);
      expect(() => deserialize(bytes)).toThrow(message);
      expect(() => deserialize(bytes, { source: 'model.safetensors' })).toThrow(/^model\.safetensors: /);
    });
  }

  it('limits the header as the reference reader does', () => {
    expect(MAX_HEADER_BYTES).toBe(100_000_000);
  });
});

describe('fuzzing', () => {
  const dtypes: DType[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];
  const tensorArb = fc
    .record({ dtype: fc.constantFrom(...dtypes), shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }) })
    .chain(({ dtype, shape }) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const value =
        dtype === 'bool' ? fc.integer({ min: 0, max: 1 }) : dtype === 'uint8' ? fc.integer({ min: 0, max: 255 })
        : dtype === 'int32' ? fc.integer() : dtype === 'float32' ? fc.float({ noNaN: true }) : fc.double({ noNaN: true });
      return fc.array(value, { minLength: size, maxLength: size }).map((values) =>
        array(dtype === 'bool' ? values.map((v) => v === 1) : values, { shape, dtype }),
      );
    });
  const recordArb = fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 6 }).filter((k) => k !== '__metadata__'), tensorArb, { maxKeys: 5 });
  const metadataArb = fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), { nil: undefined });

  it('round-trips any record and metadata', () => {
    fc.assert(
      fc.property(recordArb, metadataArb, (record, metadata) => {
        const back = deserialize(serialize(record, metadata));
        expect(back.metadata).toEqual(metadata ?? {});
        expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(record).sort());
        for (const [name, a] of Object.entries(record)) {
          expect(back.tensors[name].dtype).toBe(a.dtype);
          expect(back.tensors[name].shape).toEqual(a.shape);
          expect(Array.from(back.tensors[name].toTypedArray())).toEqual(Array.from(a.toTypedArray()));
        }
      }),
      { numRuns: 150 },
    );
  });

  /** Either a clean read or a SafetensorsError; never another exception, never a hang. */
  const readsOrRejects = (bytes: Uint8Array): void => {
    try {
      deserialize(bytes);
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw e;
    }
  };

  it('corrupted bytes and truncations give a SafetensorsError or a valid read', () => {
    const base = fc.tuple(recordArb, metadataArb).map(([r, m]) => serialize(r, m));
    const edit = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(base, fc.array(edit, { maxLength: 4 }), fc.nat(), (bytes, edits, cut) => {
        const out = bytes.slice();
        for (const { at, value } of edits) out[at % out.length] = value;
        readsOrRejects(out);
        readsOrRejects(out.subarray(0, cut % (out.length + 1)));
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary headers give a SafetensorsError or a valid read', () => {
    const info = fc.record(
      {
        dtype: fc.oneof(fc.constantFrom('F32', 'F64', 'I64', 'BOOL', 'F16', 'U8', 'XX'), fc.integer()),
        shape: fc.oneof(fc.array(fc.integer({ min: -2, max: 2 ** 40 }), { maxLength: 4 }), fc.string()),
        data_offsets: fc.oneof(fc.array(fc.integer({ min: -4, max: 64 }), { maxLength: 3 }), fc.constant(null)),
      },
      { requiredKeys: [] },
    );
    const header = fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(info, fc.anything()), { maxKeys: 4 });
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 64 }), (h, data) => readsOrRejects(craft(h, data))),
      { numRuns: 400 },
    );
  });
});

describe('halfToFloat', () => {
  it('decodes zeros, subnormals, normals, infinities and NaN', () => {
    expect(halfToFloat(0x0000)).toBe(0);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });
});
