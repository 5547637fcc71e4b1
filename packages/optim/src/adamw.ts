import { Adam, type AdamOptions } from './adam.js';
import type { Params } from './optimizer.js';

/**
 * AdamW, as `torch.optim.AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter). The
 * weights shrink by γλ before the Adam step instead of λθ being added to the gradient:
 *
 * ```text
 * for t = 1, 2, ...
 *   g_t ← ∇θ f_t(θ_{t-1});  if maximize: g_t ← −g_t
 *   θ_{t-1} ← θ_{t-1} − γλ θ_{t-1}
 *   m_t, v_t, denom as Adam (without the L2 term)
 *   θ_t ← θ_{t-1} − γ / (1 − β₁ᵗ) · m_t / denom
 * ```
 *
 * Defaults as PyTorch: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2.
 * The same class as `Adam` with `decoupledWeightDecay: true` (as PyTorch 2.6's AdamW).
 *
 * @example
 * ```ts
 * import { tensor } from '@tsgrad/autograd';
 * import { AdamW } from '@tsgrad/optim';
 * const w = tensor([1, -2], { requiresGrad: true });
 * const opt = new AdamW([w], { lr: 0.1, weightDecay: 0.1 });
 * w.mul(w).sum().backward();
 * opt.step();
 * ```
 */
export class AdamW extends Adam {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { ...options, weightDecay: options.weightDecay ?? 1e-2, decoupledWeightDecay: options.decoupledWeightDecay ?? true });
  }
}
