import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts', 'src/study.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'es2022',
});
