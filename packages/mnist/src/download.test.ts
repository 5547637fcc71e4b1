import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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
  /** Stream zeros without Content-Length until the client goes away (a server that never ends). */
  endless?: boolean;
  /** Send the body one byte every this many ms. */
  dripMs?: number;
  /** Wait this long before answering (so that concurrent requests overlap). */
  delayMs?: number;
  /** Body bytes written so far (counted by the server), and whether the client has closed the connection. */
  served?: number;
  closed?: boolean;
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
    if (route.endless) {
      res.writeHead(200); // no Content-Length: chunked, and it never ends
      res.on('close', () => (route.closed = true));
      const chunk = new Uint8Array(16_384);
      const pump = (): void => {
        while (!res.destroyed) {
          route.served = (route.served ?? 0) + chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
      return;
    }
    if (route.dripMs !== undefined) {
      res.writeHead(200, { 'Content-Length': route.body.length });
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed || at >= route.body.length) return clearInterval(timer);
        res.write(route.body.subarray(at, ++at));
      }, route.dripMs);
      res.on('close', () => clearInterval(timer));
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
    if (route.delayMs !== undefined) {
      setTimeout(() => res.end(body), route.delayMs);
      return;
    }
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

describe('download limits', () => {
  const body = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 13) % 256);

  it('stops a server that streams without Content-Length at the known size, and deletes what came', async () => {
    const route: Route = { body: new Uint8Array(0), endless: true };
    routes.set('/endless/t10k-images-idx3-ubyte.gz', route);
    const cacheDir = join(work, 'endless');
    const url = `${base}endless/t10k-images-idx3-ubyte.gz`;
    await expect(MNIST.download({ train: false, baseUrl: `${base}endless/`, cacheDir, retryDelayMs: 0 })).rejects.toThrow(
      // 1648877 bytes: the size of the standard t10k-images-idx3-ubyte.gz, from the resources table
      `${url} sent more than 1648877 bytes, but the file has 1648877 bytes (its known size); the partial file was deleted`,
    );
    expect(requestsFor('/endless/t10k-images-idx3-ubyte.gz').length).toBe(1); // not retried
    expect(readdirSync(join(cacheDir, 'mnist'))).toEqual([]);
    // The client hung up: the server got no further than its socket buffers (it went on forever before).
    for (let wait = 0; wait < 50 && !route.closed; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(route.closed).toBe(true);
    expect(route.served ?? 0).toBeLessThan(32 * 2 ** 20);
  });

  it('caps a file of unknown size at maxBytes, and refuses a Content-Length over the known size before reading', async () => {
    routes.set('/endless.bin', { body: new Uint8Array(0), endless: true });
    await expect(downloadFile(`${base}endless.bin`, join(work, 'endless.bin'), { sha256: sha256(body), maxBytes: 100_000 })).rejects.toThrow(
      `${base}endless.bin sent more than 100000 bytes, but a file of unknown size may have 100000 bytes (raise { maxBytes } if it is genuine)`,
    );
    routes.set('/long.bin', { body });
    await expect(downloadFile(`${base}long.bin`, join(work, 'long.bin'), { sha256: sha256(body), size: 4000 })).rejects.toThrow(
      `${base}long.bin announces 10000 bytes (Content-Length), but the file has 4000 bytes (its known size)`,
    );
    expect(readdirSync(work).filter((f) => f.startsWith('endless.bin') || f.startsWith('long.bin'))).toEqual([]);
  });

  it('fails at the overall deadline when a server sends 1 byte every 200 ms', async () => {
    routes.set('/drip.bin', { body, dripMs: 200 });
    const dest = join(work, 'drip.bin');
    const started = performance.now();
    const attempt = downloadFile(`${base}drip.bin`, dest, { sha256: sha256(body), timeoutMs: 1000, retryDelayMs: 0 });
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `^download of ${base}drip\\.bin did not finish within 1000 ms \\(the deadline; raise \\{ timeoutMs \\} on a slow link\\); ` +
          `the [3-6] bytes received are kept in ${dest.replaceAll('.', '\\.')}\\.part for the next try$`,
      ),
    );
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2500);
    expect(readFileSync(`${dest}.part`)).toEqual(Buffer.from(body.subarray(0, readFileSync(`${dest}.part`).length)));
  });

  it('an AbortSignal cancels a download (rejecting with its reason), keeping the bytes for the next call', async () => {
    routes.set('/cancel.bin', { body, dripMs: 50 });
    const dest = join(work, 'cancel.bin');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const attempt = downloadFile(`${base}cancel.bin`, dest, { sha256: sha256(body), signal: controller.signal });
    await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
    expect(readFileSync(`${dest}.part`).length).toBeGreaterThan(0);
    // The next call resumes from those bytes.
    routes.set('/cancel.bin', { body });
    await downloadFile(`${base}cancel.bin`, dest, { sha256: sha256(body) });
    expect(requestsFor('/cancel.bin')[1]).toMatch(/^bytes=\d+-$/);
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    // A signal aborted before the call: nothing is asked for.
    const before = requests.length;
    await expect(downloadFile(`${base}cancel.bin`, join(work, 'never.bin'), { sha256: sha256(body), signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(requests.length).toBe(before);
  });

  it('three concurrent downloads of one file all succeed, leaving one verified file and no part files', async () => {
    routes.set('/shared.bin', { body, delayMs: 100 });
    const dir = join(work, 'shared');
    const dest = join(dir, 'shared.bin');
    const one = (): Promise<void> => downloadFile(`${base}shared.bin`, dest, { sha256: sha256(body), retryDelayMs: 0 });
    await Promise.all([one(), one(), one()]);
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    expect(readdirSync(dir)).toEqual(['shared.bin']);

    // The same through MNIST.download into one cache folder.
    routes.set('/concurrent/t10k-images-idx3-ubyte', { body: embedded('t10k-images-idx3-ubyte'), delayMs: 50 });
    routes.set('/concurrent/t10k-labels-idx1-ubyte', { body: embedded('t10k-labels-idx1-ubyte'), delayMs: 50 });
    const cacheDir = join(work, 'concurrent');
    const load = (): Promise<MNIST> => MNIST.download({ train: false, baseUrl: `${base}concurrent/`, cacheDir, compressed: false });
    const sets = await Promise.all([load(), load(), load()]);
    expect(sets.map((d) => d.length)).toEqual([10000, 10000, 10000]);
    expect(readdirSync(join(cacheDir, 'mnist')).sort()).toEqual(['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']);
  });

  it('continues the part file of a process that died (Ctrl-C, a crash)', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid; // a process that has exited
    routes.set('/orphan.bin', { body });
    const dest = join(work, 'orphan', 'orphan.bin');
    mkdirSync(join(work, 'orphan'), { recursive: true });
    writeFileSync(`${dest}.part.${dead}-0badcafe`, body.subarray(0, 1234));
    await downloadFile(`${base}orphan.bin`, dest, { sha256: sha256(body), retryDelayMs: 0 });
    expect(requestsFor('/orphan.bin')).toEqual(['bytes=1234-']);
    expect(sha256(readFileSync(dest))).toBe(sha256(body));
    expect(readdirSync(join(work, 'orphan'))).toEqual(['orphan.bin']);
  });

  it('offline: names the network cause, and leaves no part file', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    if (address === null || typeof address === 'string') throw new Error(`unexpected server address ${address}`);
    await new Promise((resolve) => closed.close(resolve)); // nothing listens on that port now
    const url = `http://127.0.0.1:${address.port}/file.bin`;
    const dir = join(work, 'offline');
    await expect(downloadFile(url, join(dir, 'file.bin'), { sha256: sha256(body), retries: 1, retryDelayMs: 0 })).rejects.toThrow(
      `download of ${url} failed after 2 attempts (no partial file is kept): fetch failed: connect ECONNREFUSED 127.0.0.1:${address.port}`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a bad base URL, a digest that is not hex and a bad limit before asking for anything', async () => {
    const before = requests.length;
    const cacheDir = join(work, 'refused');
    await expect(MNIST.download({ baseUrl: 'mirror/mnist', cacheDir })).rejects.toThrow(
      `MNIST.download: baseUrl "mirror/mnist" is not an http:// or https:// URL (e.g. 'https://ossci-datasets.s3.amazonaws.com/mnist/')`,
    );
    await expect(MNIST.download({ baseUrl: 'ftp://example.org/mnist/', cacheDir })).rejects.toThrow('baseUrl "ftp://example.org/mnist/" is not an http');
    await expect(
      FashionMNIST.download({ baseUrl: `${base}fashion/`, cacheDir, checksums: { 't10k-labels-idx1-ubyte.gz': 'not-a-digest' }, train: false }),
    ).rejects.toThrow('FashionMNIST.download: the SHA-256 of t10k-labels-idx1-ubyte.gz: "not-a-digest" is not a SHA-256 digest (64 hexadecimal digits)');
    await expect(downloadFile(`${base}x.bin`, join(cacheDir, 'x.bin'), { sha256: 'abc' })).rejects.toThrow('downloadFile: sha256: "abc" is not a SHA-256 digest');
    await expect(downloadFile('nope', join(cacheDir, 'x.bin'), { sha256: sha256(body) })).rejects.toThrow('downloadFile: url "nope" is not an http:// or https:// URL');
    await expect(downloadFile(`${base}x.bin`, join(cacheDir, 'x.bin'), { sha256: sha256(body), timeoutMs: -1 })).rejects.toThrow(
      'downloadFile: timeoutMs must be a number of milliseconds > 0 (Infinity for no deadline), got -1',
    );
    expect(requests.length).toBe(before);
    expect(existsSync(cacheDir)).toBe(false);
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

  it('refuses a response past maxBytes, endless or announced', async () => {
    routes.set('/web/endless', { body: new Uint8Array(0), endless: true });
    await expect(MNIST.fromUrls({ images: `${base}web/endless`, labels: `${base}web/labels.gz` }, { maxBytes: 1_000_000 })).rejects.toThrow(
      `${base}web/endless sent more bytes than the limit of 1000000 bytes (raise { maxBytes } if it is genuine)`,
    );
    await expect(MNIST.fromUrls({ images: `${base}web/images`, labels: `${base}web/labels.gz` }, { maxBytes: 1_000_000 })).rejects.toThrow(
      `${base}web/images announces 7840016 bytes (Content-Length), more than the limit of 1000000 bytes`,
    );
  });
});
