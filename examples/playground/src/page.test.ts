/**
 * End to end, in a real browser: the page is built with Vite and served by `vite preview` on
 * 127.0.0.1, then Debian's headless Chromium (driven by playwright-core) loads it, trains a few
 * hundred steps, classifies a digit drawn with pointer events, draws the filters, the feature
 * maps and the autograd graph, saves and loads the model, and takes a screenshot.
 *
 * To redraw the README's screenshot (the Table 3 network, a longer run):
 *   TSGRAD_WRITE_DOCS=1 npx vitest run examples/playground/src/page.test.ts
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deserialize } from '@tsgrad/nn';
import { NET_KEY } from './session.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const writeDocs = process.env.TSGRAD_WRITE_DOCS === '1';
// The CI run trains the small Table 1 network; the README's picture shows Table 3 learning.
const run = writeDocs
  ? { preset: 'table3', steps: 500, screenshot: join(root, 'screenshot.png'), timeout: 1_500_000 }
  : { preset: 'table1', steps: 300, screenshot: '', timeout: 240_000 };

let tmp = '';
let server: PreviewServer | undefined;
let context: BrowserContext | undefined;
let page: Page;
let url = '';
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the playground's browser test needs Debian's chromium (apt-get install -y chromium; .ci/run does it)`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'tsgrad-playground-'));
  const configFile = join(root, 'vite.config.ts');
  const outDir = join(tmp, 'dist');
  await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  server = await preview({ root, configFile, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  url = server.resolvedUrls?.local[0] ?? '';
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`vite preview did not report a 127.0.0.1 URL: "${url}"`);
  context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    // No GPU here: WebGL2 comes from ANGLE over SwiftShader (software), enough to run the GL kernels;
    // WebGPU from Dawn's SwiftShader adapter (headless Chromium offers none without these flags).
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const text = async (selector: string): Promise<string> => (await page.textContent(selector))?.trim() ?? '';

describe('the playground in headless Chromium', () => {
  it('loads MNIST, cross-origin isolated, and builds the default network', async () => {
    const response = await page.goto(url);
    expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.waitForFunction(() => document.querySelector('#stat-params')?.textContent !== '-', undefined, { timeout: 60_000 });
    expect(await text('#status')).toMatch(/^A new model: 938 steps an epoch/);
    expect(await text('#stat-params')).toBe('52,746'); // Table 3, as the study counts it
    expect(await text('#backend')).toBe('Backend: cpu: CPU (JavaScript, main thread), fast kernels, in the training worker.');
    const options = await page.$$eval('#backend-choice option', (os) => os.map((o) => (o instanceof HTMLOptionElement ? [o.value, o.disabled] : [])));
    expect(options.slice(0, 2)).toEqual([['cpu', false], ['cpu-threads', false]]); // isolated: threads offered
    expect(await text('#backend-notes')).toMatch(/GPU\.js, WebGPU: navigator\.gpu present; a captured step replayed on the device/);
  }, 90_000);

  /** A new model on `backend`, trained until the loss curve has `points` points (10 steps each): their values. */
  const lossesOf = async (backend: string, points: number): Promise<number[]> => {
    await page.selectOption('#backend-choice', backend);
    await page.click('#apply');
    await page.waitForFunction((b) => document.querySelector('#backend')?.getAttribute('data-backend') === b
      && document.querySelector('#stat-step')?.textContent === '0', backend, { timeout: 30_000 });
    await page.click('#run');
    // On threads, also wait for a product run by a Web Worker (they start while the first steps
    // run on the training worker alone, with the same results).
    await page.waitForFunction((n) => Number(document.querySelector('#loss-chart')?.getAttribute('data-count')) >= n
      && (document.querySelector('#backend')?.getAttribute('data-backend') !== 'cpu-threads' || Number(document.querySelector('#backend')?.getAttribute('data-thread-jobs')) > 0),
    points, { timeout: 120_000, polling: 100 });
    await page.click('#run'); // pause
    await page.waitForFunction(() => document.querySelector('#run')?.getAttribute('aria-pressed') === 'false');
    const values = (await page.getAttribute('#loss-chart', 'data-values')) ?? '';
    return values.split(' ').slice(0, points).map(Number);
  };

  it('trains bit for bit the same on one CPU thread and on several (Web Workers on shared memory)', async () => {
    // The default run (Table 3, seed 0): 20 steps, two points of the loss curve, on each.
    const one = await lossesOf('cpu', 2);
    const threaded = await lossesOf('cpu-threads', 2);
    expect(await text('#backend')).toMatch(/^Backend: cpu: CPU \(JavaScript, main thread\), fast kernels, in the training worker and \d+ Web Workers?\.$/);
    expect(Number(await page.getAttribute('#backend', 'data-thread-jobs'))).toBeGreaterThan(0); // the Web Workers did run products
    expect(one[0]).toBeGreaterThan(2.0); // about ln 10 at the start
    expect(one[1]).toBeLessThan(one[0]);
    expect(threaded).toEqual(one); // tolerance 0: each product element is computed by one thread, in one order
  }, 150_000);

  it('trains on GPU.js WebGL2 (SwiftShader here) with the losses of the CPU backend', async () => {
    const webgl2 = await page.$eval('#backend-choice option[value="gpu-webgl2"]', (o) => (o instanceof HTMLOptionElement ? !o.disabled : false));
    expect(webgl2, `WebGL2 is not offered: ${await text('#backend-notes')}`).toBe(true);
    // Table 1, batches of 16: 20 steps on each backend.
    await page.selectOption('#preset', 'table1');
    await page.fill('#batch-size', '16');
    const cpu = await lossesOf('cpu', 2);
    const gl = await lossesOf('gpu-webgl2', 2);
    expect(await text('#backend')).toMatch(/^Backend: gpu:webgl2: .*SwiftShader.* \(a software renderer\), .*in the training worker\.$/);
    expect(cpu[0]).toBeGreaterThan(2.0);
    // float32 on both, summed in other orders: the means of 10 losses agree to 1e-5 (1e-7 measured).
    expect(Math.abs((gl[0] ?? NaN) - (cpu[0] ?? NaN))).toBeLessThan(1e-5);
    expect(Math.abs((gl[1] ?? NaN) - (cpu[1] ?? NaN))).toBeLessThan(1e-5);
    // Back to the defaults the next tests start from.
    await page.selectOption('#preset', 'table3');
    await page.fill('#batch-size', '64');
    await page.selectOption('#backend-choice', 'cpu');
  }, 300_000);

  it('trains on GPU.js WebGPU (a captured step replayed on SwiftShader) with the losses of the CPU backend', async () => {
    const offered = await page.$eval('#backend-choice option[value="gpu-webgpu"]', (o) => (o instanceof HTMLOptionElement ? !o.disabled : false));
    expect(offered, `WebGPU is not offered: ${await text('#backend-notes')}`).toBe(true);
    // Table 1, batches of 8: 20 steps on each backend (2 eager on gpu.js webasm, then 18 replays on the device).
    await page.selectOption('#preset', 'table1');
    await page.fill('#batch-size', '8');
    const cpu = await lossesOf('cpu', 2);
    const webgpu = await lossesOf('gpu-webgpu', 2);
    expect(await text('#backend')).toMatch(/^Backend: gpu:webgpu: .*swiftshader.* \(a software adapter\), a captured step replayed on the device \(recorded on gpu:webasm\), in the training worker\.$/);
    // 18 of the 20 steps replayed on the device (Table 1's step is some 40 launches)
    expect(Number(await page.getAttribute('#backend', 'data-device-launches'))).toBeGreaterThan(18 * 20);
    expect(cpu[0]).toBeGreaterThan(2.0);
    expect(cpu[1]).toBeLessThan(cpu[0] ?? NaN);
    // float32 on both, summed in other orders: the means of 10 losses agree to 1e-5.
    expect(Math.abs((webgpu[0] ?? NaN) - (cpu[0] ?? NaN))).toBeLessThan(1e-5);
    expect(Math.abs((webgpu[1] ?? NaN) - (cpu[1] ?? NaN))).toBeLessThan(1e-5);
    // The pause synced the parameters home: the filters drawn are the trained ones (no error shown).
    expect(problems).toEqual([]);
    await page.selectOption('#preset', 'table3');
    await page.fill('#batch-size', '64');
    await page.selectOption('#backend-choice', 'cpu');
  }, 300_000);

  it('shows shapes and parameters as a layer is edited, and an error where it does not fit', async () => {
    await page.fill('#pool2-kernel', '9');
    expect(await text('#layer-pool2 td:nth-of-type(2)')).toBe('does not fit: a 9x9 window does not fit the 64x4x4 input');
    expect(await text('#layer-error')).toBe('pool2: a 9x9 window does not fit the 64x4x4 input');
    expect(await page.isDisabled('#apply')).toBe(true);
    expect(await page.inputValue('#preset')).toBe('custom');
    await page.fill('#pool2-kernel', '2');
    await page.fill('#pool2-stride', '2');
    expect(await text('#layer-flatten td:nth-of-type(2)')).toBe('[256]'); // 64 x 2 x 2
    expect(await text('#layer-fc td:nth-of-type(3)')).toBe('2,570');
    await page.selectOption('#preset', run.preset);
    expect(await page.isDisabled('#apply')).toBe(false);
  });

  it(`trains ${run.steps} steps from the keyboard with the loss going down`, async () => {
    await page.click('#apply');
    const params = run.preset === 'table1' ? '144' : '52,746';
    await page.waitForFunction((p) => document.querySelector('#stat-params')?.textContent === p, params);
    await page.focus('#run');
    await page.keyboard.press('Enter');
    expect(await text('#stat-lr')).toBe('0.001');
    // Halfway, a new learning rate, typed while it trains: the next steps use it.
    await page.waitForFunction((n) => Number(document.querySelector('#stat-step')?.textContent) >= n, run.steps / 2, { timeout: run.timeout, polling: 200 });
    await page.fill('#lr', '0.002');
    await page.press('#lr', 'Tab');
    await page.waitForFunction((n) => Number(document.querySelector('#stat-step')?.textContent) >= n, run.steps, { timeout: run.timeout, polling: 200 });
    expect(await text('#stat-lr')).toBe('0.002');
    await page.focus('#run');
    await page.keyboard.press('Space'); // pause
    await page.waitForFunction(() => document.querySelector('#run')?.getAttribute('aria-pressed') === 'false');
    const chart = await page.$eval('#loss-chart', (c) => ({ ...(c instanceof HTMLElement ? c.dataset : {}) }));
    const first = Number(chart.first);
    const last = Number(chart.last);
    expect(first).toBeGreaterThan(2.0); // about ln 10 = 2.30 at the start
    expect(last).toBeLessThan(first - 0.1);
    expect(Number(chart.count)).toBeGreaterThanOrEqual(run.steps / 10);
    expect(Number(await text('#stat-rate'))).toBeGreaterThan(0);
    expect(await text('#stat-eta')).toMatch(/^\d+:\d\d$|^\d+h \d+m$/);
    expect(await text('#stat-epoch')).toMatch(/^1 \/ 2 \(step \d+ of 938\)$/);
    const accuracy = await page.$eval('#accuracy-chart', (c) => (c instanceof HTMLElement ? Number(c.dataset.count) : 0));
    expect(accuracy).toBeGreaterThanOrEqual(Math.floor(run.steps / 100));
    expect(await text('#stat-accuracy')).toMatch(/^\d+\.\d\d % \(1,000 images, step \d+00\)$/);
  }, run.timeout + 60_000);

  it('classifies a digit drawn with pointer events', async () => {
    await page.locator('#pad').scrollIntoViewIfNeeded(); // the mouse moves in the viewport's coordinates
    const box = await page.locator('#pad').boundingBox();
    if (box === null) throw new Error('the drawing pad is not visible');
    // A "7": a bar across the top, then a stroke down to the left.
    const at = (x: number, y: number): [number, number] => [box.x + x * box.width, box.y + y * box.height];
    await page.mouse.move(...at(0.3, 0.25));
    await page.mouse.down();
    for (const [x, y] of [[0.45, 0.25], [0.7, 0.25], [0.62, 0.45], [0.55, 0.6], [0.48, 0.78]] as const) {
      await page.mouse.move(...at(x, y), { steps: 5 });
    }
    await page.mouse.up();
    await page.waitForFunction(() => /^\d$/.test(document.querySelector('#prediction')?.textContent ?? ''));
    const pcts = await page.$$eval('#probabilities .pct', (els) => els.map((e) => Number.parseFloat(e.textContent ?? '')));
    expect(pcts).toHaveLength(10);
    expect(pcts.reduce((s, v) => s + v, 0)).toBeCloseTo(100, 0);
    const best = Number(await text('#prediction'));
    expect(Math.max(...pcts)).toBe(pcts[best]);
    // What the network sees: a 28x28 picture with ink in it.
    expect(await inkedPixels('#seen')).toBeGreaterThan(100);
  });

  it('renders the conv1 filters and the drawn digit\'s feature maps', async () => {
    const filters = await page.$eval('#filters', (c) => (c instanceof HTMLCanvasElement ? [c.width, c.height] : [0, 0]));
    expect(filters[0]).toBeGreaterThan(20);
    expect(await distinctColours('#filters')).toBeGreaterThan(5);
    expect(await distinctColours('#maps')).toBeGreaterThan(5);
    expect(await page.getAttribute('#filters', 'aria-label')).toBe(run.preset === 'table1' ? '4 conv1 filters, 3x3' : '32 conv1 filters, 5x5');
  });

  it('draws the autograd graph of one step', async () => {
    await page.click('#graph');
    await page.waitForFunction(() => {
      const img = document.querySelector('#graph-view img');
      return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 100;
    }, undefined, { timeout: 30_000 });
  });

  it('pans and zooms the graph with the wheel, a drag, the buttons and the keyboard', async () => {
    const view = async (): Promise<number[]> =>
      page.$eval('#graph-content', (c) => (c instanceof HTMLElement ? [Number(c.dataset.scale), Number(c.dataset.x), Number(c.dataset.y)] : []));
    const [fitted] = await view();
    expect(fitted).toBeGreaterThan(0);
    expect(fitted).toBeLessThanOrEqual(1); // fitted: the whole graph in view, never enlarged
    expect(await text('#graph-zoom')).toBe(`${Math.round(fitted * 100)} %`);
    await page.click('#graph-zoom-in');
    expect((await view())[0]).toBeCloseTo(fitted * 1.25, 10);
    await page.click('#graph-zoom-out');
    expect((await view())[0]).toBeCloseTo(fitted, 10);
    // The wheel zooms in about the pointer, which keeps the content point under it.
    await page.locator('#graph-view').scrollIntoViewIfNeeded();
    const box = await page.locator('#graph-view').boundingBox();
    if (box === null) throw new Error('the graph view is not visible');
    const [s0, x0, y0] = await view();
    const border = await page.$eval('#graph-view', (el) => el.clientLeft); // the content's origin is inside it
    const [mx, my] = [Math.round(box.x + box.width / 3), Math.round(box.y + box.height / 2)]; // whole pixels, as events have
    const [px, py] = [mx - box.x - border, my - box.y - border];
    await page.mouse.move(mx, my);
    await page.mouse.wheel(0, -200);
    await page.waitForFunction((s) => Number(document.querySelector<HTMLElement>('#graph-content')?.dataset.scale) > s, s0);
    const [s1, x1, y1] = await view();
    expect(s1).toBeCloseTo(s0 * Math.exp(0.4), 6);
    expect((px - x1) / s1).toBeCloseTo((px - x0) / s0, 6);
    expect((py - y1) / s1).toBeCloseTo((py - y0) / s0, 6);
    // A drag pans by as many pixels.
    await page.mouse.down();
    await page.mouse.move(mx + 50, my - 30, { steps: 4 });
    await page.mouse.up();
    const [, x2, y2] = await view();
    expect([x2 - x1, y2 - y1]).toEqual([50, -30]);
    // The keyboard: arrows pan, 0 fits again.
    await page.focus('#graph-view');
    await page.keyboard.press('ArrowLeft');
    expect((await view())[1]).toBe(x2 + 40);
    await page.keyboard.press('0');
    expect((await view())[0]).toBe(fitted);
  });

  it('takes a screenshot', async () => {
    await page.locator('#graph-view').blur(); // no focus ring in the picture
    const file = run.screenshot || join(tmp, 'playground.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('saves the model as safetensors and loads it back', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const path = await download.path();
    const { tensors, metadata } = deserialize(new Uint8Array(readFileSync(path)), { source: path });
    expect(Object.keys(tensors).sort()).toEqual(['0.bias', '0.weight', '3.bias', '3.weight', '7.bias', '7.weight']);
    expect(JSON.parse(metadata[NET_KEY] ?? '{}').conv1.outChannels).toBe(run.preset === 'table1' ? 4 : 32);
    expect(Number(metadata.step)).toBeGreaterThanOrEqual(run.steps);
    await page.setInputFiles('#load-file', path);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Loaded '));
    // The same weights classify the drawing the same way.
    await page.click('#clear');
    await page.click('#test-digit');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Test image 0: its label is 7'));
    await page.waitForFunction(() => /^\d$/.test(document.querySelector('#prediction')?.textContent ?? ''));
  });

  it('works offline once loaded: reloaded with no network, from the service worker, still isolated, it trains', async () => {
    await page.waitForFunction(() => document.querySelector('#offline')?.textContent?.startsWith('Works offline'), undefined, { timeout: 60_000 }).catch(async (e: unknown) => {
      const workers = await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).map((r) => [r.installing?.state, r.waiting?.state, r.active?.state]));
      throw new Error(`the page never said it works offline: "${await text('#offline')}", service workers ${JSON.stringify(workers)} (${String(e)})`);
    });
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');
    await context?.setOffline(true);
    await server?.close(); // no server either: nothing can come from the network
    server = undefined;
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp'); // the cached copy keeps the headers
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.waitForFunction(() => document.querySelector('#stat-params')?.textContent !== '-', undefined, { timeout: 60_000 });
    expect(await text('#status')).toMatch(/^A new model: 938 steps an epoch/); // MNIST came from the cache
    await page.selectOption('#preset', 'table1');
    await page.click('#apply');
    await page.waitForFunction(() => document.querySelector('#stat-params')?.textContent === '144');
    await page.click('#run');
    await page.waitForFunction(() => Number(document.querySelector('#stat-step')?.textContent) >= 20, undefined, { timeout: 60_000, polling: 100 });
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#run')?.getAttribute('aria-pressed') === 'false');
    expect(Number(await page.getAttribute('#loss-chart', 'data-first'))).toBeGreaterThan(2.0);
  }, 150_000);

  it('shows no errors on the page', () => {
    expect(problems).toEqual([]);
  });
});

/** How many pixels of a canvas are not white. */
function inkedPixels(selector: string): Promise<number> {
  return page.$eval(selector, (c) => {
    if (!(c instanceof HTMLCanvasElement)) return 0;
    const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 250) n++;
    return n;
  });
}

/** How many different colours a canvas shows. */
function distinctColours(selector: string): Promise<number> {
  return page.$eval(selector, (c) => {
    if (!(c instanceof HTMLCanvasElement)) return 0;
    const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
}
