// The study's Table 3 network, as the gpu tests and the browser page build it (the layer names
// match the PyTorch parity fixtures' state dict). Test support only: not exported by the package.
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';

/**
 * conv1 32@5x5 p1, ReLU, pool 2, conv2 64@5x5 s3 p1, ReLU, pool 4, flatten, linear 64 -> 10.
 *
 * @example
 * table3Net().parameters().length; // 6
 */
export function table3Net(): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
    new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
    new Flatten(), new Linear(64, 10));
}
