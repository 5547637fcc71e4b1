import { ChecksumError, checkSha256Hex, rememberVerified, sha256File } from './checksum.js';
import { nodeFsPromises, nodeOs, nodePath } from './node-builtins.js';
import { claimPartFile, releasePartFile, sharedPartFile } from './part-file.js';
import type { DatasetResources } from './resources.js';

/** The most bytes a file of unknown size may have (128 MiB; the largest MNIST-family file is 47 MB). */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 128 * 2 ** 20;

/** The default deadline of a whole download call: 10 minutes. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/** The limits of a download (Node only); the defaults suit the MNIST files. */
export interface DownloadLimits {
  /** Further attempts after a failed one (default 3); each resumes where the last one stopped. */
  retries?: number;
  /** Wait before retry k is k times this (default 1000 ms). */
  retryDelayMs?: number;
  /** Abort an attempt when no byte arrives for this long (default 30000 ms); the next attempt resumes. */
  idleTimeoutMs?: number;
  /**
   * The whole call (every file, attempt and wait) must finish within this (default 600000 ms, 10
   * minutes; `Infinity` for none), however slowly bytes keep arriving.
   */
  timeoutMs?: number;
  /** Cancels the download: the call rejects with the signal's reason; bytes received are kept for the next call. */
  signal?: AbortSignal;
  /** The most bytes a file of unknown size may have (default 128 MiB); a file of known size stops at that size. */
  maxBytes?: number;
}

/** How to download a dataset's files (Node only). */
export interface DownloadOptions extends DownloadLimits {
  /** Folder URL that holds the files, e.g. 'https://ossci-datasets.s3.amazonaws.com/mnist/'. */
  baseUrl: string;
  /** Cache folder (default `~/.cache/tsgrad`); files go to `<cacheDir>/<dataset>/`. */
  cacheDir?: string;
  /** SHA-256 digests by file name; they override the known digests (and sizes) of the standard files. */
  checksums?: Readonly<Record<string, string>>;
  /** Fetch the `.gz` files (default true) or the raw ones. */
  compressed?: boolean;
}

/**
 * An HTTP error status; 5xx and 429 are worth retrying (`retryable`), other statuses are not.
 *
 * @example
 * ```ts
 * import { HttpStatusError, MNIST } from '@tsgrad/mnist';
 * await MNIST.download({ baseUrl: 'https://example.org/nothing-here/' }).catch((e) => {
 *   if (e instanceof HttpStatusError) console.log(e.status, e.url); // 404 'https://example.org/nothing-here/train-images-idx3-ubyte.gz'
 * });
 * ```
 */
export class HttpStatusError extends Error {
  readonly url: string;
  readonly status: number;
  readonly retryable: boolean;
  constructor(url: string, status: number, statusText: string) {
    super(`HTTP ${status} ${statusText} for ${url}`);
    this.name = 'HttpStatusError';
    this.url = url;
    this.status = status;
    this.retryable = status >= 500 || status === 429;
  }
}

/** A server that sends more than the file can have; retrying would not help, and the bytes are deleted. */
class SizeLimitError extends Error {
  override name = 'SizeLimitError';
}

/** Every attempt failed; `last` is the last attempt's error. */
class AttemptsFailed extends Error {
  constructor(
    readonly attempts: number,
    readonly last: unknown,
  ) {
    super(`${attempts} attempts failed`, { cause: last });
  }
}

/**
 * The default cache folder, `~/.cache/tsgrad`.
 *
 * @example
 * ```ts
 * import { defaultCacheDir } from '@tsgrad/mnist';
 * defaultCacheDir(); // '.../.cache/tsgrad'
 * ```
 */
export function defaultCacheDir(): string {
  return nodePath('defaultCacheDir').join(nodeOs('defaultCacheDir').homedir(), '.cache', 'tsgrad');
}


/**
 * Downloads the two files of one split of a dataset into `<cacheDir>/<dataset>/` (skipping files
 * already there and intact) and returns that folder. Every file is checked against its SHA-256 (the
 * given one, else the known one of the standard file; a file with neither is refused) and capped
 * at its known size (else `maxBytes`); `timeoutMs` bounds the whole call. Bad options (a base URL
 * that is not http(s), a digest that is not hex) are refused before anything is fetched.
 *
 * @example
 * ```ts
 * // snippet: skip downloads from the network
 * import { downloadSplit, MNIST_RESOURCES } from '@tsgrad/mnist';
 * const dir = await downloadSplit(MNIST_RESOURCES, true, { baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/' });
 * ```
 */
export async function downloadSplit(resources: DatasetResources, train: boolean, options: DownloadOptions): Promise<string> {
  const feature = `${resources.name}.download`;
  const path = nodePath(feature);
  const fsp = nodeFsPromises(feature);
  const limits = checkLimits(options, feature);
  const baseUrl = String(options.baseUrl);
  const base = httpUrl(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`, `${feature}: baseUrl`, baseUrl);
  const dir = path.join(options.cacheDir ?? defaultCacheDir(), resources.cacheName);
  const split = train ? resources.train : resources.test;
  // Every file's digest and size first, so that a typo costs no download.
  const files = [split.images, split.labels].map((name) => {
    const file = options.compressed === false ? name : `${name}.gz`;
    const given = options.checksums?.[file];
    const known = resources.sha256[file];
    if (given === undefined && known === undefined) {
      throw new Error(`${resources.name}: no known SHA-256 for ${file}; pass { checksums: { '${file}': '<sha256 hex>' } }`);
    }
    const sha256 = checkSha256Hex(given ?? known, `${feature}: the SHA-256 of ${file}`);
    // The known size belongs to the known file: another digest means another file, of unknown size.
    const size = sha256 === known ? resources.sizes[file] : undefined;
    return { url: new URL(file, base).href, dest: path.join(dir, file), sha256, size };
  });
  const deadline = startDeadline(limits.timeoutMs, options.signal);
  for (const { url, dest, sha256, size } of files) {
    // A cached file is checked again (a few ms): one damaged on disk since is downloaded anew.
    const stat = await fsp.stat(dest).catch(() => undefined);
    if (stat !== undefined) {
      if ((size === undefined || stat.size === size) && (await sha256File(dest, feature)) === sha256) {
        rememberVerified(dest, stat, sha256);
        continue;
      }
      await fsp.rm(dest, { force: true });
    }
    await fetchVerified(url, dest, { ...limits, sha256, size }, deadline);
  }
  return dir;
}

/**
 * Downloads `url` to `dest`, checked against `sha256` and capped at `size` bytes when known (else
 * `maxBytes`); `timeoutMs` bounds the whole call and `signal` cancels it. The bytes go to a part
 * file of this call's own, renamed to `dest` only after the checksum matches, so concurrent
 * downloads of one file (in one process or several) each finish with the verified file. A call that
 * gives up leaves its bytes in `dest + '.part'`, and the next call (even from another process, or
 * after a crash) continues from there with an HTTP Range request.
 *
 * @example
 * ```ts
 * // snippet: skip downloads from the network
 * import { downloadFile } from '@tsgrad/mnist';
 * await downloadFile('https://example.org/data.bin', '/tmp/data.bin', {
 *   sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
 *   size: 0,
 *   timeoutMs: 60_000,
 * });
 * ```
 */
export async function downloadFile(url: string, dest: string, options: { sha256: string; size?: number } & DownloadLimits): Promise<void> {
  const feature = 'downloadFile';
  const sha256 = checkSha256Hex(options.sha256, `${feature}: sha256`);
  httpUrl(url, `${feature}: url`, url);
  const { size } = options;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new Error(`${feature}: size must be a whole number of bytes, got ${size}`);
  }
  const limits = checkLimits(options, feature);
  await fetchVerified(url, dest, { ...limits, sha256, size }, startDeadline(limits.timeoutMs, options.signal));
}

/**
 * The body of `response`, read as a stream and refused as soon as it passes `maxBytes` (or
 * announces more), so an endless response costs no more than the limit. Any platform.
 */
export async function readBodyCapped(response: Response, url: string, maxBytes: number): Promise<Uint8Array> {
  const tooMuch = (what: string): Error => new Error(`${url} ${what} than the limit of ${maxBytes} bytes (raise { maxBytes } if it is genuine)`);
  const announced = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel();
    throw tooMuch(`announces ${announced} bytes (Content-Length), more`);
  }
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooMuch('sent more bytes');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  chunks.reduce((at, c) => (out.set(c, at), at + c.length), 0);
  return out;
}

/** The checked limits of one call, every default filled in. */
interface Limits {
  retries: number;
  retryDelayMs: number;
  idleTimeoutMs: number;
  timeoutMs: number;
  maxBytes: number;
}

/** The limits with their defaults, each checked (a negative timeout would otherwise fire at once). */
function checkLimits(options: DownloadLimits, feature: string): Limits {
  const {
    retries = 3,
    retryDelayMs = 1000,
    idleTimeoutMs = 30_000,
    timeoutMs = DEFAULT_DOWNLOAD_TIMEOUT_MS,
    maxBytes = DEFAULT_MAX_DOWNLOAD_BYTES,
  } = options;
  const check = (name: string, value: number, ok: boolean, what: string): void => {
    if (!ok) throw new Error(`${feature}: ${name} must be ${what}, got ${value}`);
  };
  check('retries', retries, Number.isInteger(retries) && retries >= 0, 'a whole number >= 0');
  check('retryDelayMs', retryDelayMs, retryDelayMs >= 0 && Number.isFinite(retryDelayMs), 'a number of milliseconds >= 0');
  check('idleTimeoutMs', idleTimeoutMs, idleTimeoutMs > 0, 'a number of milliseconds > 0');
  check('timeoutMs', timeoutMs, timeoutMs > 0, 'a number of milliseconds > 0 (Infinity for no deadline)');
  check('maxBytes', maxBytes, Number.isSafeInteger(maxBytes) && maxBytes > 0, 'a whole number of bytes > 0');
  return { retries, retryDelayMs, idleTimeoutMs, timeoutMs, maxBytes };
}

/** `value` as an http(s) URL, or an error naming it (`what` says where it came from). */
function httpUrl(href: string, what: string, value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(href);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`${what} ${JSON.stringify(value)} is not an http:// or https:// URL (e.g. 'https://ossci-datasets.s3.amazonaws.com/mnist/')`);
  }
  return url;
}

/** The call's deadline and the caller's signal, as one signal that aborts every request and wait. */
interface Deadline {
  signal: AbortSignal;
  caller: AbortSignal | undefined;
  timeoutMs: number;
}

function startDeadline(timeoutMs: number, caller: AbortSignal | undefined): Deadline {
  caller?.throwIfAborted();
  // AbortSignal.timeout takes up to 2^32 - 1 ms (49 days); longer is no deadline.
  const timer = timeoutMs < 2 ** 32 ? [AbortSignal.timeout(Math.ceil(timeoutMs))] : [];
  return { signal: AbortSignal.any([...timer, ...(caller ? [caller] : [])]), caller, timeoutMs };
}

/** One file: claim a part file, receive it (with retries), verify and rename it, or explain. */
async function fetchVerified(
  url: string,
  dest: string,
  options: Limits & { sha256: string; size: number | undefined },
  deadline: Deadline,
): Promise<void> {
  const fsp = nodeFsPromises('downloadFile');
  const path = nodePath('downloadFile');
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const part = await claimPartFile(dest);
  const limit = options.size ?? options.maxBytes;
  try {
    await receiveWithRetries(url, part, limit, options.size !== undefined, options, deadline.signal);
  } catch (failure) {
    const kept = failure instanceof SizeLimitError ? await fsp.rm(part, { force: true }).then(() => 0) : await releasePartFile(part, dest);
    const keptNote = kept > 0 ? `the ${kept} bytes received are kept in ${sharedPartFile(dest)} for the next try` : 'no partial file is kept';
    if (deadline.caller?.aborted) throw deadline.caller.reason;
    if (deadline.signal.aborted) {
      const error = new Error(
        `download of ${url} did not finish within ${deadline.timeoutMs} ms (the deadline; raise { timeoutMs } on a slow link); ${keptNote}`,
        { cause: failure },
      );
      error.name = 'TimeoutError';
      throw error;
    }
    if (failure instanceof SizeLimitError) throw new SizeLimitError(`${failure.message}; the partial file was deleted`);
    if (failure instanceof AttemptsFailed) {
      throw new Error(`download of ${url} failed after ${failure.attempts} attempts (${keptNote}): ${describe(failure.last)}`, {
        cause: failure.last,
      });
    }
    throw failure;
  }
  const actual = await sha256File(part, 'downloadFile');
  if (actual !== options.sha256) {
    await fsp.rm(part, { force: true });
    throw new ChecksumError(path.basename(dest), options.sha256, actual, `downloaded from ${url}; the file was deleted`);
  }
  // Atomic: a reader sees the old file or the whole new one; a concurrent download that finished
  // first renamed the same verified bytes, which this one replaces.
  await fsp.rename(part, dest);
  rememberVerified(dest, await fsp.stat(dest), options.sha256);
}

/** Attempts until one completes, waiting longer before each retry; errors that a retry cannot fix end at once. */
async function receiveWithRetries(url: string, part: string, limit: number, exact: boolean, options: Limits, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fetchInto(url, part, limit, exact, options.idleTimeoutMs, signal);
      return;
    } catch (e) {
      if (signal.aborted || e instanceof SizeLimitError || (e instanceof HttpStatusError && !e.retryable)) throw e;
      if (attempt > options.retries) throw new AttemptsFailed(attempt, e);
    }
    if (options.retryDelayMs > 0) await sleep(options.retryDelayMs * attempt, signal);
  }
}

/** Waits `ms`, or rejects when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** An error's message, with the network cause that fetch hides behind "fetch failed" (ENOTFOUND, ECONNREFUSED, ...). */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause;
  if (e.message !== 'fetch failed' || !(cause instanceof Error)) return e.message;
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const text = cause.message === '' ? (code ?? cause.name) : cause.message;
  return `${e.message}: ${code === undefined || text.includes(code) ? text : `${code} ${text}`}`;
}

/**
 * One attempt: appends the rest of `url` to `part` (all of it when `part` is empty or missing).
 * A watchdog aborts the request when no byte has arrived for `idleTimeoutMs`, so a stalled
 * server cannot hang the download; `signal` (the deadline and the caller's) aborts it too.
 */
async function fetchInto(url: string, part: string, limit: number, exact: boolean, idleTimeoutMs: number, signal: AbortSignal): Promise<void> {
  const idle = new AbortController();
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  const rearm = (): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => idle.abort(), idleTimeoutMs);
  };
  rearm();
  try {
    await receiveInto(url, part, limit, exact, AbortSignal.any([signal, idle.signal]), rearm);
  } catch (e) {
    if (idle.signal.aborted && !signal.aborted) {
      throw new Error(`no data from ${url} for ${idleTimeoutMs} ms (the idle timeout; raise { idleTimeoutMs } on a slow link)`, {
        cause: e,
      });
    }
    throw e;
  } finally {
    clearTimeout(watchdog);
  }
}

/**
 * The request and the copy of its body into `part`, never past `limit` bytes in all (the file's
 * exact size when `exact`); `alive` is called whenever bytes arrive.
 */
async function receiveInto(url: string, part: string, limit: number, exact: boolean, signal: AbortSignal, alive: () => void): Promise<void> {
  const fsp = nodeFsPromises('downloadFile');
  let have = await fsp.stat(part).then((s) => s.size, () => 0);
  if (have > limit) {
    // Longer than the file can be: not a prefix of it.
    await fsp.rm(part, { force: true });
    have = 0;
  }
  if (exact && have === limit) return; // complete already; the checksum decides
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
  if (!append) await fsp.rm(part, { force: true }); // a fresh start (or a server that ignores Range)
  let total = append ? have : 0;
  const tooMuch = (what: string): SizeLimitError =>
    new SizeLimitError(
      `${url} ${what}, but ` +
        (exact ? `the file has ${limit} bytes (its known size)` : `a file of unknown size may have ${limit} bytes (raise { maxBytes } if it is genuine)`),
    );
  const announced = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(announced) && total + announced > limit) {
    await response.body.cancel();
    throw tooMuch(`announces ${total + announced} bytes (Content-Length)`);
  }
  let received = 0;
  // Opened at the first byte, so a request that brings nothing leaves no empty file behind.
  let handle: Awaited<ReturnType<typeof fsp.open>> | undefined;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      alive();
      if (total + value.length > limit) {
        await reader.cancel();
        throw tooMuch(`sent more than ${limit} bytes`);
      }
      handle ??= await fsp.open(part, 'a');
      await handle.write(value);
      total += value.length;
      received += value.length;
    }
  } finally {
    await handle?.close();
  }
  if (Number.isFinite(announced) && received !== announced) {
    throw new Error(`connection closed after ${received} of ${announced} bytes`);
  }
}
