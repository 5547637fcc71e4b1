import { describe, expect, it } from 'vitest';
import { enableRelaxedSimd } from './relaxed-simd.js';

// f32x4.relaxed_madd of three zero vectors, stored to a local: valid only with relaxed SIMD.
const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const body = [1, 1, 0x7b, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x21, 0x00, 0x0b];
const module = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body];

describe('enableRelaxedSimd', () => {
  it('sets the flag only on the V8 versions that keep relaxed SIMD behind it', () => {
    expect(enableRelaxedSimd('9.4.146.26')).toBe(false);
    expect(enableRelaxedSimd('12.4.254.21-node.33')).toBe(false);
    expect(enableRelaxedSimd('11.4.183.1')).toBe(false);
  });

  it('makes WebAssembly.validate accept relaxed_madd', () => {
    // This file's own worker process (vitest forks one per file): its engine flag changes nothing elsewhere.
    const bytes = new Uint8Array(module);
    const before = WebAssembly.validate(bytes);
    enableRelaxedSimd();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const [major, minor] = process.versions.v8.split('.').map(Number);
    if (major === 11 && minor < 4 && !process.execArgv.includes('--experimental-wasm-relaxed-simd')) expect(before).toBe(false);
  });
});
