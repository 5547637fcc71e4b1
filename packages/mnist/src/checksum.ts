import { nodeCrypto, nodeFs, nodePath } from './node-builtins.js';

/**
 * A file whose SHA-256 is not the expected one: a download (then deleted) or a file about to be
 * loaded. `note` says what happened to it and what to do.
 *
 * @example
 * ```ts
 * import { ChecksumError, MNIST } from '@tsgrad/mnist';
 * try { new MNIST({ root: 'data/mnist' }); } catch (e) { if (e instanceof ChecksumError) console.log(e.file, e.actual); }
 * ```
 */
export class ChecksumError extends Error {
  readonly file: string;
  readonly expected: string;
  readonly actual: string;
  constructor(file: string, expected: string, actual: string, note: string) {
    super(`${file}: SHA-256 mismatch: expected ${expected}, got ${actual} (${note})`);
    this.name = 'ChecksumError';
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * `digest` in lower case, checked to be a SHA-256 in hex (64 digits); `what` names it in the error.
 * Checked before any download, so a typo does not cost one.
 */
export function checkSha256Hex(digest: string, what: string): string {
  if (typeof digest !== 'string' || !/^[0-9a-fA-F]{64}$/.test(digest)) {
    throw new Error(`${what}: ${JSON.stringify(digest)} is not a SHA-256 digest (64 hexadecimal digits)`);
  }
  return digest.toLowerCase();
}

/** The SHA-256 of bytes in memory, hex (Node). */
export function sha256Hex(bytes: Uint8Array, feature: string): string {
  return nodeCrypto(feature).createHash('sha256').update(bytes).digest('hex');
}

/** The SHA-256 of a file, hex, read as a stream (Node). */
export async function sha256File(file: string, feature: string): Promise<string> {
  const hash = nodeCrypto(feature).createHash('sha256');
  for await (const chunk of nodeFs(feature).createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/** Files found good, by path: the size and mtime they had then, and the digest they matched. */
const verified = new Map<string, { size: number; mtimeMs: number; digest: string }>();

/**
 * Whether `file` was found to have the digest `digest` while it had its current size and mtime:
 * a file is hashed once per process, and again only when it changes.
 */
export function wasVerified(file: string, stat: { size: number; mtimeMs: number }, digest: string): boolean {
  const seen = verified.get(nodePath('wasVerified').resolve(file));
  return seen !== undefined && seen.size === stat.size && seen.mtimeMs === stat.mtimeMs && seen.digest === digest;
}

/** Records that `file`, with this size and mtime, has the digest `digest`. */
export function rememberVerified(file: string, stat: { size: number; mtimeMs: number }, digest: string): void {
  verified.set(nodePath('rememberVerified').resolve(file), { size: stat.size, mtimeMs: stat.mtimeMs, digest });
}
