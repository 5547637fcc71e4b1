import { rmspropStep, type NDArray } from '@tsgrad/ndarray';
import { Optimizer, type BaseOptions, type ParamGroup, type ParamState, type Params } from './optimizer.js';
import { stateBuffer, stateCount } from './state.js';

/** RMSprop's options, as `torch.optim.RMSprop` (camelCase). */
export interface RMSpropOptions extends BaseOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number;
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha: number;
  /** ε added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Normalise by the estimated variance instead of the raw second moment (default false). */
  centered: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

const DEFAULTS: RMSpropOptions = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

/**
 * RMSprop, as `torch.optim.RMSprop`:
 *
 * ```text
 * input: γ (lr), α (alpha), θ₀ (params), f(θ) (objective), λ (weight decay), μ (momentum),
 *        centered, maximize
 * initialize: v₀ ← 0, b₀ ← 0, g₀ᵃᵛᵉ ← 0
 * for t = 1, 2, ...
 *   g_t ← ∇θ f_t(θ_{t-1});  if maximize: g_t ← −g_t
 *   if λ ≠ 0:  g_t ← g_t + λ θ_{t-1}
 *   v_t ← α v_{t-1} + (1 − α) g_t²
 *   ṽ_t ← v_t
 *   if centered:  g_tᵃᵛᵉ ← α g_{t-1}ᵃᵛᵉ + (1 − α) g_t;  ṽ_t ← ṽ_t − (g_tᵃᵛᵉ)²
 *   if μ > 0:  b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε);  θ_t ← θ_{t-1} − γ b_t
 *   else:      θ_t ← θ_{t-1} − γ g_t / (√ṽ_t + ε)
 * ```
 *
 * State per parameter: `step`, `squareAvg` (v), `momentumBuffer` (b, when μ > 0) and
 * `gradAvg` (gᵃᵛᵉ, when centered).
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { RMSprop } from '@tsgrad/optim';
 * const w = tensor([1, -2], { requiresGrad: true });
 * const opt = new RMSprop([w], { lr: 0.01, centered: true, momentum: 0.9 });
 * w.mul(w).sum().backward();
 * opt.step();
 * ```
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, DEFAULTS, options);
  }

  protected validate(o: RMSpropOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new RangeError(`Invalid epsilon value: ${o.eps}`);
    if (!(o.momentum >= 0)) throw new RangeError(`Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`Invalid weightDecay value: ${o.weightDecay}`);
    if (!(o.alpha >= 0)) throw new RangeError(`Invalid alpha value: ${o.alpha}`);
  }

  protected updateParameter(param: NDArray, grad: NDArray, state: ParamState, group: ParamGroup<RMSpropOptions>): void {
    state.step = stateCount(state, 'step') + 1;
    const v = stateBuffer(state, 'squareAvg', param);
    const buf = group.momentum > 0 ? stateBuffer(state, 'momentumBuffer', param) : null;
    const gAvg = group.centered ? stateBuffer(state, 'gradAvg', param) : null;
    const { lr, alpha, eps, weightDecay, momentum, maximize } = group;
    rmspropStep(param, grad, v, buf, gAvg, { lr, alpha, eps, weightDecay, momentum, maximize });
  }
}

/** RMSprop's buffers for one parameter (null when the option that needs them is off). */
export interface RMSpropBuffers {
  squareAvg: NDArray;
  momentumBuffer: NDArray | null;
  gradAvg: NDArray | null;
}

/**
 * One RMSprop update in NDArray ops (the readable form of the fused `rmspropStep` kernel of `@tsgrad/ndarray`): returns the new
 * parameter and buffers.
 *
 * @example
 * ```ts
 * import { array, zeros } from '@tsgrad/ndarray';
 * import { rmspropReference } from './rmsprop.js';
 * const o = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
 * rmspropReference(array([1]), array([2]), { squareAvg: zeros([1]), momentumBuffer: null, gradAvg: null }, o).param.toArray(); // ≈ [0.9]
 * ```
 */
export function rmspropReference(
  param: NDArray,
  grad: NDArray,
  b: RMSpropBuffers,
  o: RMSpropOptions,
): RMSpropBuffers & { param: NDArray } {
  let g = o.maximize ? grad.neg() : grad;
  if (o.weightDecay !== 0) g = g.add(param.mul(o.weightDecay));
  const squareAvg = b.squareAvg.mul(o.alpha).add(g.mul(1 - o.alpha).mul(g));
  const gradAvg = b.gradAvg === null ? null : b.gradAvg.mul(o.alpha).add(g.mul(1 - o.alpha));
  const variance = gradAvg === null ? squareAvg : squareAvg.sub(gradAvg.mul(gradAvg));
  const avg = variance.sqrt().add(o.eps);
  if (b.momentumBuffer === null) {
    return { param: param.sub(g.div(avg).mul(o.lr)), squareAvg, gradAvg, momentumBuffer: null };
  }
  const momentumBuffer = b.momentumBuffer.mul(o.momentum).add(g.div(avg));
  return { param: param.sub(momentumBuffer.mul(o.lr)), squareAvg, gradAvg, momentumBuffer };
}
