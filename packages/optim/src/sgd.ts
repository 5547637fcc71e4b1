import { sgdStep, type NDArray } from '@tsgrad/ndarray';
import { Optimizer, type BaseOptions, type ParamGroup, type ParamState, type Params } from './optimizer.js';
import { optionalBuffer, stateBuffer } from './state.js';

/** SGD's options, as `torch.optim.SGD` (camelCase). */
export interface SGDOptions extends BaseOptions {
  /** Learning rate γ (default 1e-3, as PyTorch 2). */
  lr: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Dampening τ of the momentum (default 0). */
  dampening: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false); needs momentum > 0 and zero dampening. */
  nesterov: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

const DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

/**
 * Stochastic gradient descent, optionally with momentum, as `torch.optim.SGD`:
 *
 * ```text
 * input: γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay), μ (momentum), τ (dampening),
 *        nesterov, maximize
 * for t = 1, 2, ...
 *   g_t ← ∇θ f_t(θ_{t-1});  if maximize: g_t ← −g_t
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   if μ ≠ 0:
 *     if t > 1:  b_t ← μ b_{t-1} + (1 − τ) g_t
 *     else:      b_t ← g_t
 *     if nesterov:  g_t ← g_t + μ b_t
 *     else:         g_t ← b_t
 *   θ_t ← θ_{t-1} − γ g_t
 * ```
 *
 * State per parameter: `momentumBuffer` (b), only when μ ≠ 0.
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { SGD } from '@tsgrad/optim';
 * const w = tensor([1, -2], { requiresGrad: true });
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9, nesterov: true });
 * for (let i = 0; i < 100; i++) {
 *   opt.zeroGrad();
 *   w.mul(w).sum().backward();
 *   opt.step();
 * }
 * w.data.toArray(); // close to [0, 0]
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, DEFAULTS, options);
  }

  protected validate(o: SGDOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`Invalid learning rate: ${o.lr}`);
    if (!(o.momentum >= 0)) throw new RangeError(`Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`Invalid weightDecay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected updateParameter(param: NDArray, grad: NDArray, state: ParamState, group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    if (momentum === 0) return sgdStep(param, grad, null, { lr, momentum, dampening, weightDecay, nesterov, maximize, first: false });
    // The buffer starts as the first step's gradient: the kernel overwrites fresh zeros with it.
    const first = optionalBuffer(state, 'momentumBuffer') === null;
    const buffer = stateBuffer(state, 'momentumBuffer', param);
    sgdStep(param, grad, buffer, { lr, momentum, dampening, weightDecay, nesterov, maximize, first });
  }
}

/**
 * One SGD update in NDArray ops (the readable form of the fused `sgdStep` kernel): returns the new parameter
 * and momentum buffer (`buffer` null on the first step).
 *
 * @example
 * ```ts
 * import { array } from '@tsgrad/ndarray';
 * import { sgdReference } from './sgd.js';
 * const o = { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
 * sgdReference(array([1]), array([2]), null, o).param.toArray(); // ≈ [0.8] (float32)
 * ```
 */
export function sgdReference(
  param: NDArray,
  grad: NDArray,
  buffer: NDArray | null,
  o: SGDOptions,
): { param: NDArray; buffer: NDArray | null } {
  let g = o.maximize ? grad.neg() : grad;
  if (o.weightDecay !== 0) g = g.add(param.mul(o.weightDecay));
  let b: NDArray | null = null;
  if (o.momentum !== 0) {
    b = buffer === null ? g.clone() : buffer.mul(o.momentum).add(g.mul(1 - o.dampening));
    g = o.nesterov ? g.add(b.mul(o.momentum)) : b;
  }
  return { param: param.sub(g.mul(o.lr)), buffer: b };
}
