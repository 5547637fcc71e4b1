import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests import packages by name; point the names at sources so a test never runs stale builds.
const src = (p: string): string => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@tsgrad\/ndarray\/testing$/, replacement: src('ndarray/src/testing.ts') },
      { find: /^@tsgrad\/(ndarray|autograd|nn|optim|data|mnist|gpu)$/, replacement: src('$1/src/index.ts') },
    ],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'cpu', include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'scripts/**/*.test.ts'] },
      },
      {
        // The same gradient checks, op sweep and PyTorch parity test with every array on a backend whose
        // storage is opaque and whose reads are counted: the proof that nothing reaches into storage.
        extends: true,
        test: {
          name: 'opaque-storage',
          include: ['packages/autograd/src/ops.test.ts', 'packages/autograd/src/opinfo.test.ts', 'packages/nn/src/parity.test.ts'],
          setupFiles: ['scripts/opaque-storage-setup.ts'],
        },
      },
      // The PyTorch parity test on one thread and on three (the 'cpu' project runs at the machine's cores):
      // results must not depend on the thread count.
      ...([['one-thread', 1], ['three-threads', 3]] as const).map(([name, cpuThreads]) => ({
        extends: true as const,
        test: { name, include: ['packages/nn/src/parity.test.ts'], setupFiles: ['scripts/cpu-threads-setup.ts'], provide: { cpuThreads } },
      })),
      // The WebAssembly kernels and the parity test with relaxed SIMD on (Node 20 keeps it behind a
      // flag; `npm run mnist` sets it): the fused multiply-add kernels are tested where CI runs.
      {
        extends: true,
        test: {
          name: 'relaxed-simd',
          include: ['packages/ndarray/src/cpu/wasm/*.test.ts', 'packages/nn/src/parity.test.ts', 'packages/nn/src/thread-count.test.ts'],
          exclude: ['**/browser-*.test.ts'],
          execArgv: ['--experimental-wasm-relaxed-simd'],
        },
      },
    ],
  },
});
