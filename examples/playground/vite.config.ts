import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { mnistFiles } from './src/mnist-files.js';
import { offlineFiles } from './src/offline-files.js';

// The packages are used from their sources (as the tests do), so the page never runs a stale build.
const src = (p: string): string => fileURLToPath(new URL(`../../packages/${p}`, import.meta.url));

// SharedArrayBuffer (for a threaded backend) needs a cross-origin isolated page.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [{ find: /^@tsgrad\/(ndarray|autograd|nn|optim|data|mnist|gpu)$/, replacement: src('$1/src/index.ts') }],
  },
  plugins: [mnistFiles(), offlineFiles()], // offlineFiles last: it lists the files the others emit
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1000 },
  server: { headers: isolation },
  preview: { headers: isolation },
});
