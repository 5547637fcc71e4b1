/**
 * Parameter initialisation, with PyTorch's formulas and defaults (`torch.nn.init`). Each function
 * overwrites `tensor.data` with fresh values of the same shape and dtype and returns the tensor.
 * Random ones draw from the ndarray generator (`manualSeed`, or a `generator` of your own), so a seed
 * gives the same network on every platform (not PyTorch's numbers: the generators differ).
 */
import { full, normal as normalArray, uniform as uniformArray } from '@tsgrad/ndarray';
import type { Generator } from '@tsgrad/ndarray';
import type { Tensor } from '@tsgrad/autograd';

/** Nonlinearities `calculateGain` knows. */
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** Which fan the Kaiming initialisers preserve: the forward pass's variance (`fan_in`) or the backward's. */
export type FanMode = 'fan_in' | 'fan_out';

/** The optional source of randomness shared by the random initialisers. */
export interface InitOptions {
  generator?: Generator;
}

/**
 * The recommended gain for a nonlinearity (PyTorch's table): 1 for linear, conv and sigmoid, 5/3 for tanh,
 * sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope defaults to 0.01), 3/4 for selu.
 *
 * @example
 * calculateGain('relu'); // 1.4142135623730951
 * calculateGain('leaky_relu', Math.sqrt(5)); // sqrt(1/3): what Linear and Conv2d use
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new Error(`negative_slope ${slope} not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`Unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/**
 * Fan-in and fan-out of a weight: `[out, in, ...kernel]` gives fanIn = in * prod(kernel),
 * fanOut = out * prod(kernel). A grouped conv's weight is `[out, in/groups, kh, kw]`, so groups count.
 *
 * @example
 * calculateFanInAndFanOut([32, 1, 5, 5]); // { fanIn: 25, fanOut: 800 }
 */
export function calculateFanInAndFanOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new Error(`Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape [${shape.join(', ')}])`);
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function fanFor(shape: readonly number[], mode: FanMode): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape);
  if (mode === 'fan_in') return fanIn;
  if (mode === 'fan_out') return fanOut;
  throw new Error(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
}

function checkFloat(tensor: Tensor, fn: string): void {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'float64') {
    throw new Error(`${fn}: expected a float32 or float64 tensor, got ${tensor.dtype}`);
  }
}

/**
 * Fills with U(a, b).
 *
 * @example
 * import { zeros } from '@tsgrad/ndarray';
 * uniform_(new Parameter(zeros([3, 4])), -0.1, 0.1);
 */
export function uniform_<T extends Tensor>(tensor: T, a = 0, b = 1, { generator }: InitOptions = {}): T {
  checkFloat(tensor, 'uniform_');
  if (!(a <= b)) throw new Error(`uniform_: expected a <= b, got a=${a} and b=${b}`);
  tensor.data = uniformArray(tensor.shape, a, b, { dtype: tensor.dtype, generator });
  return tensor;
}

/**
 * Fills with N(mean, std^2).
 *
 * @example
 * import { zeros } from '@tsgrad/ndarray';
 * normal_(new Parameter(zeros([3, 4])), 0, 0.02);
 */
export function normal_<T extends Tensor>(tensor: T, mean = 0, std = 1, { generator }: InitOptions = {}): T {
  checkFloat(tensor, 'normal_');
  if (!(std >= 0)) throw new Error(`normal_: expected std >= 0, got ${std}`);
  tensor.data = normalArray(tensor.shape, mean, std, { dtype: tensor.dtype, generator });
  return tensor;
}

/**
 * Fills with a constant.
 *
 * @example
 * import { zeros } from '@tsgrad/ndarray';
 * constant_(new Parameter(zeros([3])), 0.5);
 */
export function constant_<T extends Tensor>(tensor: T, value: number): T {
  tensor.data = full(tensor.shape, value, tensor.dtype);
  return tensor;
}

/**
 * Fills with zeros.
 *
 * @example
 * const linear = new Linear(4, 2);
 * zeros_(linear.bias!);
 */
export function zeros_<T extends Tensor>(tensor: T): T {
  return constant_(tensor, 0);
}

/**
 * Fills with ones.
 *
 * @example
 * const batchNorm = new BatchNorm2d(3);
 * ones_(batchNorm.weight!);
 */
export function ones_<T extends Tensor>(tensor: T): T {
  return constant_(tensor, 1);
}

/** Options of the Kaiming initialisers; PyTorch's defaults: a = 0, fan_in, leaky_relu. */
export interface KaimingOptions extends InitOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

/**
 * He et al. (2015), uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan). Linear and Conv2d
 * use `a = sqrt(5)`, which makes bound = 1/sqrt(fanIn).
 *
 * @example
 * const conv = new Conv2d(1, 8, 3);
 * kaimingUniform_(conv.weight, { a: Math.sqrt(5) });
 */
export function kaimingUniform_<T extends Tensor>(
  tensor: T, { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu', generator }: KaimingOptions = {},
): T {
  const fan = fanFor(tensor.shape, mode);
  if (fan === 0) throw new Error(`kaimingUniform_: can't initialise an empty tensor of shape [${tensor.shape.join(', ')}]`);
  const std = calculateGain(nonlinearity, a) / Math.sqrt(fan);
  const bound = Math.sqrt(3) * std; // a uniform on [-b, b] has standard deviation b / sqrt(3)
  return uniform_(tensor, -bound, bound, { generator });
}

/**
 * He et al. (2015), normal: N(0, std^2) with std = gain / sqrt(fan).
 *
 * @example
 * const conv = new Conv2d(1, 8, 3);
 * kaimingNormal_(conv.weight, { mode: 'fan_out', nonlinearity: 'relu' });
 */
export function kaimingNormal_<T extends Tensor>(
  tensor: T, { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu', generator }: KaimingOptions = {},
): T {
  const fan = fanFor(tensor.shape, mode);
  if (fan === 0) throw new Error(`kaimingNormal_: can't initialise an empty tensor of shape [${tensor.shape.join(', ')}]`);
  return normal_(tensor, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan), { generator });
}

/**
 * Glorot and Bengio (2010), uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)).
 *
 * @example
 * const linear = new Linear(4, 2);
 * xavierUniform_(linear.weight);
 */
export function xavierUniform_<T extends Tensor>(tensor: T, gain = 1, { generator }: InitOptions = {}): T {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor.shape);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(tensor, -a, a, { generator });
}

/**
 * Glorot and Bengio (2010), normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)).
 *
 * @example
 * const linear = new Linear(4, 2);
 * xavierNormal_(linear.weight);
 */
export function xavierNormal_<T extends Tensor>(tensor: T, gain = 1, { generator }: InitOptions = {}): T {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor.shape);
  return normal_(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), { generator });
}
