import { describe, expect, it } from 'vitest';
import { fitView, MAX_SCALE, MIN_SCALE, panBy, zoomAt, type View } from './pan-zoom.js';

/** Where content point (cx, cy) shows in the viewport. */
const screen = (v: View, cx: number, cy: number): [number, number] => [v.x + cx * v.scale, v.y + cy * v.scale];

describe('pan and zoom', () => {
  it('zooms about the pointer: the content point under it stays under it', () => {
    const v: View = { scale: 0.5, x: 30, y: -20 };
    const z = zoomAt(v, 3, 120, 80);
    expect(z.scale).toBe(1.5);
    // The content point under (120, 80) before: ((120 - 30) / 0.5, (80 + 20) / 0.5) = (180, 200).
    const [sx, sy] = screen(z, 180, 200);
    expect(sx).toBeCloseTo(120, 10);
    expect(sy).toBeCloseTo(80, 10);
    expect(zoomAt(z, 1 / 3, 120, 80)).toEqual({ scale: 0.5, x: 30, y: -20 }); // and back
  });

  it('keeps the scale within its limits, and rejects a bad factor', () => {
    expect(zoomAt({ scale: 4, x: 0, y: 0 }, 10, 0, 0).scale).toBe(MAX_SCALE);
    expect(zoomAt({ scale: 0.2, x: 0, y: 0 }, 0.01, 0, 0).scale).toBe(MIN_SCALE);
    expect(() => zoomAt({ scale: 1, x: 0, y: 0 }, 0, 0, 0)).toThrow('zoomAt: the factor must be a number > 0, got 0');
  });

  it('pans by viewport pixels whatever the scale', () => {
    expect(panBy({ scale: 3, x: 5, y: 5 }, -15, 40)).toEqual({ scale: 3, x: -10, y: 45 });
  });

  it('fits a large picture, centred, and leaves a small one at 100 %', () => {
    expect(fitView(2000, 1000, 500, 500)).toEqual({ scale: 0.25, x: 0, y: 125 });
    expect(fitView(100, 50, 500, 300)).toEqual({ scale: 1, x: 200, y: 125 });
    expect(fitView(100000, 10, 500, 300).scale).toBe(MIN_SCALE); // not below the limit
    expect(() => fitView(0, 10, 500, 300)).toThrow('fitView: the content must have a size > 0, got 0x10');
  });
});
