/**
 * Loading a dataset file checked against the known SHA-256 of the standard file (wherever it comes
 * from: a folder, a cache, the embedded copy), hashed once per process and again only when its
 * size or mtime changes.
 */
import { ChecksumError, rememberVerified, sha256Hex, wasVerified } from './checksum.js';
import { gunzipIdxSync, isGzip, MAX_GUNZIP_BYTES } from './decode.js';
import { IdxError, parseIdx, type IdxArray } from './idx.js';
import { nodeFs } from './node-builtins.js';

/** What a standard file is known to be: its name, SHA-256 and (when known) size in bytes. */
export interface KnownFile {
  name: string;
  sha256: string;
  size: number | undefined;
}

/**
 * Reads and parses the IDX file `file` (raw or gzipped), which must be `own` (the standard file of
 * its name) or, for a `.gz` file gzipped by someone else, inflate to `raw` (the standard raw
 * file). A file that is neither is refused with a `ChecksumError` (or, when its size already
 * differs, an `IdxError` before it is read); `note` tells the user how to load it anyway.
 */
export function readVerifiedIdxSync(file: string, own: KnownFile | undefined, raw: KnownFile | undefined, note: string): IdxArray {
  const fs = nodeFs('reading a dataset file');
  const rawLimit = raw?.size ?? MAX_GUNZIP_BYTES;
  const inflate = (bytes: Uint8Array): Uint8Array => (isGzip(bytes) ? gunzipIdxSync(bytes, file, rawLimit) : bytes);
  const stat = fs.statSync(file);
  if ((own !== undefined && wasVerified(file, stat, own.sha256)) || (raw !== undefined && wasVerified(file, stat, raw.sha256))) {
    return parseIdx(inflate(fs.readFileSync(file)), file);
  }
  // A standard file of the wrong size is refused before it is read (it may be huge).
  if (own?.size !== undefined && raw === undefined && stat.size !== own.size) {
    throw new IdxError(file, `${stat.size} bytes, but the standard ${own.name} has ${own.size} bytes: ${note}`);
  }
  const bytes = fs.readFileSync(file);
  if (own !== undefined) {
    const actual = sha256Hex(bytes, 'reading a dataset file');
    if (actual === own.sha256) {
      rememberVerified(file, stat, own.sha256);
      return parseIdx(inflate(bytes), file);
    }
    if (raw === undefined) throw new ChecksumError(file, own.sha256, actual, note);
  }
  if (raw === undefined) return parseIdx(inflate(bytes), file);
  // Gzipped by someone else: what it inflates to (never more than the raw file's size) must be the standard raw file.
  const data = inflate(bytes);
  const actual = sha256Hex(data, 'reading a dataset file');
  if (actual !== raw.sha256) throw new ChecksumError(`${file} (inflated)`, raw.sha256, actual, note);
  rememberVerified(file, stat, raw.sha256);
  return parseIdx(data, file);
}
