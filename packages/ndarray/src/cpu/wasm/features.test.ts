import { describe, expect, it } from 'vitest';
import { wasmFeatures } from './features.js';

describe('wasmFeatures', () => {
  it('finds SIMD in Node >= 16.4, and relaxed SIMD exactly when the engine validates relaxed_madd', () => {
    const features = wasmFeatures();
    expect(features.simd).toBe(true);
    // Node 20 has relaxed SIMD behind --experimental-wasm-relaxed-simd; V8 >= 11.4 (Node 22) on by default.
    const [major, minor] = process.versions.v8.split('.').map(Number);
    const flagged = process.execArgv.includes('--experimental-wasm-relaxed-simd');
    if ((major < 11 || (major === 11 && minor < 4)) && !flagged) expect(features.relaxedSimd).toBe(false);
    if (flagged) expect(features.relaxedSimd).toBe(true); // the vitest project relaxed-simd
    expect(wasmFeatures()).toBe(features); // detected once
  });
});
