/**
 * Stacks of small images (filters, feature maps) as one picture: tiles in a grid, each pixel
 * enlarged to a square. Weights use a diverging scale (red positive, blue negative, white 0);
 * activations a grey one (black 0, white the stack's largest value).
 */
import type { ImageStack } from './session.js';

/**
 * The RGBA pixels of `stack` laid out `columns` tiles wide with a 1-pixel gap, unscaled.
 *
 * @example
 * const { rgba, width, height } = stackToRgba(filters, 8, 'diverging');
 */
export function stackToRgba(stack: ImageStack, columns: number, scale: 'diverging' | 'grey'): { rgba: Uint8ClampedArray<ArrayBuffer>; width: number; height: number } {
  const cols = Math.max(1, Math.min(columns, stack.count));
  const rows = Math.ceil(stack.count / cols);
  const width = cols * (stack.width + 1) - 1;
  const height = rows * (stack.height + 1) - 1;
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255);
  const size = stack.width * stack.height;
  for (let t = 0; t < stack.count; t++) {
    const tile = stack.data.subarray(t * size, (t + 1) * size);
    // Each filter on its own scale (their sizes differ a lot); feature maps on the stack's one.
    let max = 1e-12;
    for (const v of scale === 'diverging' ? tile : stack.data) max = Math.max(max, Math.abs(v));
    const ox = (t % cols) * (stack.width + 1);
    const oy = Math.floor(t / cols) * (stack.height + 1);
    for (let y = 0; y < stack.height; y++) {
      for (let x = 0; x < stack.width; x++) {
        const v = tile[y * stack.width + x] / max;
        const o = ((oy + y) * width + ox + x) * 4;
        if (scale === 'grey') {
          rgba[o] = rgba[o + 1] = rgba[o + 2] = 255 * (1 - v); // ink dark, as on paper
        } else if (v >= 0) {
          rgba[o] = 255;
          rgba[o + 1] = rgba[o + 2] = 255 * (1 - v);
        } else {
          rgba[o] = rgba[o + 1] = 255 * (1 + v);
          rgba[o + 2] = 255;
        }
      }
    }
  }
  return { rgba, width, height };
}

/**
 * Draws `stack` into `canvas`, each pixel `zoom` screen pixels, resizing the canvas to fit.
 *
 * @example
 * drawStack(canvas, filters, { columns: 8, zoom: 8, scale: 'diverging' });
 */
export function drawStack(canvas: HTMLCanvasElement, stack: ImageStack, opts: { columns: number; zoom: number; scale: 'diverging' | 'grey' }): void {
  const { rgba, width, height } = stackToRgba(stack, opts.columns, opts.scale);
  const source = new OffscreenCanvas(width, height);
  const sctx = source.getContext('2d');
  const ctx = canvas.getContext('2d');
  if (sctx === null || ctx === null) return;
  sctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  canvas.width = width * opts.zoom;
  canvas.height = height * opts.zoom;
  ctx.imageSmoothingEnabled = false; // crisp squares, not a blur
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
}
