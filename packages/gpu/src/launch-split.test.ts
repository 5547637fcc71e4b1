import { describe, expect, it } from 'vitest';
import { fits, offsetKernel, rankOf, splitGrid } from './launch-split.js';
import { KernelRunner, type Grid, type KernelSpec } from './runner.js';
import { unaryKernel } from './kernels/elementwise.js';

const size = (g: Grid): number => g[0] * g[1] * g[2];

describe('splitGrid', () => {
  it('covers every element of the grid once, in output order, each chunk within the limits', () => {
    const cases: [Grid, number][] = [
      [[1_384_448, 1, 1], 65_535], // Table 3's conv1 activations at batch 64: one 1-d launch
      [[26, 26, 200_000], 65_535], // z over the limit
      [[5, 600_000, 3], 65_535], // y over the limit
      [[600_000, 2, 3], 65_535], // x over the limit
      [[7, 5, 9], 1], // tiny limit: span 8 along x and y, 1 along z
      [[9, 17, 2], 1],
      [[20, 3, 2], 2],
    ];
    for (const [grid, limit] of cases) {
      const chunks = splitGrid(grid, limit);
      let next = 0;
      for (const c of chunks) {
        expect(c.outStart, `grid [${grid.join(', ')}]`).toBe(next);
        expect(fits(c.grid, limit), `chunk [${c.grid.join(', ')}] of [${grid.join(', ')}]`).toBe(true);
        next += size(c.grid);
      }
      expect(next).toBe(size(grid));
    }
    expect(splitGrid([26, 26, 200_000]).map((c) => c.grid[2])).toEqual([65_535, 65_535, 65_535, 3_395]);
    expect(splitGrid([600_000, 2, 3]).length).toBe(6);
  });

  it('knows which grids fit one dispatch and what rank to compile', () => {
    expect(fits([1_384_448, 1, 1])).toBe(true);
    expect(fits([1_384_448, 2, 1])).toBe(false);
    expect(fits([524_280, 524_280, 65_535])).toBe(true);
    expect(fits([524_281, 1, 2])).toBe(false);
    expect([rankOf([5, 1, 1]), rankOf([5, 2, 1]), rankOf([5, 1, 2])]).toEqual([1, 2, 3]);
  });
});

describe('offsetKernel', () => {
  it('computes the whole launch chunk by chunk (webasm, a small limit forcing splits)', () => {
    const runner = new KernelRunner('webasm');
    // exp over a transposed 3-d view: x, y and z all take part in the index
    const spec: KernelSpec = unaryKernel('exp');
    const [X, Y, Z] = [9, 17, 3];
    const input = Float32Array.from({ length: X * Y * Z }, (_, i) => Math.sin(i) * 2);
    const args = [input, 0, 1, Z, Y * Z]; // element (x, y, z) reads input[z + y*Z + x*Y*Z]
    const whole = runner.run(spec, [X, Y, Z], args);
    for (const limit of [1, 2]) {
      const out = new Float32Array(X * Y * Z);
      const chunks = splitGrid([X, Y, Z], limit);
      expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks) out.set(runner.run(offsetKernel(spec), c.grid, [...args, ...c.start]), c.outStart);
      expect(Array.from(out)).toEqual(Array.from(whole));
    }
    expect(offsetKernel(spec).params.slice(-3)).toEqual([['tsgradAtX', 'Integer'], ['tsgradAtY', 'Integer'], ['tsgradAtZ', 'Integer']]);
    runner.destroy();
  });
});
