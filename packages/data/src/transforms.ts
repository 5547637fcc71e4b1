import { array, type NDArray } from '@tsgrad/ndarray';

/** A function from array to array, applied to a sample or to a whole batch. */
export type Transform = (x: NDArray) => NDArray;

/**
 * Converts to float32, scaling uint8 values from [0, 255] to [0, 1] (torchvision's `ToTensor`,
 * without its HWC to CHW move: our images are already channel-first). Other dtypes are only cast.
 *
 * @example
 * ```ts
 * import { array } from '@tsgrad/ndarray';
 * import { toTensor } from '@tsgrad/data';
 * toTensor(array(new Uint8Array([0, 51, 255]), { shape: [3] })).toArray(); // [0, 0.2, 1]
 * ```
 */
export function toTensor(x: NDArray): NDArray {
  const f = x.astype('float32');
  return x.dtype === 'uint8' ? f.div(255) : f;
}

/**
 * `(x - mean) / std` per channel, as torchvision's `Normalize`: with arrays of C values the
 * channel dimension is dim -3 (so it works on a [C,H,W] sample and on a [B,C,H,W] batch).
 *
 * @example
 * ```ts
 * import { array } from '@tsgrad/ndarray';
 * import { normalize } from '@tsgrad/data';
 * const mnistNorm = normalize([0.1307], [0.3081]);
 * mnistNorm(array([[[0.1307, 1]]])).toArray(); // [[[0, 2.8214...]]]
 * ```
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const means = typeof mean === 'number' ? [mean] : [...mean];
  const stds = typeof std === 'number' ? [std] : [...std];
  if (means.length !== stds.length) {
    throw new Error(`normalize: mean has ${means.length} values but std has ${stds.length}`);
  }
  if (stds.some((s) => s === 0)) {
    throw new Error(`normalize: std evaluated to zero (std = [${stds.join(', ')}]), leading to division by zero`);
  }
  const perChannel = typeof mean !== 'number' || typeof std !== 'number';
  return (x) => {
    const float = x.dtype === 'float64' ? 'float64' : 'float32';
    const xf = x.dtype === float ? x : x.astype(float);
    if (!perChannel) return xf.sub(means[0]).div(stds[0]);
    const c = means.length;
    const channels = x.ndim >= 3 ? x.shape[x.ndim - 3] : undefined;
    if (channels !== c && c !== 1) {
      throw new Error(
        `normalize: ${c} channel means for an array of shape [${x.shape.join(', ')}] ` +
          `(expected the channel dim -3 to have ${c} entries)`,
      );
    }
    const m = array(means, { shape: [c, 1, 1], dtype: float });
    const s = array(stds, { shape: [c, 1, 1], dtype: float });
    return xf.sub(m).div(s);
  };
}

/**
 * Applies transforms left to right, as torchvision's `Compose`.
 *
 * @example
 * ```ts
 * import { compose, toTensor, normalize } from '@tsgrad/data';
 * const transform = compose(toTensor, normalize([0.1307], [0.3081]));
 * ```
 */
export function compose(...transforms: Transform[]): Transform {
  return (x) => transforms.reduce((y, t) => t(y), x);
}
