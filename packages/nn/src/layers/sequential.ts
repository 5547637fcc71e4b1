import type { Tensor } from '@tsgrad/autograd';
import { Module } from '../module.js';

/**
 * A chain of modules, each fed the previous one's output, as PyTorch's `nn.Sequential`.
 * The layers are stored as numbered fields (`model[0]`), so their state-dict keys are
 * PyTorch's: `0.weight`, `0.bias`, `3.weight`, ...
 *
 * @example
 * import { randn } from '@tsgrad/autograd';
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
 * model.forward(randn([5, 4])).shape; // [5, 2]
 * model[0]; // the first Linear
 */
export class Sequential extends Module {
  [index: number]: Module;
  /** The number of layers. */
  readonly length: number;

  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module`);
      this[i] = layer;
    });
    this.length = layers.length;
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (let i = 0; i < this.length; i++) x = this[i].forward(x);
    return x;
  }

  /** The layers in order. */
  *[Symbol.iterator](): Generator<Module> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }
}
