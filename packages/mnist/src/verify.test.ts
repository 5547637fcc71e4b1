import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ChecksumError } from './checksum.js';
import { IdxError, encodeIdx } from './idx.js';
import { MNIST, embeddedMnistDir } from './mnist.js';

const work = mkdtempSync(join(tmpdir(), 'tsgrad-verify-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LABELS_SHA256 = 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'; // t10k-labels-idx1-ubyte
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const embedded = (file: string): Buffer => readFileSync(join(embeddedMnistDir(), file));

/** A folder with a copy of the embedded test split, labels as given. */
function testSplit(name: string, labels: { file: string; bytes: Uint8Array } = { file: 't10k-labels-idx1-ubyte', bytes: embedded('t10k-labels-idx1-ubyte') }): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(embeddedMnistDir(), 't10k-images-idx3-ubyte'), join(dir, 't10k-images-idx3-ubyte'));
  writeFileSync(join(dir, labels.file), labels.bytes);
  return dir;
}

describe('new MNIST({ root }) checks known files against their SHA-256', () => {
  it('refuses a standard file with flipped bits, naming it and both digests; verify: false loads it', () => {
    const labels = embedded('t10k-labels-idx1-ubyte');
    labels[5000] ^= 0x01; // label 5000 + 8: still a valid label, so only the checksum can tell
    const dir = testSplit('flipped', { file: 't10k-labels-idx1-ubyte', bytes: labels });
    const file = join(dir, 't10k-labels-idx1-ubyte');
    const load = (): MNIST => new MNIST({ train: false, root: dir });
    expect(load).toThrow(ChecksumError);
    expect(load).toThrow(
      `${file}: SHA-256 mismatch: expected ${LABELS_SHA256}, got ${sha256(labels)} ` +
        '(not the standard MNIST file t10k-labels-idx1-ubyte, or damaged; pass { verify: false } to load it anyway)',
    );
    expect(new MNIST({ train: false, root: dir, verify: false }).length).toBe(10000);
  });

  it('refuses a standard file of the wrong size before reading it', () => {
    const dir = testSplit('short', { file: 't10k-labels-idx1-ubyte', bytes: encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(1, 2, 3) }) });
    const load = (): MNIST => new MNIST({ train: false, root: dir });
    expect(load).toThrow(IdxError);
    expect(load).toThrow(
      `${join(dir, 't10k-labels-idx1-ubyte')}: 11 bytes, but the standard t10k-labels-idx1-ubyte has 10008 bytes: ` +
        'not the standard MNIST file t10k-labels-idx1-ubyte, or damaged; pass { verify: false } to load it anyway',
    );
  });

  it('accepts a .gz gzipped by someone else when it inflates to the standard file, and checks what it inflates to', () => {
    const good = testSplit('regzipped', { file: 't10k-labels-idx1-ubyte.gz', bytes: gzipSync(embedded('t10k-labels-idx1-ubyte'), { level: 1 }) });
    expect(new MNIST({ train: false, root: good }).labelCounts()).toEqual(TEST_COUNTS);
    const labels = embedded('t10k-labels-idx1-ubyte');
    labels[9000] ^= 0x02;
    const bad = testSplit('regzipped-bad', { file: 't10k-labels-idx1-ubyte.gz', bytes: gzipSync(labels) });
    expect(() => new MNIST({ train: false, root: bad })).toThrow(
      `${join(bad, 't10k-labels-idx1-ubyte.gz')} (inflated): SHA-256 mismatch: expected ${LABELS_SHA256}, got ${sha256(labels)}`,
    );
  });

  it('hashes a file once: a change that keeps size and mtime is not seen again, a new mtime is', () => {
    const dir = testSplit('cached');
    const file = join(dir, 't10k-labels-idx1-ubyte');
    const when = new Date(1_700_000_000_000); // whole seconds, so that the mtime can be set back exactly
    utimesSync(file, when, when);
    expect(new MNIST({ train: false, root: dir }).labelCounts()).toEqual(TEST_COUNTS);
    // Same size, same mtime, other bytes: the cached verdict stands (the file is not hashed again).
    const labels = embedded('t10k-labels-idx1-ubyte');
    labels[8] = labels[8] === 0 ? 1 : 0;
    writeFileSync(file, labels);
    utimesSync(file, when, when);
    expect(new MNIST({ train: false, root: dir }).length).toBe(10000);
    // A new mtime: hashed again, and refused.
    const later = new Date(1_700_000_100_000);
    utimesSync(file, later, later);
    expect(() => new MNIST({ train: false, root: dir })).toThrow(`SHA-256 mismatch: expected ${LABELS_SHA256}, got ${sha256(labels)}`);
  });

  it('checks your own files against the digests you give', () => {
    const images = encodeIdx({ dtype: 'uint8', shape: [2, 28, 28], data: new Uint8Array(2 * 784) });
    const labels = encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(3, 4) });
    const dir = join(work, 'own');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), images);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels);
    const checksums = { 'train-images-idx3-ubyte': sha256(images), 'train-labels-idx1-ubyte': sha256(labels) };
    expect(new MNIST({ root: dir, checksums }).labelCounts()).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    expect(() => new MNIST({ root: dir, checksums: { ...checksums, 'train-labels-idx1-ubyte': sha256(images) } })).toThrow(
      `${join(dir, 'train-labels-idx1-ubyte')}: SHA-256 mismatch: expected ${sha256(images)}, got ${sha256(labels)}`,
    );
    expect(() => new MNIST({ root: dir, checksums: { 'train-labels-idx1-ubyte': 'abc' } })).toThrow(
      'new MNIST(...): the SHA-256 of train-labels-idx1-ubyte: "abc" is not a SHA-256 digest (64 hexadecimal digits)',
    );
  });
});
