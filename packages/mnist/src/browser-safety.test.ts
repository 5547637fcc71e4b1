import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The package must bundle for the browser: no module may import Node built-ins (they are fetched at
// call time with process.getBuiltinModule), and importing it must not do anything.
const dir = new URL('./', import.meta.url);
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('browser safety', () => {
  it('no source module imports a Node built-in or calls require', () => {
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const valueImports = [...text.matchAll(/^import\s+(?!type\b)[^;]*from\s+'([^']+)'/gm)].map((m) => m[1]);
      const nodeImports = valueImports.filter((m) => m.startsWith('node:') || ['fs', 'zlib', 'http', 'https', 'os', 'crypto', 'path'].includes(m));
      expect({ file, nodeImports }).toEqual({ file, nodeImports: [] });
      expect({ file, require: /\brequire\(\s*['"]/.test(text) }).toEqual({ file, require: false });
    }
  });

  it('the parsing and browser entry points work without touching Node', async () => {
    const { MNIST, encodeIdx } = await import('./index.js');
    const images = encodeIdx({ dtype: 'uint8', shape: [1, 2, 2], data: Uint8Array.of(0, 255, 51, 102) });
    const labels = encodeIdx({ dtype: 'uint8', shape: [1], data: Uint8Array.of(7) });
    const saved = process.getBuiltinModule;
    // Simulate a browser: any call for a Node built-in now fails.
    Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true });
    try {
      const ds = await MNIST.fromBuffers({ images, labels });
      expect(Array.from(ds.get(0)[0].toTypedArray())).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
      expect(() => new MNIST()).toThrow('the embedded MNIST copy needs Node.js >= 20.16');
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', { value: saved, configurable: true });
    }
  });
});
