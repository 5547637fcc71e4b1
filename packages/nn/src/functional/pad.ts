import { pad as padTensor } from '@tsgrad/autograd';
import type { Tensor } from '@tsgrad/autograd';

/** How `pad` fills the border: a constant, a mirror image without the edge, the edge repeated, or wrap-around. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

const PAD_MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/**
 * Pads the last dims of a tensor, as PyTorch's `F.pad`: `pads` lists the last dim first,
 * `[left, right, top, bottom, ...]`. Differentiable in every mode.
 *
 * @example
 * import { tensor } from '@tsgrad/autograd';
 * pad(tensor([[[[1, 2, 3]]]]), [2, 1], 'reflect').data.toArray(); // [[[[3, 2, 1, 2, 3, 2]]]]
 */
export function pad(input: Tensor, pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (pads.length % 2 !== 0) throw new Error(`Padding length must be divisible by 2, got ${pads.length} ([${pads.join(', ')}])`);
  if (pads.length / 2 > input.ndim) {
    throw new Error(`Padding length too large: ${pads.length} values pad ${pads.length / 2} dims of a ${input.ndim}-d input`);
  }
  if (!PAD_MODES.includes(mode)) {
    throw new Error(`Unrecognised padding mode ${String(mode)} (expected one of ${PAD_MODES.join(', ')})`);
  }
  if (mode !== 'constant' && value !== 0) throw new Error(`Padding mode "${mode}" doesn't take in value argument (got ${value})`);
  return padTensor(input, pads, mode, value);
}
