/**
 * Test support (not exported from the package): replays the PyTorch trajectories of
 * `fixtures/optimizers.json` through tsgrad's optimizers.
 */
import { readFileSync } from 'node:fs';
import { array, type NDArray } from '@tsgrad/ndarray';
import { fromNDArray, type Tensor } from '@tsgrad/autograd';
import { Adam, type AdamOptions } from './adam.js';
import { AdamW } from './adamw.js';
import { RMSprop, type RMSpropOptions } from './rmsprop.js';
import { SGD, type SGDOptions } from './sgd.js';
import type { BaseOptions, Optimizer } from './optimizer.js';

type AnyOptions = Partial<SGDOptions & AdamOptions & RMSpropOptions>;

export interface OptimizerCase {
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
  options: AnyOptions;
  groups: [AnyOptions, AnyOptions];
  dtype: 'float32' | 'float64';
  /** Both parameters, flattened, after each step. */
  trajectory: number[][][];
  /** PyTorch's final state per parameter (buffers flattened). */
  state: Record<string, Record<string, number | number[]>>;
}

export interface OptimizerFixtures {
  steps: number;
  skipStep: number;
  p0: number[][];
  p1: number[];
  a: number[][];
  b: number[][];
  cases: OptimizerCase[];
}

export const optimizerFixtures: OptimizerFixtures = JSON.parse(
  readFileSync(new URL('../fixtures/optimizers.json', import.meta.url), 'utf8'),
);

export function makeOptimizer(c: OptimizerCase, p0: Tensor, p1: Tensor): Optimizer<BaseOptions> {
  const { optimizer, options, groups } = c;
  if (optimizer === 'SGD') return new SGD([{ params: [p0], ...groups[0] }, { params: [p1], ...groups[1] }], options);
  if (optimizer === 'Adam') return new Adam([{ params: [p0], ...groups[0] }, { params: [p1], ...groups[1] }], options);
  if (optimizer === 'AdamW') return new AdamW([{ params: [p0], ...groups[0] }, { params: [p1], ...groups[1] }], options);
  return new RMSprop([{ params: [p0], ...groups[0] }, { params: [p1], ...groups[1] }], options);
}

/** The same values in a strided (non-contiguous) view, so the optimizers take their NDArray-op path. */
export function strided(a: NDArray): NDArray {
  const values = Array.from(a.toTypedArray());
  const interleaved = values.flatMap((v) => [v, -1]);
  return array(interleaved, { shape: [...a.shape, 2], dtype: a.dtype }).narrow(-1, 0, 1).squeeze(-1);
}

export interface Replay {
  /** Parameters (flattened) after each step. */
  trajectory: number[][][];
  optimizer: Optimizer<BaseOptions>;
  params: [Tensor, Tensor];
}

/**
 * Runs a case: the loss sum(a p² / 2 + b p) has gradient a p + b; the second parameter has no
 * gradient at `skipStep`. With `strided`, parameters and gradients are strided views every step.
 */
export function replay(c: OptimizerCase, { strided: useStrided = false } = {}): Replay {
  const f = optimizerFixtures;
  const dtype = c.dtype;
  const p0 = fromNDArray(array(f.p0, { dtype }), { requiresGrad: true });
  const p1 = fromNDArray(array(f.p1, { dtype }), { requiresGrad: true });
  const a = [array([...f.a[0], ...f.a[1]], { shape: [2, 3], dtype }), array(f.a[2], { dtype })];
  const b = [array([...f.b[0], ...f.b[1]], { shape: [2, 3], dtype }), array(f.b[2], { dtype })];
  const optimizer = makeOptimizer(c, p0, p1);
  const trajectory: number[][][] = [];
  const view = (x: NDArray): NDArray => (useStrided ? strided(x) : x);
  for (let step = 0; step < f.steps; step++) {
    [p0, p1].forEach((p, i) => {
      p.data = view(p.data);
      p.grad = i === 1 && step === f.skipStep ? null : fromNDArray(view(a[i].mul(p.data).add(b[i])));
    });
    optimizer.step();
    trajectory.push([p0, p1].map((p) => Array.from(p.data.toTypedArray())));
  }
  return { trajectory, optimizer, params: [p0, p1] };
}

/** Largest |x − y| / max(1, |y|) over two nested lists of numbers (NaN matches only NaN). */
export function maxRelativeError(x: number[] | number[][] | number[][][], y: number[] | number[][] | number[][][]): number {
  const xs = x.flat(2);
  const ys = y.flat(2);
  if (xs.length !== ys.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i]) || Number.isNaN(ys[i])) {
      if (Number.isNaN(xs[i]) !== Number.isNaN(ys[i])) return Infinity; // NaN only on one side
      continue;
    }
    worst = Math.max(worst, Math.abs(xs[i] - ys[i]) / Math.max(1, Math.abs(ys[i])));
  }
  return worst;
}

/** The tolerance a case is held to: float64 agrees to rounding, float32 to its precision. */
export function tolerance(c: OptimizerCase): number {
  return c.dtype === 'float64' ? 1e-12 : 2e-6;
}

export function describeCase(c: OptimizerCase): string {
  const groups = c.groups.some((g) => Object.keys(g).length > 0) ? ` groups ${JSON.stringify(c.groups)}` : '';
  return `${c.optimizer} ${JSON.stringify(c.options)}${groups} ${c.dtype}`;
}
