/**
 * The CPU threads in a real browser, from the library's own build (`dist/`, what tsup writes and
 * npm publishes; `npm test` builds it first): a page sent with COOP/COEP starts a module worker
 * that imports `dist/index.js` as it is (no bundler), turns on two threads and multiplies two
 * 512x512 matrices; the Web Workers must have run blocks, and the product must be bit for bit the
 * one thread's. Debian's headless Chromium, through playwright-core (as the playground's test).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const dist = fileURLToPath(new URL('../../../dist/', import.meta.url));

// The worker: one product on one thread, then on two until the Web Workers have started and run a block.
const WORKER = `
import { manualSeed, randn, setCpuThreads, workerError, workerJobs } from '/dist/index.js';
const product = () => { manualSeed(1); return randn([512, 512]).matmul(randn([512, 512])).toTypedArray(); };
setCpuThreads(1);
const one = product();
setCpuThreads(2);
let two = product();
for (const t0 = Date.now(); workerJobs() === 0 && Date.now() - t0 < 20000;) {
  await new Promise((r) => setTimeout(r, 20)); // the Web Workers start when this worker's event loop turns
  two = product();
}
let differing = 0;
for (let i = 0; i < one.length; i++) if (one[i] !== two[i]) differing++;
postMessage({ isolated: crossOriginIsolated, jobs: workerJobs(), error: workerError() ?? null, elements: one.length, differing });
`;
const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
const w = new Worker('/worker.js', { type: 'module' });
w.onmessage = (e) => { window.result = e.data; };
w.onerror = (e) => { window.result = { failed: e.message }; };
</script>`;

let server: Server | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: this test needs Debian's chromium (apt-get install -y chromium; .ci/run does it)`);
  if (!existsSync(join(dist, 'index.js'))) throw new Error(`${dist}index.js is missing: build the package first (npm run build; npm test does)`);
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    const file = url.startsWith('/dist/') ? join(dist, url.slice('/dist/'.length)) : '';
    if (url === '/') res.writeHead(200, { ...isolation, 'Content-Type': 'text/html' }).end(PAGE);
    else if (url === '/worker.js') res.writeHead(200, { ...isolation, 'Content-Type': 'text/javascript' }).end(WORKER);
    else if (file !== '' && !file.includes('..') && existsSync(file)) res.writeHead(200, { ...isolation, 'Content-Type': 'text/javascript' }).end(readFileSync(file));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('CPU threads in a browser worker, from the published build', () => {
  it('run the product on Web Workers, bit for bit as on one thread', async () => {
    if (browser === undefined || server === undefined) throw new Error('the browser or the server did not start');
    const page = await browser.newPage();
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error(`the server has no TCP address: ${String(address)}`);
    await page.goto(`http://127.0.0.1:${address.port}/`);
    const handle = await page.waitForFunction(() => Reflect.get(window, 'result'), undefined, { timeout: 60_000 });
    const result: unknown = await handle.jsonValue();
    expect(result).toEqual({ isolated: true, jobs: expect.any(Number), error: null, elements: 512 * 512, differing: 0 });
    expect(Reflect.get(Object(result), 'jobs')).toBeGreaterThan(0);
  }, 90_000);
});
