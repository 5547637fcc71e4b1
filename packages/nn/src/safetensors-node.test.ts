import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { array } from '@tsgrad/ndarray';
import { load, save } from './safetensors-node.js';
import { SafetensorsError, serialize } from './safetensors.js';

describe('save and load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-safetensors-'));

  it('writes a file that load reads back, with metadata, leaving no temporary file', () => {
    const path = join(dir, 'model.safetensors');
    const record = { 'fc.weight': array([[1, 2], [3, 4]]), 'fc.bias': array([0.5, -0.5], { dtype: 'float64' }) };
    save(record, path, { epoch: '2' });
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    expect(new Uint8Array(readFileSync(path))).toEqual(serialize(record, { epoch: '2' }));
    const { tensors, metadata } = load(path);
    expect(metadata).toEqual({ epoch: '2' });
    expect(tensors['fc.weight'].toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensors['fc.bias'].dtype).toBe('float64');
  });

  it('replaces an existing file whole', () => {
    const path = join(dir, 'replace.safetensors');
    save({ a: array([1, 2, 3, 4, 5, 6, 7, 8]) }, path);
    save({ b: array([9]) }, path);
    expect(Object.keys(load(path).tensors)).toEqual(['b']);
  });

  it('fails cleanly when the folder does not exist, leaving nothing behind', () => {
    const path = join(dir, 'missing', 'model.safetensors');
    expect(() => save({ a: array([1]) }, path)).toThrow(/ENOENT/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('names the file in errors about its contents', () => {
    const path = join(dir, 'broken.safetensors');
    writeFileSync(path, new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    expect(() => load(path)).toThrow(SafetensorsError);
    expect(() => load(path)).toThrow(`${path}: header length 200 (bytes 0-7) runs past the end of the file (9 bytes)`);
  });

  it('rejects a header length of 2^60 or 2^64 - 1, and a 2^52-byte tensor, without allocating', () => {
    const file = (length: bigint, header = '{}'): Uint8Array => {
      const json = new TextEncoder().encode(header);
      const out = new Uint8Array(8 + json.length);
      new DataView(out.buffer).setBigUint64(0, length, true);
      out.set(json, 8);
      return out;
    };
    const before = process.memoryUsage().arrayBuffers;
    const huge = join(dir, 'huge-header.safetensors');
    writeFileSync(huge, file(1n << 60n));
    expect(() => load(huge)).toThrow(`${huge}: header length 1152921504606846976 (bytes 0-7) is over the 100000000-byte limit`);
    writeFileSync(huge, file((1n << 64n) - 1n));
    expect(() => load(huge)).toThrow('header length 18446744073709551615 (bytes 0-7) is over the 100000000-byte limit');
    const side = 2 ** 25; // [2^25, 2^25] of F32: 2^52 bytes, declared by a 90-byte file
    const header = JSON.stringify({ w: { dtype: 'F32', shape: [side, side], data_offsets: [0, 4 * side * side] } });
    writeFileSync(huge, file(BigInt(header.length), header));
    expect(() => load(huge)).toThrow(`tensor "w" data_offsets [0, ${4 * side * side}] run past the end of the data section (0 bytes`);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });
});

describe('browser safety', () => {
  it('imports no Node built-in statically', () => {
    for (const file of ['safetensors.ts', 'safetensors-node.ts']) {
      const text = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect({ file, imports: [...text.matchAll(/^import\s+(?!type\b)[^;]*from\s+'(node:[^']+)'/gm)].map((m) => m[1]) }).toEqual({ file, imports: [] });
    }
  });
});
