import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts', 'src/study.ts', 'src/relaxed-simd.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
