import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signedLeb128, unsignedLeb128 } from './leb128.js';

/** Decoders written the way the spec states them, to round-trip against. */
function decodeUnsigned(bytes: number[]): number {
  let result = 0;
  bytes.forEach((b, i) => { result += (b & 0x7f) * 2 ** (7 * i); });
  return result;
}
function decodeSigned(bytes: number[]): number {
  let result = decodeUnsigned(bytes);
  const bits = 7 * bytes.length;
  if ((bytes[bytes.length - 1] & 0x40) !== 0) result -= 2 ** bits;
  return result;
}

describe('LEB128', () => {
  it('matches the examples of the WebAssembly and DWARF specs', () => {
    expect(unsignedLeb128(0)).toEqual([0x00]);
    expect(unsignedLeb128(127)).toEqual([0x7f]);
    expect(unsignedLeb128(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-64)).toEqual([0x40]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('round-trips every 32-bit value, continuation bits on all but the last byte', () => {
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (v) => {
      const bytes = unsignedLeb128(v);
      expect(decodeUnsigned(bytes)).toBe(v);
      expect(bytes.slice(0, -1).every((b) => b >= 0x80) && bytes[bytes.length - 1] < 0x80).toBe(true);
    }));
    fc.assert(fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (v) => {
      expect(decodeSigned(signedLeb128(v))).toBe(v);
    }));
  });

  it('rejects values it cannot encode, naming them', () => {
    expect(() => unsignedLeb128(-1)).toThrow('unsignedLeb128: value must be an integer in [0, 2^32), got -1');
    expect(() => signedLeb128(2 ** 31)).toThrow('signedLeb128: value must be a 32-bit integer, got 2147483648');
    expect(() => unsignedLeb128(1.5)).toThrow('got 1.5');
  });
});
