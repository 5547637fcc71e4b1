/**
 * Helpers for the tests: reading the PyTorch fixtures (`../fixtures/*.json`, written by
 * `fixtures/make_fixtures.py`) and comparing arrays with them. Not exported by the package.
 */
import { readFileSync } from 'node:fs';
import { array, NDArray, type DType } from '@tsgrad/ndarray';
import { fromNDArray, type Tensor } from '@tsgrad/autograd';

/** An array as the fixtures store it: its shape and its values, flat, row-major. */
export interface FixtureArray {
  shape: number[];
  data: number[];
}

/** Parses `fixtures/<name>` (JSON). */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** A fixture array as an NDArray (float64 unless told). */
export function fixtureArray(a: FixtureArray, dtype: DType = 'float64'): NDArray {
  const data = dtype === 'float64' ? Float64Array.from(a.data)
    : dtype === 'float32' ? Float32Array.from(a.data)
      : dtype === 'int32' ? Int32Array.from(a.data) : Uint8Array.from(a.data);
  return array(data, { shape: a.shape, dtype });
}

/** A fixture array as a tensor. */
export function fixtureTensor(a: FixtureArray, { dtype = 'float64', requiresGrad = false }: { dtype?: DType; requiresGrad?: boolean } = {}): Tensor {
  return fromNDArray(fixtureArray(a, dtype), { requiresGrad });
}

/**
 * The deterministic values of make_fixtures.py's `pattern`, computed the same way, so they are the same doubles:
 * v[i] = (((i * 7919 + seed * 104729) % 1009) / 504.5 - 1) * scale.
 */
export function pattern(shape: readonly number[], seed: number, scale = 1): NDArray {
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = (((i * 7919 + seed * 104729) % 1009) / 504.5 - 1.0) * scale;
  return array(data, { shape, dtype: 'float64' });
}

function valuesOf(a: FixtureArray | NDArray): ArrayLike<number> {
  return a instanceof NDArray ? a.toTypedArray() : a.data;
}

function checkShape(actual: NDArray, expected: FixtureArray | NDArray, what: string): void {
  const shape = expected.shape;
  if (actual.shape.length !== shape.length || actual.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${what}: shape [${actual.shape.join(',')}], expected [${shape.join(',')}]`);
  }
}

/** The largest |actual - expected| / max(|expected|, floor) over all elements, after checking shapes. */
export function maxRelativeError(actual: NDArray, expected: FixtureArray | NDArray, floor = 1e-12): number {
  const exp = valuesOf(expected);
  checkShape(actual, expected, 'maxRelativeError');
  const got = actual.toTypedArray();
  let worst = 0;
  for (let i = 0; i < exp.length; i++) {
    const err = Math.abs(got[i] - exp[i]) / Math.max(Math.abs(exp[i]), floor);
    if (!(err <= worst)) worst = err; // NaN counts as the worst
  }
  return worst;
}

/** max |actual - expected| / max |expected|: the error relative to the tensor's scale. */
export function scaledMaxError(actual: NDArray, expected: FixtureArray | NDArray): number {
  const exp = valuesOf(expected);
  checkShape(actual, expected, 'scaledMaxError');
  const got = actual.toTypedArray();
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < exp.length; i++) {
    const err = Math.abs(got[i] - exp[i]);
    if (!(err <= worst)) worst = err;
    scale = Math.max(scale, Math.abs(exp[i]));
  }
  return scale === 0 ? worst : worst / scale;
}

/** ||actual - expected|| / ||expected|| (Euclidean norms over all elements). */
export function relativeL2Error(actual: NDArray, expected: FixtureArray | NDArray): number {
  const exp = valuesOf(expected);
  checkShape(actual, expected, 'relativeL2Error');
  const got = actual.toTypedArray();
  let num = 0;
  let den = 0;
  for (let i = 0; i < exp.length; i++) {
    num += (got[i] - exp[i]) ** 2;
    den += exp[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/**
 * Throws unless every element is within `atol + rtol * |expected|` (and the shapes agree), naming the first
 * element that is not.
 */
export function expectClose(actual: NDArray, expected: FixtureArray | NDArray, what: string, rtol = 1e-8, atol = 1e-10): void {
  const exp = valuesOf(expected);
  checkShape(actual, expected, what);
  const got = actual.toTypedArray();
  for (let i = 0; i < exp.length; i++) {
    const diff = Math.abs(got[i] - exp[i]);
    if (!(diff <= atol + rtol * Math.abs(exp[i]))) {
      throw new Error(`${what}: element ${i} is ${got[i]}, expected ${exp[i]} (difference ${diff})`);
    }
  }
}
