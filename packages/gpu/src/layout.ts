/**
 * Shape logic for launching kernels over strided views on a grid of at most three dimensions.
 *
 * gpu.js kernels run over an output grid `[x, y, z]`. A kernel reads an operand at
 * `offset + z*sz + y*sy + x*sx`, all integer arithmetic on the thread ids (no division, which
 * gpu.js's webasm mode computes in float32). An n-d elementwise op is first *coalesced*: size-1
 * dims dropped, neighbours merged where every operand's strides allow, so a contiguous 4-d
 * tensor is one long row. What stays above three dims is run as a loop of three-dim slabs.
 */

/** An operand's view: strides (in elements, one per dim of the launch shape) and offset. */
export interface StridedView {
  readonly strides: readonly number[];
  readonly offset: number;
}

/** A launch shape with every operand's strides for it. */
export interface Coalesced {
  shape: number[];
  strides: number[][];
}

/**
 * Drops size-1 dims and merges dim d into d+1 wherever `stride[d] = stride[d+1] * shape[d+1]`
 * for every operand, so that the same elements are visited with fewer dims.
 *
 * @example
 * coalesce([2, 3, 4], [[12, 4, 1]]); // { shape: [24], strides: [[1]] }
 * coalesce([2, 3], [[1, 2]]);        // a transpose stays 2-d
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Coalesced {
  const out: Coalesced = { shape: [], strides: strides.map(() => []) };
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = out.shape.length - 1;
    const merge = last >= 0 && strides.every((s, k) => out.strides[k][last] === s[d] * shape[d]);
    if (merge) {
      out.shape[last] *= shape[d];
      strides.forEach((s, k) => (out.strides[k][last] = s[d]));
    } else {
      out.shape.push(shape[d]);
      strides.forEach((s, k) => out.strides[k].push(s[d]));
    }
  }
  return out;
}

/** One launch: the grid, and each operand's offset and `[sz, sy, sx]` strides on it. */
export interface Slab {
  grid: [number, number, number];
  /** Where this slab's results start in the contiguous output. */
  outStart: number;
  /** The slab's index in the dims above the grid. */
  lead: number[];
  offsets: number[];
  strides: [number, number, number][];
}

/**
 * Splits a launch shape into three-dim slabs: the last three dims become the grid `[x, y, z]`
 * (padded with size-1 dims), every index of the dims before them is one slab.
 *
 * @example
 * [...slabs([2, 3], [{ strides: [3, 1], offset: 0 }])].length; // 1: one slab, grid [3, 2, 1]
 */
export function* slabs(shape: readonly number[], views: readonly StridedView[]): Generator<Slab> {
  const lead = Math.max(0, shape.length - 3);
  const tail = shape.slice(lead);
  while (tail.length < 3) tail.unshift(1);
  const grid: [number, number, number] = [tail[2], tail[1], tail[0]];
  const tailStrides = views.map((v): [number, number, number] => {
    const s = v.strides.slice(lead);
    while (s.length < 3) s.unshift(0);
    return [s[0], s[1], s[2]];
  });
  const slabSize = grid[0] * grid[1] * grid[2];
  const index = new Array<number>(lead).fill(0);
  let count = 1;
  for (let d = 0; d < lead; d++) count *= shape[d];
  for (let i = 0; i < count; i++) {
    yield {
      grid,
      outStart: i * slabSize,
      lead: index.slice(),
      offsets: views.map((v) => index.reduce((o, ix, d) => o + ix * v.strides[d], v.offset)),
      strides: tailStrides,
    };
    for (let d = lead - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

/** The index expression of an operand named `name` on the grid: `nameo + z*namez + y*namey + x*namex`. */
export function at(name: string): string {
  return `${name}o + this.thread.z * ${name}z + this.thread.y * ${name}y + this.thread.x * ${name}x`;
}

/** The kernel parameters of an operand named `name`: its buffer, offset and three strides. */
export function operandParams(name: string): [string, 'Array' | 'Integer'][] {
  return [[name, 'Array'], [`${name}o`, 'Integer'], [`${name}z`, 'Integer'], [`${name}y`, 'Integer'], [`${name}x`, 'Integer']];
}
