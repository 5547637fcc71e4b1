/**
 * Launches that fit WebGPU's dispatch limits: a grid too large for one dispatch is run as several
 * smaller ones, each writing one contiguous range of the output, and the ranges are glued on the
 * device.
 *
 * WebGPU caps a dispatch at 65,535 workgroups per dimension. gpu.js uses workgroups of 8x8 threads
 * for 2-d and 3-d outputs (so at most 524,280 threads along x or y, 65,535 along z) and of 64 for
 * 1-d outputs, which it folds across y itself when they are long (billions of threads). So:
 *
 *   a grid [X, 1, 1]        one 1-d launch, whatever X
 *   x and y fit             chunks of z, each a contiguous block of whole xy-planes
 *   x fits, y does not      for each z, chunks of y: each a contiguous block of whole rows
 *   x does not fit          for each (y, z), one 1-d launch over the row
 *
 * A chunk's kernel sees its thread ids shifted by the chunk's start (`offsetKernel`), so the same
 * body computes the same elements, and `placeRangeKernel` copies each chunk into its range.
 */
import type { Grid, KernelSpec } from './runner.js';

/** WebGPU's default `maxComputeWorkgroupsPerDimension` (gpu.js asks the device for no more). */
export const MAX_WORKGROUPS = 65_535;

/** gpu.js's workgroup edge for 2-d and 3-d outputs (8x8x1 threads). */
const TILE = 8;

/** One dispatch of a split launch: its grid, where its ids start, where its results go. */
export interface GridChunk {
  /** The chunk's own grid (`[X, 1, 1]` runs as a 1-d dispatch). */
  grid: Grid;
  /** The thread id `[x, y, z]` of the chunk's first thread in the whole grid. */
  start: readonly [number, number, number];
  /** Where the chunk's results begin in the whole, row-major output. */
  outStart: number;
}

/**
 * How many threads along x, y and z one dispatch of `grid` may have: 1-d grids fold (unbounded
 * in practice); 2-d and 3-d grids have `limit * 8` along x and y and `limit` along z.
 *
 * @example
 * fits([1_384_448, 1, 1]); // true: 1-d, gpu.js folds it
 * fits([26, 26, 100_000]); // false: z over 65,535
 */
export function fits(grid: Grid, limit = MAX_WORKGROUPS): boolean {
  const [x, y, z] = grid;
  if (y === 1 && z === 1) return true;
  return x <= limit * TILE && y <= limit * TILE && z <= limit;
}

/**
 * The dispatches that together cover `grid`, each within the limits, in output order.
 *
 * @example
 * splitGrid([4, 4, 100_000]).map((c) => c.grid[2]); // [65535, 34465]
 * splitGrid([3, 2, 1]).length; // 1
 */
export function splitGrid(grid: Grid, limit = MAX_WORKGROUPS): GridChunk[] {
  const [x, y, z] = grid;
  if (fits(grid, limit)) return [{ grid, start: [0, 0, 0], outStart: 0 }];
  const span = limit * TILE;
  const chunks: GridChunk[] = [];
  if (x <= span && y <= span) {
    for (let z0 = 0; z0 < z; z0 += limit) chunks.push({ grid: [x, y, Math.min(limit, z - z0)], start: [0, 0, z0], outStart: z0 * x * y });
  } else if (x <= span) {
    for (let z0 = 0; z0 < z; z0++) {
      for (let y0 = 0; y0 < y; y0 += span) chunks.push({ grid: [x, Math.min(span, y - y0), 1], start: [0, y0, z0], outStart: (z0 * y + y0) * x });
    }
  } else {
    for (let z0 = 0; z0 < z; z0++) {
      for (let y0 = 0; y0 < y; y0++) chunks.push({ grid: [x, 1, 1], start: [0, y0, z0], outStart: (z0 * y + y0) * x });
    }
  }
  return chunks;
}

/** The names of the Integer arguments a shifted kernel takes last: the chunk's first x, y and z. */
const SHIFTS = ['tsgradAtX', 'tsgradAtY', 'tsgradAtZ'] as const;

/**
 * `spec` with every thread id shifted by three trailing Integer arguments (the chunk's start),
 * so a chunk of the grid computes exactly the elements the whole launch would there.
 *
 * @example
 * const twice: KernelSpec = { key: 'twice', params: [['a', 'Array']], body: 'return 2 * a[this.thread.x];' };
 * offsetKernel(twice).body; // 'return 2 * a[(this.thread.x + tsgradAtX)];'
 */
export function offsetKernel(spec: KernelSpec): KernelSpec {
  const axis = { x: SHIFTS[0], y: SHIFTS[1], z: SHIFTS[2] };
  return {
    key: `${spec.key}@offset`,
    params: [...spec.params, ...SHIFTS.map((name) => [name, 'Integer'] as const)],
    body: spec.body.replace(/this\.thread\.([xyz])\b/g, (_, a: 'x' | 'y' | 'z') => `(this.thread.${a} + ${axis[a]})`),
    constants: spec.constants,
  };
}

/**
 * A 1-d copy that glues chunks: element i is `part[i - start]` inside `[start, start + count)`,
 * else `prev[i]` (or 0 when `first` is 1 and there is no previous buffer yet).
 *
 * @example
 * placeRangeKernel().params.map(([name]) => name); // ['prev', 'part', 'start', 'count', 'first']
 */
export function placeRangeKernel(): KernelSpec {
  return {
    key: 'place-range',
    params: [['prev', 'Array'], ['part', 'Array'], ['start', 'Integer'], ['count', 'Integer'], ['first', 'Integer']],
    body: [
      'let v = 0;',
      'if (first == 0) {', 'v = prev[this.thread.x];', '}',
      'if (this.thread.x >= start && this.thread.x < start + count) {', 'v = part[this.thread.x - start];', '}',
      'return v;',
    ].join('\n'),
  };
}

/**
 * A 1-d copy of `count` elements of `a` from `start`: how a device buffer's sub-range (a view's
 * elements) becomes a buffer of its own.
 *
 * @example
 * sliceKernel().key; // 'slice'
 */
export function sliceKernel(): KernelSpec {
  return { key: 'slice', params: [['a', 'Array'], ['start', 'Integer']], body: 'return a[this.thread.x + start];' };
}

/** The output rank gpu.js should compile for `grid`: 1 for `[X, 1, 1]`, 2 for `[X, Y, 1]`, else 3. */
export function rankOf(grid: Grid): 1 | 2 | 3 {
  if (grid[1] === 1 && grid[2] === 1) return 1;
  return grid[2] === 1 ? 2 : 3;
}
