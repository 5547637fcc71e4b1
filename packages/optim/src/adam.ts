import { adamStep as fusedAdamStep, type NDArray } from '@tsgrad/ndarray';
import { Optimizer, type BaseOptions, type ParamGroup, type ParamState, type Params } from './optimizer.js';
import { stateBuffer, stateCount } from './state.js';

/** Adam's options, as `torch.optim.Adam` (camelCase). */
export interface AdamOptions extends BaseOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number;
  /** Decay rates (β₁, β₂) of the moment averages (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε added to the denominator (default 1e-8). */
  eps: number;
  /** Weight decay λ (Adam default 0, AdamW default 1e-2). */
  weightDecay: number;
  /** Use the maximum of the past second moments (AMSGrad; default false). */
  amsgrad: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
  /** Decay the weights directly (AdamW) instead of adding λθ to the gradient (default false). */
  decoupledWeightDecay: boolean;
}

const DEFAULTS: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  decoupledWeightDecay: false,
};

/** Adam's per-step scalars: the options plus the bias corrections of step t. */
interface AdamStep {
  readonly o: AdamOptions;
  /** γ / (1 − β₁ᵗ) */
  readonly stepSize: number;
  /** √(1 − β₂ᵗ) */
  readonly bc2Sqrt: number;
}

/**
 * Adam, as `torch.optim.Adam` (its single-tensor implementation, bias corrections included):
 *
 * ```text
 * input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective), λ (weight decay),
 *        amsgrad, maximize, decoupled (AdamW)
 * initialize: m₀ ← 0, v₀ ← 0, v₀ᵐᵃˣ ← 0
 * for t = 1, 2, ...
 *   g_t ← ∇θ f_t(θ_{t-1});  if maximize: g_t ← −g_t
 *   if decoupled:  θ_{t-1} ← θ_{t-1} − γλ θ_{t-1}
 *   else if λ ≠ 0: g_t ← g_t + λ θ_{t-1}
 *   m_t ← β₁ m_{t-1} + (1 − β₁) g_t
 *   v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
 *   if amsgrad:  v_tᵐᵃˣ ← max(v_{t-1}ᵐᵃˣ, v_t);  denom ← √v_tᵐᵃˣ / √(1 − β₂ᵗ) + ε
 *   else:        denom ← √v_t / √(1 − β₂ᵗ) + ε
 *   θ_t ← θ_{t-1} − γ / (1 − β₁ᵗ) · m_t / denom
 * ```
 *
 * State per parameter: `step` (t), `expAvg` (m), `expAvgSq` (v) and, with amsgrad,
 * `maxExpAvgSq` (vᵐᵃˣ, the running maximum of the raw v).
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { Adam } from '@tsgrad/optim';
 * const w = tensor([1, -2], { requiresGrad: true });
 * const opt = new Adam([w], { lr: 0.1 });
 * for (let i = 0; i < 200; i++) {
 *   opt.zeroGrad();
 *   w.mul(w).sum().backward();
 *   opt.step();
 * }
 * w.data.toArray(); // close to [0, 0]
 * ```
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, DEFAULTS, options);
  }

  protected validate(o: AdamOptions): void {
    if (!(o.lr >= 0)) throw new RangeError(`Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new RangeError(`Invalid epsilon value: ${o.eps}`);
    if (!(o.betas[0] >= 0 && o.betas[0] < 1)) throw new RangeError(`Invalid beta parameter at index 0: ${o.betas[0]}`);
    if (!(o.betas[1] >= 0 && o.betas[1] < 1)) throw new RangeError(`Invalid beta parameter at index 1: ${o.betas[1]}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`Invalid weightDecay value: ${o.weightDecay}`);
  }

  protected updateParameter(param: NDArray, grad: NDArray, state: ParamState, group: ParamGroup<AdamOptions>): void {
    const t = stateCount(state, 'step') + 1;
    state.step = t;
    const s = adamStep(group, t);
    const m = stateBuffer(state, 'expAvg', param);
    const v = stateBuffer(state, 'expAvgSq', param);
    const vMax = group.amsgrad ? stateBuffer(state, 'maxExpAvgSq', param) : null;
    const { lr, eps, weightDecay, maximize, decoupledWeightDecay: decoupled, betas: [beta1, beta2] } = group;
    fusedAdamStep(param, grad, m, v, vMax, {
      lr, beta1, beta2, eps, weightDecay, maximize, decoupled, stepSize: s.stepSize, bc2Sqrt: s.bc2Sqrt,
    });
  }
}

/** Adam's moment buffers for one parameter (`maxExpAvgSq` null without amsgrad). */
export interface AdamBuffers {
  expAvg: NDArray;
  expAvgSq: NDArray;
  maxExpAvgSq: NDArray | null;
}

/**
 * The scalars of Adam's step `t`: the bias-corrected step size and √(1 − β₂ᵗ).
 *
 * @example
 * ```ts
 * import { adamStep } from './adam.js';
 * const o = { lr: 0.1, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false };
 * adamStep(o, 1).stepSize; // 0.1 / (1 - 0.9) = 1
 * ```
 */
export function adamStep(o: AdamOptions, t: number): AdamStep {
  return { o, stepSize: o.lr / (1 - o.betas[0] ** t), bc2Sqrt: Math.sqrt(1 - o.betas[1] ** t) };
}

/**
 * One Adam update in NDArray ops (the readable form of the fused `adamStep` kernel of `@tsgrad/ndarray`): returns the new
 * parameter and buffers.
 *
 * @example
 * ```ts
 * import { array, zeros } from '@tsgrad/ndarray';
 * import { adamReference, adamStep } from './adam.js';
 * const o = { lr: 0.1, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false };
 * const buffers = { expAvg: zeros([1]), expAvgSq: zeros([1]), maxExpAvgSq: null };
 * adamReference(array([1]), array([2]), buffers, adamStep(o, 1)).param.toArray(); // ≈ [0.9]: the first step moves by lr
 * ```
 */
export function adamReference(param: NDArray, grad: NDArray, b: AdamBuffers, s: AdamStep): AdamBuffers & { param: NDArray } {
  const { o } = s;
  const [beta1, beta2] = o.betas;
  let g = o.maximize ? grad.neg() : grad;
  let p = param;
  if (o.decoupledWeightDecay) p = p.mul(1 - o.lr * o.weightDecay);
  else if (o.weightDecay !== 0) g = g.add(p.mul(o.weightDecay));
  const expAvg = b.expAvg.mul(beta1).add(g.mul(1 - beta1));
  const expAvgSq = b.expAvgSq.mul(beta2).add(g.mul(1 - beta2).mul(g));
  const maxExpAvgSq = b.maxExpAvgSq === null ? null : b.maxExpAvgSq.maximum(expAvgSq);
  const denom = (maxExpAvgSq ?? expAvgSq).sqrt().div(s.bc2Sqrt).add(o.eps);
  return { param: p.sub(expAvg.div(denom).mul(s.stepSize)), expAvg, expAvgSq, maxExpAvgSq };
}
