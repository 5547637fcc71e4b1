/**
 * The gpu.js backend: every kernel of the Backend contract as a gpu.js kernel.
 *
 * Kernels compute in float32. int32 and bool arrays (indices, masks, comparison results) are
 * handed to kernels as float32 (exact below 2^24) and stored back in their dtype; float64 is
 * refused with an error, never computed elsewhere. Strided views are read through their strides
 * (`layout.ts`); kernels are compiled once per op and reused for every shape (`runner.ts`).
 */
import {
  NDArray,
  isFloat,
  sizeOf,
  type Backend,
  type BinaryOp,
  type Conv2dGeometry,
  type DType,
  type Pool2dGeometry,
  type ReduceOp,
  type Shape,
  type TypedArray,
} from '@tsgrad/ndarray';
import { coalesce, slabs, type StridedView } from './layout.js';
import { KernelRunner, type GpuMode, type KernelArg, type KernelSpec } from './runner.js';
import { binaryKernel, unaryKernel, whereKernel } from './kernels/elementwise.js';
import { argReduceKernel, reduceKernel } from './kernels/reduce.js';
import { matmulKernel } from './kernels/matmul.js';
import { gatherKernel, indexSelectKernel, placeKernel, scatterAddKernel } from './kernels/indexing.js';
import { conv2dBackwardInputKernel, conv2dBackwardWeightKernel, conv2dKernel } from './kernels/conv2d.js';
import {
  avgPoolBackwardKernel,
  avgPoolKernel,
  maxPoolBackwardKernel,
  maxPoolBackwardScanKernel,
  maxPoolKernel,
} from './kernels/pool.js';

/** What `describe()` reports. */
export interface GpuDescription {
  name: string;
  mode: GpuMode;
  /** Whether the kernels run on a real GPU; webasm and cpu run on the CPU by design. */
  software: boolean;
  /** Kernels compiled and launched so far. */
  compiles: number;
  launches: number;
  /** Milliseconds per kernel key so far (launch, upload and readback together). */
  timings: Record<string, { launches: number; ms: number }>;
}

/** The gpu.js backend: the Backend contract plus `describe()` and `destroy()`. */
export interface GpuBackend extends Backend {
  readonly mode: GpuMode;
  describe(): GpuDescription;
  destroy(): void;
}

// Kernels whose index math runs in float32 locals (conv, pool) stay exact below this many elements.
const FLOAT_INDEX_LIMIT = 1 << 24;

const COMPARISONS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);

/**
 * A backend running every kernel as a gpu.js kernel in `mode` (webasm or cpu in this version).
 *
 * @example
 * import { array, useBackend } from '@tsgrad/ndarray';
 * const gpu = createGpuBackend('webasm');
 * const previous = useBackend(gpu);
 * array([1, 2, 3]).mul(2).toArray(); // [2, 4, 6]
 * useBackend(previous);
 */
export function createGpuBackend(mode: GpuMode): GpuBackend {
  const runner = new KernelRunner(mode);
  // The pooling windows behind each indices array this backend's maxPool2d returned.
  const poolWindows = new WeakMap<NDArray, Pool2dGeometry>();
  const name = `gpu:${mode}`;

  /** The whole storage of `x` as float32, for a kernel to index with x's offset and strides. */
  function input(x: NDArray): Float32Array {
    const data = x.storage;
    if (data instanceof Float32Array) return data;
    // A number operand arrives as a 0-d float64 "weak scalar"; its op computes in the other operand's dtype.
    if (data instanceof Float64Array && x.ndim === 0) {
      const scalar = new Float32Array(x.offset + 1);
      scalar[x.offset] = data[x.offset];
      return scalar;
    }
    if (data instanceof Float64Array) {
      throw new Error(`${name}: float64 is not supported (the gpu backend computes in float32); got an array of shape [${x.shape.join(', ')}]`);
    }
    return Float32Array.from(data);
  }

  /** Kernel results (float32, row-major) stored as a new array of `dtype`. */
  function store(values: Float32Array, shape: Shape, dtype: DType): NDArray {
    return new NDArray(convert(values, dtype), shape, undefined, 0, dtype);
  }

  function convert(values: Float32Array, dtype: DType): TypedArray {
    switch (dtype) {
      case 'float32':
        return values;
      case 'float64':
        throw new Error(`${name}: float64 is not supported (the gpu backend computes in float32)`);
      case 'int32':
        return Int32Array.from(values);
      case 'uint8':
        return Uint8Array.from(values);
      case 'bool':
        return Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
    }
  }

  /** x's strides for reading it over the broadcast `shape` (stride 0 on broadcast dims). */
  function broadcastView(x: NDArray, shape: Shape): StridedView {
    const lead = shape.length - x.ndim;
    return {
      strides: shape.map((size, d) => (d < lead || x.shape[d - lead] === 1 ? 0 : x.strides[d - lead])),
      offset: x.offset,
    };
  }

  /** Runs an elementwise `spec` over `shape` with each operand broadcast to it; returns contiguous float32. */
  function elementwise(spec: KernelSpec, shape: Shape, operands: readonly NDArray[], extra: readonly KernelArg[] = []): Float32Array {
    const views = operands.map((x) => broadcastView(x, shape));
    const c = coalesce(shape, views.map((v) => v.strides));
    const data = operands.map(input);
    return launch(spec, c.shape, views.map((v, k) => ({ strides: c.strides[k], offset: v.offset })), (slab) => {
      const args: KernelArg[] = [];
      data.forEach((d, k) => args.push(d, slab.offsets[k], ...slab.strides[k]));
      return [...args, ...extra];
    });
  }

  /** Launches `spec` once per three-dim slab of `shape`, with the arguments `argsOf` gives each slab. */
  function launch(
    spec: KernelSpec,
    shape: readonly number[],
    views: readonly StridedView[],
    argsOf: (slab: ReturnType<typeof slabs> extends Generator<infer S> ? S : never) => KernelArg[],
  ): Float32Array {
    const size = sizeOf(shape);
    let out: Float32Array | null = null;
    for (const slab of slabs(shape, views)) {
      const values = runner.run(spec, slab.grid, argsOf(slab));
      if (values.length === size) return values;
      out ??= new Float32Array(size);
      out.set(values, slab.outStart);
    }
    return out ?? new Float32Array(size);
  }

  /** x as one contiguous float32 buffer of exactly x.size elements. */
  function flat(x: NDArray): Float32Array {
    if (x.isContiguous() && x.storage instanceof Float32Array) {
      return x.offset === 0 && x.storage.length === x.size ? x.storage : x.storage.subarray(x.offset, x.offset + x.size);
    }
    return elementwise(unaryKernel('identity'), x.shape, [x]);
  }

  function checkFloatIndexLimit(kernel: string, sizes: Record<string, number>): void {
    for (const [what, size] of Object.entries(sizes)) {
      if (size >= FLOAT_INDEX_LIMIT) {
        throw new Error(`${name}: ${kernel} supports tensors below 2^24 elements; ${what} has ${size}`);
      }
    }
  }

  /** One axis reduced (kept as size 1); returns contiguous float32. */
  function reduceAxis(spec: KernelSpec, x: NDArray, axis: number): Float32Array {
    const shape = x.shape.filter((_, d) => d !== axis);
    const c = coalesce(shape, [x.strides.filter((_, d) => d !== axis)]);
    const data = input(x);
    return launch(spec, c.shape, [{ strides: c.strides[0], offset: x.offset }], (slab) => [
      data, slab.offsets[0], ...slab.strides[0], x.strides[axis], x.shape[axis],
    ]);
  }

  /** Moves `dim` to the last position (a view). */
  const toLast = (x: NDArray, dim: number): NDArray => (dim === x.ndim - 1 ? x : x.transpose(dim, x.ndim - 1));

  /** Undoes `toLast` on a result computed in the moved layout, as a contiguous array. */
  function fromLast(values: Float32Array, movedShape: Shape, dim: number, dtype: DType): NDArray {
    const moved = store(values, movedShape, 'float32');
    const back = toLast(moved, dim);
    return back.isContiguous() ? store(values, back.shape, dtype) : store(flat(back), back.shape, dtype);
  }

  /**
   * `src` placed at `begin` (one entry per dim, negative crops) in an array of `shape`; elsewhere
   * `fill`, or `prev` (contiguous, `shape`) when given.
   */
  function place(shape: Shape, src: NDArray, begin: readonly number[], prev: Float32Array | null, fill: number): Float32Array {
    const lead = Math.max(0, shape.length - 3);
    let offset = src.offset;
    for (let d = 0; d < lead; d++) offset -= begin[d] * src.strides[d];
    const tail = (values: readonly number[], pad: number): number[] => {
      const t = values.slice(lead);
      while (t.length < 3) t.unshift(pad);
      return t;
    };
    const [bz, by, bx] = tail(begin, 0);
    const [nz, ny, nx] = tail(src.shape, 1);
    const data = input(src);
    const p = prev ?? new Float32Array(1);
    return launch(placeKernel(), shape, [{ strides: src.strides, offset }], (slab) => {
      const inside = slab.lead.every((i, d) => i >= begin[d] && i < begin[d] + src.shape[d]) ? 1 : 0;
      const [gx, gy] = slab.grid;
      return [
        data, slab.offsets[0], ...slab.strides[0], bz, by, bx, nz, ny, nx, inside,
        p, prev === null ? 0 : slab.outStart, gx * gy, gx, prev === null ? 1 : 0, fill,
      ];
    });
  }

  return {
    name,
    mode,
    describe: () => ({
      name, mode, software: true, compiles: runner.compiles, launches: runner.launches,
      timings: Object.fromEntries(runner.timings),
    }),
    destroy: () => runner.destroy(),
    copy(x, dtype) {
      return store(elementwise(unaryKernel('identity'), x.shape, [x]), x.shape, dtype);
    },
    unary(op, x, dtype) {
      return store(elementwise(unaryKernel(op), x.shape, [x]), x.shape, dtype);
    },
    binary(op, a, b, shape, dtype) {
      return store(elementwise(binaryKernel(op), shape, [a, b]), shape, COMPARISONS.has(op) ? 'bool' : dtype);
    },
    where(cond, a, b, shape, dtype) {
      return store(elementwise(whereKernel(), shape, [cond, a, b]), shape, dtype);
    },
    reduce(op: ReduceOp, x, axes, dtype) {
      let current = x;
      for (const axis of axes) {
        if (current.shape[axis] === 1) continue;
        const shape = current.shape.map((s, d) => (d === axis ? 1 : s));
        current = store(reduceAxis(reduceKernel(op), current, axis), shape, isFloat(current.dtype) ? current.dtype : 'float32');
      }
      return current === x ? this.copy(x, dtype) : current.dtype === dtype ? current : this.copy(current, dtype);
    },
    argReduce(op, x, axis) {
      const shape = x.shape.map((s, d) => (d === axis ? 1 : s));
      return {
        values: store(reduceAxis(reduceKernel(op), x, axis), shape, x.dtype),
        indices: store(reduceAxis(argReduceKernel(op), x, axis), shape, 'int32'),
      };
    },
    matmul(a, b) {
      const nd = a.ndim;
      const [m, k, n] = [a.shape[nd - 2], a.shape[nd - 1], b.shape[nd - 1]];
      const batch = a.shape.slice(0, nd - 2);
      const c = coalesce(batch, [a.strides.slice(0, nd - 2), b.strides.slice(0, nd - 2)]);
      // The grid is [n, m, last batch dim]; batch dims above it become slabs.
      const shape = [...c.shape.slice(0, -1), c.shape.at(-1) ?? 1, m, n];
      const views: StridedView[] = [
        { strides: [...c.strides[0].slice(0, -1), c.strides[0].at(-1) ?? 0, a.strides[nd - 2], 0], offset: a.offset },
        { strides: [...c.strides[1].slice(0, -1), c.strides[1].at(-1) ?? 0, 0, b.strides[nd - 1]], offset: b.offset },
      ];
      const [ad, bd] = [input(a), input(b)];
      const values = launch(matmulKernel(), shape, views, (slab) => [
        ad, slab.offsets[0], slab.strides[0][0], slab.strides[0][1], a.strides[nd - 1],
        bd, slab.offsets[1], slab.strides[1][0], b.strides[nd - 2], slab.strides[1][2],
        k,
      ]);
      return store(values, [...batch, m, n], a.dtype);
    },
    gather(x, dim, index) {
      const [xs, is] = [toLast(x, dim), toLast(index, dim)];
      const [xd, id] = [input(xs), input(is)];
      const values = launch(gatherKernel(), is.shape, [xs, is], (slab) => [
        xd, slab.offsets[0], ...slab.strides[0], id, slab.offsets[1], ...slab.strides[1],
      ]);
      return fromLast(values, is.shape, dim, x.dtype);
    },
    scatterAdd(x, dim, index, src) {
      const [xs, is, ss] = [toLast(x, dim), toLast(index, dim), toLast(src, dim)];
      const [xd, id, sd] = [input(xs), input(is), input(ss)];
      const r = xs.ndim;
      const size = (d: number): number => (d >= 0 ? is.shape[d] : 1);
      const values = launch(scatterAddKernel(), xs.shape, [xs, is, ss], (slab) => {
        const inIndex = slab.lead.every((i, d) => i < is.shape[d]);
        return [
          xd, slab.offsets[0], ...slab.strides[0], id, slab.offsets[1], ...slab.strides[1],
          sd, slab.offsets[2], ...slab.strides[2],
          inIndex ? size(r - 3) : 0, size(r - 2), is.shape[r - 1],
        ];
      });
      return fromLast(values, xs.shape, dim, x.dtype);
    },
    indexSelect(x, dim, index) {
      const xs = toLast(x, dim);
      const shape = [...xs.shape.slice(0, -1), index.size];
      const [xd, id] = [input(xs), input(index)];
      const values = launch(indexSelectKernel(), shape, [xs], (slab) => [
        xd, slab.offsets[0], ...slab.strides[0], id, index.offset, index.strides[0] ?? 1,
      ]);
      return fromLast(values, shape, dim, x.dtype);
    },
    cat(xs, dim, dtype) {
      const shape = xs[0].shape.slice();
      shape[dim] = xs.reduce((n, x) => n + x.shape[dim], 0);
      let values: Float32Array | null = null;
      let start = 0;
      for (const x of xs) {
        const begin = shape.map((_, d) => (d === dim ? start : 0));
        values = place(shape, x, begin, values, 0);
        start += x.shape[dim];
      }
      return store(values ?? new Float32Array(0), shape, dtype);
    },
    pad(x, pads, value) {
      const shape = x.shape.map((s, d) => s + pads[d][0] + pads[d][1]);
      return store(place(shape, x, pads.map(([before]) => before), null, value), shape, x.dtype);
    },
    conv2d(x, w, g) {
      const out = [g.n, g.o, g.oh, g.ow];
      checkFloatIndexLimit('conv2d', { input: x.size, weight: w.size, output: sizeOf(out) });
      const values = runner.run(conv2dKernel(g), [g.ow, g.oh, g.n * g.o], [flat(x), flat(w)]);
      return store(values, out, x.dtype);
    },
    conv2dBackwardInput(gy, w, g) {
      const out = [g.n, g.c, g.h, g.w];
      checkFloatIndexLimit('conv2dBackwardInput', { gradOutput: gy.size, weight: w.size, gradInput: sizeOf(out) });
      const values = runner.run(conv2dBackwardInputKernel(g), [g.w, g.h, g.n * g.c], [flat(gy), flat(w)]);
      return store(values, out, gy.dtype);
    },
    conv2dBackwardWeight(gy, x, g) {
      const out = [g.o, g.c / g.groups, g.kh, g.kw];
      checkFloatIndexLimit('conv2dBackwardWeight', { gradOutput: gy.size, input: x.size });
      const values = runner.run(conv2dBackwardWeightKernel(g), [g.kw, g.kh, out[0] * out[1]], [flat(gy), flat(x)]);
      return store(values, out, gy.dtype);
    },
    maxPool2d(x, g) {
      const out = [g.n, g.c, g.oh, g.ow];
      checkFloatIndexLimit('maxPool2d', { input: x.size });
      const data = flat(x);
      const grid = [g.ow, g.oh, g.n * g.c] as const;
      const indices = store(runner.run(maxPoolKernel(g, 'indices'), grid, [data]), out, 'int32');
      poolWindows.set(indices, g);
      return { values: store(runner.run(maxPoolKernel(g, 'values'), grid, [data]), out, x.dtype), indices };
    },
    maxPool2dBackward(gy, indices, g) {
      checkFloatIndexLimit('maxPool2dBackward', { gradInput: g.n * g.c * g.h * g.w });
      // The contract passes only the shapes; indices this backend made know their windows, and then
      // each input visits only the windows that contain it, not every output of its plane.
      const windows = poolWindows.get(indices);
      const grid = [g.w, g.h, g.n * g.c] as const;
      const values =
        windows !== undefined && windows.oh === g.oh && windows.ow === g.ow
          ? runner.run(maxPoolBackwardKernel(windows), grid, [flat(gy), flatIndices(indices)])
          : runner.run(maxPoolBackwardScanKernel(g.h, g.w, g.oh, g.ow), grid, [flat(gy), flatIndices(indices)]);
      return store(values, [g.n, g.c, g.h, g.w], gy.dtype);
    },
    avgPool2d(x, g, countIncludePad, divisorOverride) {
      checkFloatIndexLimit('avgPool2d', { input: x.size });
      const values = runner.run(avgPoolKernel(g, countIncludePad), [g.ow, g.oh, g.n * g.c], [flat(x), divisorOverride ?? 0]);
      return store(values, [g.n, g.c, g.oh, g.ow], x.dtype);
    },
    avgPool2dBackward(gy, g, countIncludePad, divisorOverride) {
      checkFloatIndexLimit('avgPool2dBackward', { gradInput: g.n * g.c * g.h * g.w });
      const values = runner.run(avgPoolBackwardKernel(g, countIncludePad), [g.w, g.h, g.n * g.c], [flat(gy), divisorOverride ?? 0]);
      return store(values, [g.n, g.c, g.h, g.w], gy.dtype);
    },
  };

  /** int32 indices as a contiguous float32 buffer. */
  function flatIndices(indices: NDArray): Float32Array {
    const c = indices.contiguous();
    return Float32Array.from(c.storage.subarray(c.offset, c.offset + c.size));
  }
}
