/**
 * Pan and zoom for a large picture (the autograd graph) inside a fixed viewport: the mouse wheel
 * zooms about the pointer, a drag (mouse, pen or finger) pans, and the keyboard does both: the
 * viewport takes focus (arrows pan, + and - zoom, 0 fits) and the zoom in, zoom out and fit
 * buttons are native buttons. The picture is moved with a CSS transform, so it stays sharp
 * (an SVG) and nothing is redrawn.
 */

/** Where the content is: a content point (cx, cy) shows at (x + cx * scale, y + cy * scale). */
export interface View {
  scale: number;
  x: number;
  y: number;
}

/** Zoom limits: a tenth of the size up to eight times. */
export const MIN_SCALE = 0.1;
export const MAX_SCALE = 8;

/** How much one zoom button press or key press zooms. */
export const ZOOM_STEP = 1.25;

const clampScale = (s: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

/**
 * The view zoomed by `factor` about the viewport point (px, py): the content point under it
 * stays under it. The scale is kept within [MIN_SCALE, MAX_SCALE].
 *
 * @example
 * zoomAt({ scale: 1, x: 0, y: 0 }, 2, 100, 50); // { scale: 2, x: -100, y: -50 }
 */
export function zoomAt(view: View, factor: number, px: number, py: number): View {
  if (!(Number.isFinite(factor) && factor > 0)) throw new RangeError(`zoomAt: the factor must be a number > 0, got ${factor}`);
  const scale = clampScale(view.scale * factor);
  const k = scale / view.scale;
  return { scale, x: px - (px - view.x) * k, y: py - (py - view.y) * k };
}

/**
 * The view moved by (dx, dy) viewport pixels.
 *
 * @example
 * panBy({ scale: 2, x: 0, y: 0 }, 10, -5); // { scale: 2, x: 10, y: -5 }
 */
export function panBy(view: View, dx: number, dy: number): View {
  return { scale: view.scale, x: view.x + dx, y: view.y + dy };
}

/**
 * The view that shows all of a content of `width` x `height` in the viewport, centred, never
 * enlarged beyond its own size (a small graph stays at 100 %).
 *
 * @example
 * fitView(2000, 1000, 500, 500); // { scale: 0.25, x: 0, y: 125 }
 */
export function fitView(width: number, height: number, viewportWidth: number, viewportHeight: number): View {
  if (!(width > 0 && height > 0)) throw new RangeError(`fitView: the content must have a size > 0, got ${width}x${height}`);
  const scale = clampScale(Math.min(1, viewportWidth / width, viewportHeight / height));
  return { scale, x: (viewportWidth - width * scale) / 2, y: (viewportHeight - height * scale) / 2 };
}

/** The controls a `PanZoom` drives (made by the page, so that they sit where its layout wants). */
export interface PanZoomControls {
  zoomIn: HTMLButtonElement;
  zoomOut: HTMLButtonElement;
  fit: HTMLButtonElement;
  /** Shows the zoom in percent. */
  level: HTMLOutputElement;
}

/** Keys the focused viewport answers, and what they do. */
const PAN_KEYS: Record<string, [number, number]> = { ArrowLeft: [40, 0], ArrowRight: [-40, 0], ArrowUp: [0, 40], ArrowDown: [0, -40] };

/**
 * Pan and zoom of `content` (absolutely placed, transform origin at its top left) inside
 * `viewport` (overflow hidden).
 *
 * @example
 * const pz = new PanZoom(viewport, content, { zoomIn, zoomOut, fit, level });
 * pz.show(img.naturalWidth, img.naturalHeight); // fitted
 */
export class PanZoom {
  private view: View = { scale: 1, x: 0, y: 0 };
  private size: [number, number] = [0, 0];
  private drag: { id: number; x: number; y: number } | undefined;

  constructor(
    private readonly viewport: HTMLElement,
    private readonly content: HTMLElement,
    private readonly controls: PanZoomControls,
  ) {
    viewport.addEventListener('wheel', (e) => {
      if (this.size[0] === 0) return;
      e.preventDefault(); // the page does not scroll while the pointer zooms the graph
      const box = viewport.getBoundingClientRect(); // the border box; the content sits inside the border
      const px = e.clientX - box.left - viewport.clientLeft, py = e.clientY - box.top - viewport.clientTop;
      this.set(zoomAt(this.view, Math.exp(-e.deltaY * 0.002), px, py));
    }, { passive: false });
    viewport.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
      viewport.setPointerCapture(e.pointerId);
      viewport.classList.add('dragging');
    });
    viewport.addEventListener('pointermove', (e) => {
      if (this.drag?.id !== e.pointerId) return;
      this.set(panBy(this.view, e.clientX - this.drag.x, e.clientY - this.drag.y));
      this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
    });
    const end = (e: PointerEvent): void => {
      if (this.drag?.id !== e.pointerId) return;
      this.drag = undefined;
      viewport.classList.remove('dragging');
    };
    viewport.addEventListener('pointerup', end);
    viewport.addEventListener('pointercancel', end);
    viewport.addEventListener('keydown', (e) => {
      const pan = PAN_KEYS[e.key];
      if (pan !== undefined) this.set(panBy(this.view, pan[0], pan[1]));
      else if (e.key === '+' || e.key === '=') this.zoomCentre(ZOOM_STEP);
      else if (e.key === '-') this.zoomCentre(1 / ZOOM_STEP);
      else if (e.key === '0') this.fit();
      else return;
      e.preventDefault();
    });
    controls.zoomIn.addEventListener('click', () => this.zoomCentre(ZOOM_STEP));
    controls.zoomOut.addEventListener('click', () => this.zoomCentre(1 / ZOOM_STEP));
    controls.fit.addEventListener('click', () => this.fit());
    this.enable(false);
  }

  /**
   * A new content of `width` x `height` pixels (at 100 %): fitted to the viewport, controls on.
   *
   * @example
   * img.onload = () => pz.show(img.naturalWidth, img.naturalHeight);
   */
  show(width: number, height: number): void {
    this.size = [width, height];
    this.enable(true);
    this.fit();
  }

  /** The current view (for tests and for the page's own use). */
  get current(): View {
    return { ...this.view };
  }

  private fit(): void {
    this.set(fitView(this.size[0], this.size[1], this.viewport.clientWidth, this.viewport.clientHeight));
  }

  private zoomCentre(factor: number): void {
    this.set(zoomAt(this.view, factor, this.viewport.clientWidth / 2, this.viewport.clientHeight / 2));
  }

  private enable(on: boolean): void {
    for (const b of [this.controls.zoomIn, this.controls.zoomOut, this.controls.fit]) b.disabled = !on;
  }

  private set(view: View): void {
    this.view = view;
    this.content.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    this.content.dataset.scale = String(view.scale);
    this.content.dataset.x = String(view.x);
    this.content.dataset.y = String(view.y);
    this.controls.level.value = `${Math.round(view.scale * 100)} %`;
    this.controls.zoomIn.disabled = this.size[0] === 0 || view.scale >= MAX_SCALE;
    this.controls.zoomOut.disabled = this.size[0] === 0 || view.scale <= MIN_SCALE;
  }
}
