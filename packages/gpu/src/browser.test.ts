/**
 * The GL modes in a real browser: browser-page.ts is bundled with Vite, served on 127.0.0.1 with
 * the parity fixtures, and Debian's headless Chromium (driven by playwright-core) runs in it the
 * backend conformance suite and the Table 3 PyTorch parity check on gpu:webgl2 and gpu:webgl.
 * Headless Chromium has no GPU here: ANGLE over SwiftShader (a software Vulkan) gives WebGL2 with
 * float textures, which proves the shaders correct, not fast. Node asserts the returned numbers.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedReport, ConformanceReport, GpuChecks, ParityReport, StepReport } from './browser-page.js';
import type { GpuMode } from './runner.js';
import type { ModeAvailability } from './gl.js';
import { OPTIMIZER_CASES } from './kernels/optimizer-cases.js';

const CHROMIUM = '/usr/bin/chromium';
const packages = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(packages, 'nn/fixtures');

let tmp = '';
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

/** The page's `tsgradGpuChecks`, called in the page (playwright serializes arguments and results). */
const checks = {
  available: (mode: GpuMode): Promise<ModeAvailability> =>
    page.evaluate((m) => Reflect.get(globalThis, 'tsgradGpuChecks').available(m), mode),
  conformance: (mode: GpuMode): Promise<ConformanceReport> =>
    page.evaluate((m) => Reflect.get(globalThis, 'tsgradGpuChecks').conformance(m), mode),
  parity: (mode: GpuMode): Promise<ParityReport> =>
    page.evaluate((m) => Reflect.get(globalThis, 'tsgradGpuChecks').parity(m), mode),
  training: (mode: GpuMode, steps: number): Promise<StepReport[]> =>
    page.evaluate(([m, n]) => Reflect.get(globalThis, 'tsgradGpuChecks').training(m, n), [mode, steps] as const),
  optimizers: (mode: GpuMode): Promise<Record<string, number>> =>
    page.evaluate((m) => Reflect.get(globalThis, 'tsgradGpuChecks').optimizers(m), mode),
  captured: (mode: GpuMode, sizes: number[], more: number): Promise<CapturedReport> =>
    page.evaluate(([m, s, n]) => Reflect.get(globalThis, 'tsgradGpuChecks').captured(m, s, n), [mode, sizes, more] as const),
} satisfies GpuChecks;

// The parity check (about 50 s a mode on SwiftShader here) and the training check (about 15 s) run on
// webgl2 in CI; on webgl too with TSGRAD_GL_LONG=webgl2,webgl. TSGRAD_GL_MODES picks the modes at all.
const longModes = (process.env.TSGRAD_GL_LONG ?? 'webgl2').split(',');

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the GL modes' browser test needs Debian's chromium (apt-get install -y chromium; .ci/run does it)`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'tsgrad-gpu-browser-'));
  const src = (p: string): string => join(packages, p);
  await build({
    configFile: false,
    logLevel: 'warn',
    resolve: {
      alias: [
        { find: /^@tsgrad\/ndarray\/testing$/, replacement: src('ndarray/src/testing.ts') },
        { find: /^@tsgrad\/(ndarray|autograd|nn|optim|gpu)$/, replacement: src('$1/src/index.ts') },
      ],
    },
    build: {
      outDir: tmp,
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      lib: { entry: src('gpu/src/browser-page.ts'), formats: ['es'], fileName: () => 'page.js' },
    },
  });
  const files: Record<string, () => [string, Buffer]> = {
    '/': () => ['text/html', Buffer.from('<!doctype html><meta charset="utf-8"><title>tsgrad gpu</title><script type="module" src="/page.js"></script>')],
    '/page.js': () => ['text/javascript', readFileSync(join(tmp, 'page.js'))],
    '/fixtures/parity-init.safetensors': () => ['application/octet-stream', readFileSync(join(fixtures, 'parity-init.safetensors'))],
    '/fixtures/parity-expected.safetensors': () => ['application/octet-stream', readFileSync(join(fixtures, 'parity-expected.safetensors'))],
  };
  server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (file === undefined) {
      // the browser asks for /favicon.ico: no content, so that no 404 is logged as a console error
      res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    const [type, body] = file();
    res.writeHead(200, { 'content-type': type }).end(body);
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const address = listening.address();
  if (address === null || typeof address === 'string') throw new Error(`the page server has no port (${String(address)})`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // ANGLE on SwiftShader: WebGL2 with float textures and no GPU (no --disable-gpu, which turns WebGL off)
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await page.goto(`http://127.0.0.1:${address.port}/`);
  await page.waitForFunction(() => Reflect.has(globalThis, 'tsgradGpuChecks'), undefined, { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

for (const mode of (process.env.TSGRAD_GL_MODES ?? 'webgl2,webgl').split(',').filter((m): m is 'webgl2' | 'webgl' => m === 'webgl2' || m === 'webgl')) {
  describe(`gpu:${mode} in headless Chromium (SwiftShader)`, () => {
    it('is available, on a software renderer', async () => {
      const a = await checks.available(mode);
      console.log(`${mode}:`, a);
      expect(a.available, a.reason).toBe(true);
      expect(a.software, a.reason).toBe(true);
      expect(a.reason).toMatch(/SwiftShader/);
    });

    it('passes the backend conformance suite', async () => {
      const report = await checks.conformance(mode);
      const failures = report.cases.filter((c) => c.failure !== null).map((c) => `${c.name}: ${c.failure}`);
      console.log(`conformance gpu:${mode}: ${report.cases.length} cases, ${failures.length} failed, ${report.ms.toFixed(0)} ms; ${report.description}`);
      expect(report.backend).toBe(`gpu:${mode}`);
      expect(report.software).toBe(true);
      expect(report.description).toMatch(/SwiftShader/);
      expect(failures).toEqual([]);
      // the suite's float32/int32/bool cases (the float64 ones are skipped): as many as on webasm
      expect(report.cases.length).toBe(101);
      expect(problems).toEqual([]);
    }, 90_000);

    it('runs the fused optimizer updates (SGD, Adam, AdamW, RMSprop and their options) as the CPU backend does', async () => {
      const errors = await checks.optimizers(mode);
      console.log(`optimizers gpu:${mode} (max difference / max parameter):`, errors);
      expect(Object.keys(errors)).toEqual(Object.keys(OPTIMIZER_CASES));
      for (const [name, e] of Object.entries(errors)) expect(e, name).toBeLessThanOrEqual(1e-5);
      expect(problems).toEqual([]);
    }, 60_000);

    it.skipIf(!longModes.includes(mode))('matches PyTorch on the Table 3 network: loss 1e-5, gradients 1e-4, parameters 1e-5 (relative L2), every element 1e-4 of its tensor\'s max', async () => {
      const r = await checks.parity(mode);
      console.log(`parity gpu:${mode} (${r.ms.toFixed(0)} ms):`, JSON.stringify(r));
      expect(r.backend).toBe(`gpu:${mode}`);
      expect(r.loss).toHaveLength(3);
      for (const e of r.loss) expect(e).toBeLessThanOrEqual(1e-5);
      expect(Object.keys(r.grads)).toHaveLength(6);
      for (const [name, e] of Object.entries(r.grads)) {
        expect(e.l2, `grad ${name}`).toBeLessThanOrEqual(1e-4);
        expect(e.worst, `grad ${name}`).toBeLessThanOrEqual(1e-4);
      }
      expect(Object.keys(r.params)).toHaveLength(6);
      for (const [name, e] of Object.entries(r.params)) {
        expect(e.l2, `param ${name}`).toBeLessThanOrEqual(1e-5);
        expect(e.worst, `param ${name}`).toBeLessThanOrEqual(1e-4);
      }
      expect(problems).toEqual([]);
    }, 90_000);

    it.skipIf(!longModes.includes(mode))('trains with the data on the device: textures and arrays flat from step to step, few readbacks a step', async () => {
      const steps = await checks.training(mode, 5);
      console.log(`training gpu:${mode}:`, JSON.stringify(steps));
      expect(steps).toHaveLength(5);
      // the loss falls on this one batch (Adam, lr 1e-3): 2.300, 2.192, 2.114, 2.048, 1.984 here
      for (let i = 1; i < steps.length; i++) expect(steps[i].loss, `loss at step ${i}`).toBeLessThan(steps[i - 1].loss);
      // after the first step (Adam's state made, kernels compiled) nothing accumulates
      for (const s of steps.slice(2)) {
        expect(s.liveTextures, 'live textures').toBe(steps[1].liveTextures);
        expect(s.buffers, 'live arrays').toBe(steps[1].buffers);
      }
      // reads: the loss, and the labels' range check in the loss's gather; no activation comes back
      for (const s of steps.slice(1)) expect(s.reads, 'textures read back in a step').toBeLessThanOrEqual(4);
      expect(problems).toEqual([]);
    }, 90_000);

    it('runs a captured step (compileStep) on its textures: eager and CPU losses across a batch-size change, one readback a step, textures flat', async () => {
      // Table 3 with PyTorch's initial weights, Adam lr 1e-3: batches of 4, then 8 (a second plan), then 4 again;
      // then more replays of the last batch with nothing to compare but the textures (a shorter run on webgl)
      const long = mode === 'webgl2';
      const sizes = long ? [4, 4, 4, 8, 8, 8, 4, 4] : [4, 4, 4, 8, 8, 4];
      const more = long ? 6 : 2;
      const r = await checks.captured(mode, sizes, more);
      console.log(`captured gpu:${mode}:`, JSON.stringify(r));
      expect(r.backend).toBe(`gpu:${mode}`);
      expect(r.captured).toHaveLength(sizes.length + more);
      // step 0 is eager, the first batch of each size after it is recorded, every other step replays
      const replays = sizes.map((n, i) => i > 0 && sizes.indexOf(n, 1) !== i);
      expect(replays.filter((x) => x)).toHaveLength(sizes.length - 3);
      // the first replay of each plan (it uploads the plan's constants and the optimizer's zero stand-ins)
      const firsts = [4, 8].map((n) => sizes.findIndex((m, i) => replays[i] && m === n));
      const settled = Math.max(...firsts);
      for (let i = 0; i < sizes.length; i++) {
        const [c, e, cpu] = [r.captured[i], r.eager[i], r.cpu[i]];
        // the same kernels on the same textures as eager webgl: equal to float32 rounding (measured: identical)
        expect(Math.abs(c - e), `step ${i} (batch ${sizes[i]}): captured ${c}, eager ${e}`).toBeLessThanOrEqual(1e-6 * e);
        // against the CPU backend: float32 tolerance (measured: at most 7.5e-7 relative)
        expect(Math.abs(c - cpu), `step ${i} (batch ${sizes[i]}): captured ${c}, cpu ${cpu}`).toBeLessThanOrEqual(1e-5 * cpu);
      }
      // it trains: Adam on one batch of 4, repeated, lowers its loss at every step
      for (let i = sizes.length; i < r.captured.length; i++) expect(r.captured[i], `loss at step ${i}`).toBeLessThan(r.captured[i - 1]);
      // a replay uploads the batch (x, y) and reads back one number, the loss
      const all = [...replays, ...Array.from({ length: more }, () => true)];
      all.forEach((replay, i) => {
        if (!replay) return;
        expect(r.reads[i], `textures read back at step ${i}`).toBe(1);
        if (!firsts.includes(i)) expect(r.uploads[i], `uploads at step ${i}`).toBe(2);
      });
      // once both plans have replayed: the same live textures and arrays after every step (parameters, Adam's
      // moments, ndarray's scalar cache, each plan's constants and stand-ins), intermediates freed every step
      expect(r.modelTextures).toBe(6);
      expect(r.replayOnError).toBe(`compileStep: a model on gpu:${mode} replays on its own textures; replayOn is for models on gpu:webasm or gpu:cpu`);
      for (let i = settled + 1; i < r.captured.length; i++) {
        expect(r.liveTextures[i], `live textures after step ${i}`).toBe(r.liveTextures[settled]);
        expect(r.buffers[i], `live arrays after step ${i}`).toBe(r.buffers[settled]);
      }
      // the eager and recording steps before keep no more than that either
      for (let i = 0; i < settled; i++) expect(r.liveTextures[i]).toBeLessThanOrEqual(r.liveTextures[settled]);
      expect(problems).toEqual([]);
    }, 120_000);
  });
}
