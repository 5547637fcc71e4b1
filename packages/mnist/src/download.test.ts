import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumError } from './checksum.js';
import { downloadFile, HttpStatusError } from './download.js';
import { encodeIdx } from './idx.js';
import { FashionMNIST, MNIST, embeddedMnistDir } from './mnist.js';

/** What the test server serves at a path, and how it misbehaves. */
interface Route {
  body: Uint8Array;
  /** Destroy the socket after this many body bytes, for the first `dropTimes` requests. */
  dropAfter?: number;
  dropTimes?: number;
  /** Answer Range requests with the whole file (200), as servers without Range support do. */
  ignoreRange?: boolean;
  /** Never answer (no status line) the first `silentTimes` requests. */
  silentTimes?: number;
  /** Send this many body bytes, then fall silent with the connection open, for the first `stallTimes` requests. */
  stallAfter?: number;
  stallTimes?: number;
}

const routes = new Map<string, Route>();
const requests: { path: string; range: string | undefined }[] = [];
let server: Server;
let base: string;
const work = mkdtempSync(join(tmpdir(), 'tsgrad-download-'));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const requestsFor = (path: string): (string | undefined)[] => requests.filter((r) => r.path === path).map((r) => r.range);

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    const range = req.headers.range;
    requests.push({ path, range });
    const route = routes.get(path);
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    if ((route.silentTimes ?? 0) > 0) {
      route.silentTimes = (route.silentTimes ?? 0) - 1;
      return;
    }
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    let start = 0;
    if (match && !route.ignoreRange) {
      start = Number(match[1]);
      if (start >= route.body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${route.body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Length': route.body.length - start,
        'Content-Range': `bytes ${start}-${route.body.length - 1}/${route.body.length}`,
      });
    } else {
      res.writeHead(200, { 'Content-Length': route.body.length });
    }
    const body = route.body.subarray(start);
    if (route.stallAfter !== undefined && (route.stallTimes ?? 1) > 0) {
      route.stallTimes = (route.stallTimes ?? 1) - 1;
      res.write(body.subarray(0, route.stallAfter));
      return;
    }
    if (route.dropAfter !== undefined && (route.dropTimes ?? 1) > 0) {
      route.dropTimes = (route.dropTimes ?? 1) - 1;
      // Send part of the body, let it reach the client, then cut the connection mid-body.
      res.write(body.subarray(0, route.dropAfter), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected server address ${address}`);
  base = `http://127.0.0.1:${address.port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

const embedded = (file: string): Uint8Array => new Uint8Array(readFileSync(join(embeddedMnistDir(), file)));

describe('MNIST.download', () => {
  it('resumes a dropped download with a Range request, verifies the known SHA-256 and loads it', async () => {
    const images = embedded('t10k-images-idx3-ubyte');
    routes.set('/mnist/t10k-images-idx3-ubyte', { body: images, dropAfter: 3_000_000 });
    routes.set('/mnist/t10k-labels-idx1-ubyte', { body: embedded('t10k-labels-idx1-ubyte') });
    const cacheDir = join(work, 'cache1');
    const test = await MNIST.download({ train: false, baseUrl: `${base}mnist`, cacheDir, compressed: false, retryDelayMs: 0 });
    expect(test).toBeInstanceOf(MNIST);
    expect(test.length).toBe(10000);
    expect(test.labelCounts()).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);

    const ranges = requestsFor('/mnist/t10k-images-idx3-ubyte');
    expect(ranges.length).toBe(2);
    expect(ranges[0]).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(3_000_000);
    expect(readdirSync(join(cacheDir, 'mnist')).sort()).toEqual(['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']);

    // A second call finds the files in the cache and asks the server for nothing.
    const before = requests.length;
    await MNIST.download({ train: false, baseUrl: `${base}mnist`, cacheDir, compressed: false });
    expect(requests.length).toBe(before);

    // A cached file damaged on disk since fails its checksum and is fetched again (only that one).
    const cachedLabels = join(cacheDir, 'mnist', 't10k-labels-idx1-ubyte');
    const damaged = readFileSync(cachedLabels);
    damaged[100] ^= 0xff;
    writeFileSync(cachedLabels, damaged);
    const again = await MNIST.download({ train: false, baseUrl: `${base}mnist`, cacheDir, compressed: false });
    expect(requests.slice(before).map((r) => r.path)).toEqual(['/mnist/t10k-labels-idx1-ubyte']);
    expect(again.labelCounts()).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('rejects a corrupted file with an error naming it, and deletes it', async () => {
    const labels = embedded('t10k-labels-idx1-ubyte');
    labels[5000] ^= 1;
    routes.set('/bad/t10k-images-idx3-ubyte', { body: embedded('t10k-images-idx3-ubyte') });
    routes.set('/bad/t10k-labels-idx1-ubyte', { body: labels });
    const cacheDir = join(work, 'cache2');
    const attempt = MNIST.download({ train: false, baseUrl: `${base}bad/`, cacheDir, compressed: false, retryDelayMs: 0 });
    await expect(attempt).rejects.toThrow(ChecksumError);
    await expect(attempt).rejects.toThrow(
      `t10k-labels-idx1-ubyte: SHA-256 mismatch: expected ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2, got ${sha256(labels)}`,
    );
    expect(readdirSync(join(cacheDir, 'mnist'))).toEqual(['t10k-images-idx3-ubyte']);
  });

  it('downloads gzipped files of another dataset with user-supplied checksums', async () => {
    const images = gzipSync(encodeIdx({ dtype: 'uint8', shape: [3, 28, 28], data: Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 256) }));
    const labels = gzipSync(encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(9, 0, 3) }));
    routes.set('/fashion/train-images-idx3-ubyte.gz', { body: images });
    routes.set('/fashion/train-labels-idx1-ubyte.gz', { body: labels });
    const fashion = await FashionMNIST.download({
      baseUrl: `${base}fashion/`,
      cacheDir: join(work, 'cache3'),
      checksums: { 'train-images-idx3-ubyte.gz': sha256(images), 'train-labels-idx1-ubyte.gz': sha256(labels) },
    });
    expect(fashion).toBeInstanceOf(FashionMNIST);
    expect(fashion.classes[fashion.get(0)[1]]).toBe('Ankle boot');
    expect(fashion.get(2)[0].toTypedArray()[1]).toBeCloseTo(Math.fround((2 * 784 + 1) % 256 / 255), 7);
    expect(existsSync(join(work, 'cache3', 'fashion-mnist', 'train-images-idx3-ubyte.gz'))).toBe(true);
  });

  it('refuses a file with no known or given checksum before downloading anything', async () => {
    const before = requests.length;
    await expect(FashionMNIST.download({ baseUrl: `${base}fashion/`, cacheDir: join(work, 'cache4'), compressed: false })).rejects.toThrow(
      "FashionMNIST: no known SHA-256 for train-images-idx3-ubyte; pass { checksums: { 'train-images-idx3-ubyte': '<sha256 hex>' } }",
    );
    expect(requests.length).toBe(before);
  });
});

describe('downloadFile', () => {
  const body = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251);

  it('continues a partial file left by an earlier process', async () => {
    routes.set('/partial.bin', { body });
    const dest = join(work, 'partial', 'file.bin');
    mkdirSync(join(work, 'partial'), { recursive: true });
    writeFileSync(`${dest}.part`, body.subarray(0, 1234));
    await downloadFile(`${base}partial.bin`, dest, { sha256: sha256(body), retryDelayMs: 0 });
    expect(requestsFor('/partial.bin')).toEqual(['bytes=1234-']);
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('starts over when the server ignores Range', async () => {
    routes.set('/norange.bin', { body, ignoreRange: true, dropAfter: 50_000 });
    const dest = join(work, 'norange.bin');
    await downloadFile(`${base}norange.bin`, dest, { sha256: sha256(body), retryDelayMs: 0 });
    expect(requestsFor('/norange.bin').length).toBe(2);
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
  });

  it('gives up after the retries, keeping the partial file for next time', async () => {
    routes.set('/flaky.bin', { body, dropAfter: 10_000, dropTimes: 2 });
    const dest = join(work, 'flaky.bin');
    await expect(downloadFile(`${base}flaky.bin`, dest, { sha256: sha256(body), retries: 1, retryDelayMs: 0 })).rejects.toThrow(
      `download of ${base}flaky.bin failed after 2 attempts (the 20000 bytes received are kept in ${dest}.part for the next try): terminated`,
    );
    expect(existsSync(`${dest}.part`)).toBe(true);
    // The next call resumes and completes.
    await downloadFile(`${base}flaky.bin`, dest, { sha256: sha256(body), retryDelayMs: 0 });
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
  });

  it('aborts a transfer that stalls (idle timeout) and resumes it on the next attempt', async () => {
    routes.set('/stall.bin', { body, stallAfter: 20_000, stallTimes: 1 });
    const dest = join(work, 'stall.bin');
    await downloadFile(`${base}stall.bin`, dest, { sha256: sha256(body), retryDelayMs: 0, idleTimeoutMs: 200 });
    const ranges = requestsFor('/stall.bin');
    expect(ranges.length).toBe(2);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(20_000);
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
  });

  it('names the idle timeout when the server never answers', async () => {
    routes.set('/silent.bin', { body, silentTimes: 2 });
    const url = `${base}silent.bin`;
    const dest = join(work, 'silent.bin');
    await expect(downloadFile(url, dest, { sha256: sha256(body), retries: 1, retryDelayMs: 0, idleTimeoutMs: 100 })).rejects.toThrow(
      `download of ${url} failed after 2 attempts (no partial file is kept): ` +
        `no data from ${url} for 100 ms (the idle timeout; raise { idleTimeoutMs } on a slow link)`,
    );
    expect(requestsFor('/silent.bin').length).toBe(2);
    // Nothing arrived, so no empty part file is left behind.
    expect(readdirSync(work).filter((f) => f.startsWith('silent.bin'))).toEqual([]);
  });

  it('does not retry a 404, and throws an HttpStatusError with the status and URL', async () => {
    const attempt = downloadFile(`${base}missing.bin`, join(work, 'missing.bin'), { sha256: sha256(body), retryDelayMs: 0 });
    await expect(attempt).rejects.toThrow(`HTTP 404 Not Found for ${base}missing.bin`);
    await expect(attempt).rejects.toBeInstanceOf(HttpStatusError);
    await expect(attempt).rejects.toMatchObject({ status: 404, url: `${base}missing.bin`, retryable: false });
    expect(requestsFor('/missing.bin').length).toBe(1);
  });
});

describe('MNIST.fromUrls', () => {
  it('fetches raw or gzipped files over HTTP (the browser path)', async () => {
    routes.set('/web/labels.gz', { body: gzipSync(embedded('t10k-labels-idx1-ubyte')) });
    routes.set('/web/images', { body: embedded('t10k-images-idx3-ubyte') });
    const test = await MNIST.fromUrls({ images: `${base}web/images`, labels: `${base}web/labels.gz` }, { train: false });
    expect(test.labelCounts()).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    await expect(MNIST.fromUrls({ images: `${base}web/nope`, labels: `${base}web/labels.gz` })).rejects.toThrow(
      `HTTP 404 Not Found for ${base}web/nope`,
    );
  });
});
