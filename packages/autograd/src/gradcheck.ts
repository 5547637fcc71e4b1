/**
 * Gradient checking: compares the gradients backward computes with central differences,
 * (f(x + eps) - f(x - eps)) / 2eps, one input element at a time, in float64.
 *
 * For an output y, both sides build the full Jacobian dy/dx: the analytic one a row at a time
 * (one backward per output element, with a one-hot gradient), the numerical one a column at a
 * time (two forwards per input element).
 */
import { array, type NDArray } from '@tsgrad/ndarray';
import { noGrad } from './no-grad.js';
import { Tensor } from './tensor.js';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** The finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, against the numerical value (default 1e-3). */
  rtol?: number;
  /** Throw an error naming the mismatch (default) or return false. */
  raiseException?: boolean;
}

/** The element `flat` of an array of `shape`, as `[i,j,...]`. */
function unravel(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `[${index.join(',')}]`;
}

function float64Values(a: NDArray): Float64Array {
  return Float64Array.from(a.toTypedArray());
}

/**
 * Checks the gradients of `fn` with respect to every input that requires grad. Inputs are
 * copied to float64 first; inputs that do not require grad (indices, constants) are passed
 * through unchanged. Returns true, or throws (or returns false) with the first element whose
 * analytic and numerical derivatives differ by more than `atol + rtol * |numerical|`.
 *
 * @example
 * const x = tensor([0.5, -1.2, 2], { dtype: 'float64', requiresGrad: true });
 * gradcheck((x) => x.tanh().mul(x).sum(), [x]); // true
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts;
  for (const [name, v] of [['eps', eps], ['atol', atol], ['rtol', rtol]] as const) {
    if (!(v >= 0 && Number.isFinite(v)) || (name === 'eps' && v === 0)) {
      throw new RangeError(`gradcheck: ${name} must be a finite number ${name === 'eps' ? '> 0' : '>= 0'}, got ${v}`);
    }
  }
  const checked = inputs.map((t) => t.requiresGrad);
  if (!checked.includes(true)) throw new Error('gradcheck: no input requires grad');
  const values = inputs.map((t, i) => (checked[i] ? float64Values(t.data) : null));
  const shapes = inputs.map((t) => t.shape);

  /** Fresh leaves from (possibly perturbed) values, so no graph is shared between runs. */
  const leaves = (): Tensor[] =>
    inputs.map((t, i) => {
      const v = values[i];
      return v === null ? t : new Tensor(array(v.slice(), { shape: shapes[i] }), { requiresGrad: true });
    });
  const evaluate = (): Float64Array => float64Values(noGrad(() => fn(...leaves())).data);

  // Analytic Jacobian, one row per output element.
  const xs = leaves();
  const y = fn(...xs);
  if (!y.requiresGrad) throw new Error('gradcheck: the output does not require grad');
  const analytic: Float64Array[][] = [];
  for (let o = 0; o < y.size; o++) {
    for (const x of xs) x.grad = null;
    const oneHot = new Float64Array(y.size);
    oneHot[o] = 1;
    y.backward(array(oneHot, { shape: y.shape }), { retainGraph: true });
    analytic.push(xs.map((x, i) => (checked[i] && x.grad !== null ? float64Values(x.grad.data) : new Float64Array(inputs[i].size))));
  }

  // Numerical Jacobian, one column per input element, compared as it is computed.
  for (let i = 0; i < inputs.length; i++) {
    const v = values[i];
    if (v === null) continue;
    for (let e = 0; e < v.length; e++) {
      const original = v[e];
      v[e] = original + eps;
      const plus = evaluate();
      v[e] = original - eps;
      const minus = evaluate();
      v[e] = original;
      for (let o = 0; o < y.size; o++) {
        const numerical = (plus[o] - minus[o]) / (2 * eps);
        const got = analytic[o][i][e];
        if (!(Math.abs(got - numerical) <= atol + rtol * Math.abs(numerical))) {
          const message =
            `gradcheck: Jacobian mismatch for input ${i} element ${unravel(e, shapes[i])} ` +
            `(output element ${unravel(o, y.shape)}): analytic ${got} vs numerical ${numerical} ` +
            `(atol ${atol}, rtol ${rtol})`;
          if (raiseException) throw new Error(message);
          return false;
        }
      }
    }
  }
  return true;
}
