/**
 * LEB128, the variable-length integer encoding WebAssembly uses for every count, index and
 * immediate: seven bits a byte, low bits first, the top bit set on every byte but the last.
 * The signed form sign-extends from the last byte's bit 6 (so -1 is the single byte 0x7f).
 */

/**
 * Encodes a non-negative integer (up to 2^32 - 1) as unsigned LEB128.
 *
 * @example
 * unsignedLeb128(624485); // [0xe5, 0x8e, 0x26]
 */
export function unsignedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`unsignedLeb128: value must be an integer in [0, 2^32), got ${value}`);
  }
  const bytes: number[] = [];
  let v = value;
  do {
    const low = v % 128;
    v = Math.floor(v / 128);
    bytes.push(v === 0 ? low : low | 0x80);
  } while (v !== 0);
  return bytes;
}

/**
 * Encodes a 32-bit signed integer as signed LEB128.
 *
 * @example
 * signedLeb128(-123456); // [0xc0, 0xbb, 0x78]
 */
export function signedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new Error(`signedLeb128: value must be a 32-bit integer, got ${value}`);
  }
  const bytes: number[] = [];
  let v = value;
  for (;;) {
    const low = v & 0x7f;
    v >>= 7; // arithmetic shift keeps the sign
    // Done when the rest is all sign bits and bit 6 of this byte already carries that sign.
    const done = (v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}
