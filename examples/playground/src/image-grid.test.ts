import { describe, expect, it } from 'vitest';
import { stackToRgba } from './image-grid.js';

/** The [r, g, b] of pixel (x, y). */
const rgb = (img: { rgba: Uint8ClampedArray; width: number }, x: number, y: number): number[] =>
  Array.from(img.rgba.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));

describe('stackToRgba', () => {
  // Three 2x2 tiles.
  const stack = { count: 3, height: 2, width: 2, data: Float32Array.of(2, -2, 1, 0, 0.5, 0, 0, -0.25, 4, 4, 4, 4) };

  it('lays tiles out in a grid with 1-pixel white gaps', () => {
    const img = stackToRgba(stack, 2, 'grey');
    expect([img.width, img.height]).toEqual([5, 5]); // 2 columns, 2 rows
    expect(rgb(img, 2, 0)).toEqual([255, 255, 255]); // the gap
    expect(rgb(img, 4, 4)).toEqual([255, 255, 255]); // the empty fourth place
    expect(img.rgba.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true); // opaque
  });

  it('scales each filter on its own, red positive and blue negative', () => {
    const img = stackToRgba(stack, 3, 'diverging');
    expect(rgb(img, 0, 0)).toEqual([255, 0, 0]); // 2 of max |2|: full red
    expect(rgb(img, 1, 0)).toEqual([0, 0, 255]); // -2: full blue
    expect(rgb(img, 0, 1)).toEqual([255, 128, 128]); // 1 of 2: half red (127.5 rounds up)
    expect(rgb(img, 1, 1)).toEqual([255, 255, 255]); // 0: white
    expect(rgb(img, 3, 0)).toEqual([255, 0, 0]); // 0.5 is the second tile's max
    expect(rgb(img, 4, 1)).toEqual([128, 128, 255]); // -0.25 of 0.5: half blue
  });

  it('scales feature maps on the stack\'s largest value, dark ink on white', () => {
    const img = stackToRgba(stack, 3, 'grey');
    expect(rgb(img, 6, 0)).toEqual([0, 0, 0]); // 4 of 4
    expect(rgb(img, 0, 0)).toEqual([128, 128, 128]); // 2 of 4
    expect(rgb(img, 1, 1)).toEqual([255, 255, 255]); // 0
  });
});
