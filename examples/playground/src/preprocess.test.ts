import { describe, expect, it } from 'vitest';
import { MNIST } from '@tsgrad/mnist';
import { boundingBox, centreDigit, FIELD } from './preprocess.js';

/** `digit` (28x28) drawn 10 times larger at (left, top) of a `size` x `size` canvas. */
function drawnLarge(digit: Float32Array, left: number, top: number, size = 400): Float32Array {
  const canvas = new Float32Array(size * size);
  for (let y = 0; y < 28 * 10; y++) {
    for (let x = 0; x < 28 * 10; x++) canvas[(top + y) * size + left + x] = digit[Math.floor(y / 10) * 28 + Math.floor(x / 10)];
  }
  return canvas;
}

const centreOfMass = (img: Float32Array): [number, number] => {
  let m = 0;
  let cx = 0;
  let cy = 0;
  img.forEach((v, i) => {
    m += v;
    cx += v * (i % FIELD);
    cy += v * Math.floor(i / FIELD);
  });
  return [cx / m, cy / m];
};

describe('centreDigit', () => {
  const test = new MNIST({ train: false });

  it('gives back MNIST test digits drawn 10x larger anywhere on a canvas (MNIST is made this way)', () => {
    let exact = 0;
    for (let i = 0; i < 50; i++) {
      const digit = test.get(i)[0].toTypedArray();
      if (!(digit instanceof Float32Array)) throw new Error('expected float32 pixels');
      const box = boundingBox(digit, 28, 28);
      if (box === null || Math.max(box.width, box.height) !== 20) continue; // faint corners make a few 21 or 19 wide
      const peak = Math.max(...digit);
      const out = centreDigit(drawnLarge(digit, 13 + i, 97 - i), 400, 400);
      if (out === null) throw new Error(`digit ${i}: nothing found`);
      // The same pixels, scaled to a peak of 1; MNIST rounded the centre its own way, so allow one pixel of shift.
      let best = Infinity;
      for (const [dx, dy] of [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]]) {
        let worst = 0;
        for (let y = 0; y < 28; y++) {
          for (let x = 0; x < 28; x++) {
            const sx = x + dx;
            const sy = y + dy;
            const want = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? digit[sy * 28 + sx] / peak : 0;
            worst = Math.max(worst, Math.abs(out[y * 28 + x] - want));
          }
        }
        best = Math.min(best, worst);
      }
      expect({ i, best }).toEqual({ i, best: expect.closeTo(0, 5) });
      exact++;
    }
    expect(exact).toBeGreaterThan(25);
  });

  it('scales a digit to fit 20x20 keeping its aspect ratio, centres its mass, peaks at 1', () => {
    // A thick bar, 40 wide and 120 high, in the top-left corner of a 300x200 canvas.
    const ink = new Float32Array(300 * 200);
    for (let y = 5; y < 125; y++) for (let x = 10; x < 50; x++) ink[y * 300 + x] = 0.7;
    const out = centreDigit(ink, 300, 200);
    if (out === null) throw new Error('nothing found');
    expect(boundingBox(out, 28, 28)).toEqual({ x: 11, y: 5, width: 7, height: 20 }); // 40x120 -> 6.67x20, rounded to 7
    const [cx, cy] = centreOfMass(out);
    expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...out)).toBe(1);
    expect(Math.min(...out)).toBe(0);
  });

  it('returns null for an empty canvas and names a wrong size', () => {
    expect(centreDigit(new Float32Array(100), 10, 10)).toBeNull();
    expect(() => centreDigit(new Float32Array(99), 10, 10)).toThrow('centreDigit: 99 values for a 10x10 image');
  });
});
