/**
 * A drawn digit made to look like an MNIST one. MNIST's recipe (LeCun et al.): the digit is
 * scaled, keeping its aspect ratio, to fit a 20x20 box (anti-aliased, so grey edges), then put in
 * a 28x28 field so that its centre of mass lies at the field's centre. Values are in [0, 1],
 * ink high, as `ToTensor` gives for MNIST, with the darkest pixel at 1.
 */

/** MNIST's field and the box its digits are scaled to fit. */
export const FIELD = 28;
export const BOX = 20;

/** Ink above this counts when finding the bounding box: any, as MNIST kept every grey edge pixel. */
const INK = 0;

/**
 * A `width` x `height` image of ink in [0, 1] (row-major) as a 28x28 MNIST-like digit, or
 * `null` when nothing is drawn.
 *
 * @example
 * const pixels = centreDigit(ink, 280, 280); // Float32Array(784), ready for the network
 */
export function centreDigit(ink: Float32Array, width: number, height: number): Float32Array | null {
  if (ink.length !== width * height) throw new RangeError(`centreDigit: ${ink.length} values for a ${width}x${height} image`);
  const box = boundingBox(ink, width, height);
  if (box === null) return null;
  const scale = BOX / Math.max(box.width, box.height);
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const small = resampleArea(ink, width, box, w, h);

  // Centre of mass in pixel indices, put on index 14 as MNIST's digits are (their mean is 14.0).
  let mass = 0;
  let mx = 0;
  let my = 0;
  let peak = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small[y * w + x];
      mass += v;
      mx += v * x;
      my += v * y;
      peak = Math.max(peak, v);
    }
  }
  const clamp = (v: number, hi: number): number => Math.min(Math.max(v, 0), hi);
  const ox = clamp(Math.round(FIELD / 2 - mx / mass), FIELD - w);
  const oy = clamp(Math.round(FIELD / 2 - my / mass), FIELD - h);
  const out = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[(oy + y) * FIELD + ox + x] = small[y * w + x] / peak;
  }
  return out;
}

/**
 * The smallest rectangle holding every pixel with ink, or null when there is none.
 *
 * @example
 * boundingBox(Float32Array.of(0, 0, 0, 1), 2, 2); // { x: 1, y: 1, width: 1, height: 1 }
 */
export function boundingBox(ink: Float32Array, width: number, height: number): { x: number; y: number; width: number; height: number } | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > INK) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * The rectangle `box` of `image` resampled to `w` x `h` by area: each output pixel is the mean of
 * the input it covers, partly covered pixels weighted by the part (the anti-aliasing of MNIST's
 * grey edges). One dimension at a time.
 */
function resampleArea(
  image: Float32Array,
  stride: number,
  box: { x: number; y: number; width: number; height: number },
  w: number,
  h: number,
): Float32Array {
  const rows = new Float32Array(box.height * w); // each row of the box, resampled to w
  for (let y = 0; y < box.height; y++) {
    const from = (box.y + y) * stride + box.x;
    resample1d(image.subarray(from, from + box.width), rows.subarray(y * w, (y + 1) * w), 1, 1);
  }
  const out = new Float32Array(w * h);
  for (let x = 0; x < w; x++) resample1d(rows.subarray(x), out.subarray(x), w, w, box.height, h);
  return out;
}

/**
 * Area resampling along one line: `n` inputs (`src[i * srcStep]`) onto `m` outputs
 * (`dst[j * dstStep]`). Output j covers inputs [j n/m, (j+1) n/m).
 */
function resample1d(src: Float32Array, dst: Float32Array, srcStep: number, dstStep: number, n = src.length, m = dst.length): void {
  const span = n / m;
  for (let j = 0; j < m; j++) {
    const lo = j * span;
    const hi = lo + span;
    let sum = 0;
    for (let i = Math.floor(lo); i < Math.min(n, Math.ceil(hi)); i++) {
      sum += src[i * srcStep] * (Math.min(hi, i + 1) - Math.max(lo, i));
    }
    dst[j * dstStep] = sum / span;
  }
}
