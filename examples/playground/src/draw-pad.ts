/**
 * The drawing area: strokes with a mouse, pen or finger (pointer events), read back as ink in
 * [0, 1]. A test image can be shown on it too (for keyboard users and tests).
 */

/** The stroke width in canvas pixels: about 2.5 MNIST pixels on a 280-pixel pad. */
const PEN = 22;

export class DrawPad {
  private last: [number, number] | null = null;
  private readonly ctx: CanvasRenderingContext2D;

  /**
   * Listens for strokes on `canvas`; `onInk` runs (at most once a frame) while drawing.
   *
   * @example
   * const pad = new DrawPad(canvas, () => classify(pad.ink()));
   */
  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onInk: () => void,
  ) {
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (ctx === null) throw new Error('DrawPad: the canvas has no 2d context');
    this.ctx = ctx;
    let frame = 0;
    const changed = (): void => {
      if (frame === 0) frame = requestAnimationFrame(() => ((frame = 0), this.onInk()));
    };
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
      changed();
    });
    canvas.addEventListener('pointermove', (e) => {
      if (this.last === null) return;
      const p = this.point(e);
      this.stroke(this.last, p);
      this.last = p;
      changed();
    });
    const end = (): void => {
      this.last = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  /** The pointer's position in canvas pixels (the canvas may be shown at another size). */
  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * this.canvas.width) / r.width, ((e.clientY - r.top) * this.canvas.height) / r.height];
  }

  private stroke([x0, y0]: [number, number], [x1, y1]: [number, number]): void {
    const { ctx } = this;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = PEN;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  }

  /**
   * Wipes the pad.
   *
   * @example
   * pad.clear();
   */
  clear(): void {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /**
   * Shows a 28x28 image (values in [0, 1], ink high) enlarged to fill the pad.
   *
   * @example
   * pad.show(pixels);
   */
  show(pixels: Float32Array): void {
    const small = new ImageData(28, 28);
    pixels.forEach((v, i) => (small.data[i * 4 + 3] = Math.round(255 * v))); // black ink, alpha = value
    const source = new OffscreenCanvas(28, 28);
    source.getContext('2d')?.putImageData(small, 0, 0);
    this.clear();
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(source, 0, 0, this.canvas.width, this.canvas.height);
  }

  /**
   * The ink at each canvas pixel in [0, 1] (its opacity), row-major.
   *
   * @example
   * const digit = centreDigit(pad.ink(), canvas.width, canvas.height);
   */
  ink(): Float32Array {
    const { data } = this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
    const out = new Float32Array(this.canvas.width * this.canvas.height);
    for (let i = 0; i < out.length; i++) out[i] = data[i * 4 + 3] / 255;
    return out;
  }
}
