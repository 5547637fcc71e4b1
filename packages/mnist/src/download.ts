import { nodeCrypto, nodeFs, nodeFsPromises, nodeOs, nodePath } from './node-builtins.js';
import type { DatasetResources } from './resources.js';

/** How to download a dataset's files (Node only). */
export interface DownloadOptions {
  /** Folder URL that holds the files, e.g. 'https://ossci-datasets.s3.amazonaws.com/mnist/'. */
  baseUrl: string;
  /** Cache folder (default `~/.cache/tsgrad`); files go to `<cacheDir>/<dataset>/`. */
  cacheDir?: string;
  /** SHA-256 digests by file name; they override the known digests of the standard files. */
  checksums?: Readonly<Record<string, string>>;
  /** Fetch the `.gz` files (default true) or the raw ones. */
  compressed?: boolean;
  /** Further attempts after a failed one (default 3); each resumes where the last one stopped. */
  retries?: number;
  /** Wait before retry k is k times this (default 1000 ms). */
  retryDelayMs?: number;
  /** Abort an attempt when no byte arrives for this long (default 30000 ms); the next attempt resumes. */
  idleTimeoutMs?: number;
}

/**
 * A downloaded file whose SHA-256 is not the expected one (the file is deleted).
 *
 * @example
 * ```ts
 * import { ChecksumError, downloadFile } from '@tsgrad/mnist';
 * await downloadFile(url, dest, { sha256 }).catch((e) => { if (e instanceof ChecksumError) console.log(e.file, e.actual); });
 * ```
 */
export class ChecksumError extends Error {
  readonly file: string;
  readonly expected: string;
  readonly actual: string;
  constructor(file: string, expected: string, actual: string, url: string) {
    super(`${file}: SHA-256 mismatch: expected ${expected}, got ${actual} (downloaded from ${url}; the file was deleted)`);
    this.name = 'ChecksumError';
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An HTTP error status; 5xx and 429 are worth retrying, other statuses are not. */
class HttpStatusError extends Error {
  readonly retryable: boolean;
  constructor(url: string, status: number, statusText: string) {
    super(`HTTP ${status} ${statusText} for ${url}`);
    this.retryable = status >= 500 || status === 429;
  }
}

/**
 * The default cache folder, `~/.cache/tsgrad`.
 *
 * @example
 * ```ts
 * import { defaultCacheDir } from '@tsgrad/mnist';
 * defaultCacheDir(); // '/home/me/.cache/tsgrad'
 * ```
 */
export function defaultCacheDir(): string {
  return nodePath('defaultCacheDir').join(nodeOs('defaultCacheDir').homedir(), '.cache', 'tsgrad');
}

/**
 * Downloads the two files of one split of a dataset into `<cacheDir>/<dataset>/` (skipping files
 * already there) and returns that folder. Every file is checked against its SHA-256 (the given
 * one, else the known one of the standard file; a file with neither is refused).
 *
 * @example
 * ```ts
 * import { downloadSplit, MNIST_RESOURCES } from '@tsgrad/mnist';
 * const dir = await downloadSplit(MNIST_RESOURCES, true, { baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/' });
 * ```
 */
export async function downloadSplit(resources: DatasetResources, train: boolean, options: DownloadOptions): Promise<string> {
  const feature = `${resources.name}.download`;
  const path = nodePath(feature);
  const fs = nodeFs(feature);
  const dir = path.join(options.cacheDir ?? defaultCacheDir(), resources.cacheName);
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const split = train ? resources.train : resources.test;
  for (const name of [split.images, split.labels]) {
    const file = options.compressed === false ? name : `${name}.gz`;
    const dest = path.join(dir, file);
    const sha256 = options.checksums?.[file] ?? resources.sha256[file];
    if (sha256 === undefined) {
      throw new Error(`${resources.name}: no known SHA-256 for ${file}; pass { checksums: { '${file}': '<sha256 hex>' } }`);
    }
    // A cached file is checked again (a few ms): one damaged on disk since is downloaded anew.
    if (fs.existsSync(dest)) {
      if ((await sha256File(dest)) === sha256.toLowerCase()) continue;
      await nodeFsPromises(feature).rm(dest);
    }
    await downloadFile(new URL(file, base).href, dest, {
      sha256,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      idleTimeoutMs: options.idleTimeoutMs,
    });
  }
  return dir;
}

/**
 * Downloads `url` to `dest`: the bytes go to `dest + '.part'`, which is renamed to `dest` only
 * after its SHA-256 matches. A failed attempt keeps the partial file, and the next attempt (or the
 * next call, even from another process) asks for the rest with an HTTP Range request.
 *
 * @example
 * ```ts
 * import { downloadFile } from '@tsgrad/mnist';
 * await downloadFile('https://example.org/data.bin', '/tmp/data.bin', { sha256: 'e3b0c442...' });
 * ```
 */
export async function downloadFile(
  url: string,
  dest: string,
  options: { sha256: string } & Pick<DownloadOptions, 'retries' | 'retryDelayMs' | 'idleTimeoutMs'>,
): Promise<void> {
  const { retries = 3, retryDelayMs = 1000, idleTimeoutMs = 30_000 } = options;
  const fsp = nodeFsPromises('downloadFile');
  const path = nodePath('downloadFile');
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0 && retryDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
    try {
      await fetchInto(url, part, idleTimeoutMs);
      lastError = undefined;
      break;
    } catch (e) {
      if (e instanceof HttpStatusError && !e.retryable) throw e;
      lastError = e;
    }
  }
  if (lastError !== undefined) {
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(
      `download of ${url} failed after ${retries + 1} attempts (the partial file ${part} is kept for the next try): ${reason}`,
      { cause: lastError },
    );
  }
  const expected = options.sha256.toLowerCase();
  const actual = await sha256File(part);
  if (actual !== expected) {
    await fsp.rm(part, { force: true });
    throw new ChecksumError(path.basename(dest), expected, actual, url);
  }
  await fsp.rename(part, dest);
}

/**
 * One attempt: appends the rest of `url` to `part` (all of it when `part` is empty or missing).
 * A watchdog aborts the request when no byte has arrived for `idleTimeoutMs`, so a stalled
 * server cannot hang the download forever.
 */
async function fetchInto(url: string, part: string, idleTimeoutMs: number): Promise<void> {
  const controller = new AbortController();
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  const rearm = (): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => controller.abort(), idleTimeoutMs);
  };
  rearm();
  try {
    await receiveInto(url, part, controller.signal, rearm);
  } catch (e) {
    if (controller.signal.aborted) {
      throw new Error(`no data from ${url} for ${idleTimeoutMs} ms (the idle timeout; raise { idleTimeoutMs } on a slow link)`, {
        cause: e,
      });
    }
    throw e;
  } finally {
    clearTimeout(watchdog);
  }
}

/** The request and the copy of its body into `part`; `alive` is called whenever bytes arrive. */
async function receiveInto(url: string, part: string, signal: AbortSignal, alive: () => void): Promise<void> {
  const fsp = nodeFsPromises('downloadFile');
  const have = await fsp.stat(part).then((s) => s.size, () => 0);
  const response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal });
  alive();
  let append = false;
  if (have > 0 && response.status === 206) {
    const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
    append = Number(start) === have;
    if (!append) {
      await response.body?.cancel();
      await fsp.rm(part, { force: true });
      throw new Error(`the server answered a resume from byte ${have} with Content-Range ${response.headers.get('content-range')}`);
    }
  } else if (have > 0 && response.status === 416) {
    // The partial file is not a prefix of this resource (it is as long or longer): start over.
    await response.body?.cancel();
    await fsp.rm(part, { force: true });
    throw new Error(`the server refused a resume from byte ${have} (HTTP 416); starting over`);
  } else if (!response.ok) {
    await response.body?.cancel();
    throw new HttpStatusError(url, response.status, response.statusText);
  }
  if (response.body === null) throw new Error(`empty response body for ${url}`);
  const expectedBytes = Number(response.headers.get('content-length') ?? NaN);
  const handle = await fsp.open(part, append ? 'a' : 'w');
  let written = 0;
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      alive();
      await handle.write(value);
      written += value.length;
    }
  } finally {
    await handle.close();
  }
  if (Number.isFinite(expectedBytes) && written !== expectedBytes) {
    throw new Error(`connection closed after ${written} of ${expectedBytes} bytes`);
  }
}

/** The SHA-256 of a file, hex, read as a stream. */
async function sha256File(file: string): Promise<string> {
  const hash = nodeCrypto('downloadFile').createHash('sha256');
  for await (const chunk of nodeFs('downloadFile').createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}
