import type { Tensor } from '@tsgrad/autograd';
import type { Module } from '../module.js';
import { ModuleList } from './module-list.js';

/**
 * A chain of modules, each fed the previous one's output, as PyTorch's `nn.Sequential`: a
 * `ModuleList` with a `forward`. The layers are numbered children (`model[0]`), so their
 * state-dict keys are PyTorch's: `0.weight`, `0.bias`, `3.weight`, ...
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
 * model.forward(randn([5, 4])).shape; // [5, 2]
 * model[0]; // the first Linear
 */
export class Sequential extends ModuleList<Module> {
  constructor(...layers: Module[]) {
    super(layers);
  }

  override forward(input: Tensor): Tensor {
    let x = input;
    for (const layer of this) x = layer.forward(x);
    return x;
  }
}
