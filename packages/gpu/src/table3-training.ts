// Test support: the Table 3 training set-up the gpu training tests share (training.test.ts,
// webgpu-training.test.ts), from the PyTorch parity fixtures. Not exported by the package.
import type { Backend, NDArray } from '@tsgrad/ndarray';
import { CrossEntropyLoss, load, type Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';
import { table3Net } from './table3-net.js';

const fixture = (name: string): string => new URL(`../../nn/fixtures/${name}`, import.meta.url).pathname;

/**
 * The parity fixtures: PyTorch's initial Table 3 weights (`init`) and 64 MNIST images (`data.x`,
 * uint8) with their labels (`data.y`).
 *
 * @example
 * const { init, data } = parityFixtures();
 * data.x.shape; // [64, 1, 28, 28]
 */
export function parityFixtures(): { init: Record<string, NDArray>; data: Record<string, NDArray> } {
  return { init: load(fixture('parity-init.safetensors')).tensors, data: load(fixture('parity-expected.safetensors')).tensors };
}

/** What a training test steps: the network, the fixture batch on its backend, the loss and the optimizer. */
export interface Table3Training {
  model: Sequential;
  images: NDArray;
  labels: NDArray;
  lossFn: CrossEntropyLoss;
  opt: Adam;
}

/**
 * The Table 3 network with `weights` on `backend`, the fixture's images (scaled to [0, 1]) and
 * labels moved there, cross-entropy and Adam with lr 1e-3.
 *
 * @example
 * const { init, data } = parityFixtures();
 * const { model, images } = table3Training(cpuBackend, init, data);
 * model.forward(fromNDArray(images.narrow(0, 0, 4))).shape; // [4, 10]
 */
export function table3Training(backend: Backend, weights: Record<string, NDArray>, data: Record<string, NDArray>): Table3Training {
  const model = table3Net().to(backend);
  model.loadStateDict(weights);
  return {
    model,
    images: data.x.astype('float32').div(255).to(backend),
    labels: data.y.to(backend),
    lossFn: new CrossEntropyLoss(),
    opt: new Adam(model.parameters(), { lr: 1e-3 }),
  };
}
