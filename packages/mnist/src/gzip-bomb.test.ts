import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx } from './idx.js';
import { MNIST, embeddedMnistDir } from './mnist.js';

// Gzip bombs: a small .gz file that inflates to more than a GiB. Each must fail with a typed error
// after a few MB, whichever way it is loaded. Vitest runs this file in a process of its own, so the
// process's peak RSS (maxRSS) shows what a bomb cost.

/**
 * A gzip stream of `head` then `mib` MiB of zeros, built from one compressed MiB repeated (about
 * 1 KiB each), so building a 1.28 GiB bomb costs 1.4 MB, not 1.28 GiB. Deflate data that ends in a
 * full flush is byte-aligned and refers to nothing before it, so copies can follow each other. The
 * trailer's CRC is left 0: a decoder that reached the end would fail there, and ours must stop long before.
 */
function gzipBomb(head: Uint8Array, mib: number): Uint8Array {
  const flush = { level: 9, finishFlush: constants.Z_FULL_FLUSH };
  const zeros = deflateRawSync(new Uint8Array(2 ** 20), flush);
  const parts: Uint8Array[] = [Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff), deflateRawSync(head, flush)];
  for (let i = 0; i < mib; i++) parts.push(zeros);
  parts.push(deflateRawSync(new Uint8Array(0))); // the final, empty block
  const trailer = new DataView(new ArrayBuffer(8));
  trailer.setUint32(4, (head.length + mib * 2 ** 20) % 2 ** 32, true); // ISIZE, the length mod 2^32
  parts.push(new Uint8Array(trailer.buffer));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

const MIB = 2 ** 20;
const work = mkdtempSync(join(tmpdir(), 'tsgrad-bomb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** How far this process's peak RSS has risen since the file started, in bytes. */
const baseline = process.resourceUsage().maxRSS * 1024;
const peakGrowth = (): number => process.resourceUsage().maxRSS * 1024 - baseline;

/** A folder with `bomb` as the training images and the real training labels. */
function folderWith(name: string, bomb: Uint8Array): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), bomb);
  copyFileSync(join(embeddedMnistDir(), 'train-labels-idx1-ubyte'), join(dir, 'train-labels-idx1-ubyte'));
  return dir;
}

// 1.28 GiB of zeros in 1.4 MB: no IDX header at all.
const zeros = gzipBomb(new Uint8Array(0), 1310);
// A valid header for 100 images (78,416 bytes), then 1.28 GiB of zeros.
const overlong = gzipBomb(encodeIdx({ dtype: 'uint8', shape: [100, 28, 28], data: new Uint8Array(100 * 784) }), 1310);
// A header that claims 10^9 images (784 GB).
const huge = gzipBomb(Uint8Array.of(0, 0, 8, 3, 0x3b, 0x9a, 0xca, 0x00, 0, 0, 0, 28, 0, 0, 0, 28), 1310);

describe('gzip bombs', () => {
  it('are small, and would inflate to more than a GiB', () => {
    expect(zeros.length).toBeLessThan(1.5 * MIB);
    expect(overlong.length).toBeLessThan(1.5 * MIB);
  });

  it('new MNIST({ root }) (what --data DIR does) stops each after a few MB, verified or not', () => {
    const zerosDir = folderWith('zeros', zeros);
    const overlongDir = folderWith('overlong', overlong);
    const hugeDir = folderWith('huge', huge);
    const file = (dir: string): string => join(dir, 'train-images-idx3-ubyte.gz');
    for (const verify of [true, false]) {
      expect(() => new MNIST({ root: zerosDir, verify })).toThrow(`${file(zerosDir)}: wrong magic number 0x00000000 (0)`);
      expect(() => new MNIST({ root: overlongDir, verify })).toThrow(
        `${file(overlongDir)}: gzip data expands to more than the 78416 bytes its IDX header declares ([100, 28, 28] uint8)`,
      );
      // Verified, a file named train-images may not be larger than the standard one (47040016 bytes);
      // unverified, no larger than MAX_GUNZIP_BYTES.
      const limit = verify ? 47040016 : 2 ** 30;
      expect(() => new MNIST({ root: hugeDir, verify })).toThrow(
        `${file(hugeDir)}: the IDX header declares [1000000000, 28, 28] uint8, a file of 784000000016 bytes, more than the limit of ${limit} bytes`,
      );
    }
    expect(peakGrowth()).toBeLessThan(48 * MIB);
  });

  it('MNIST.fromBuffers (the browser path) stops each after a few MB', async () => {
    const labels = encodeIdx({ dtype: 'uint8', shape: [100], data: new Uint8Array(100) });
    await expect(MNIST.fromBuffers({ images: zeros, labels })).rejects.toThrow('images: wrong magic number 0x00000000 (0)');
    await expect(MNIST.fromBuffers({ images: overlong, labels })).rejects.toThrow(
      'images: gzip data expands to more than the 78416 bytes its IDX header declares ([100, 28, 28] uint8)',
    );
    await expect(MNIST.fromBuffers({ images: huge, labels })).rejects.toThrow(
      'images: the IDX header declares [1000000000, 28, 28] uint8, a file of 784000000016 bytes, more than the limit of 1073741824 bytes',
    );
    expect(peakGrowth()).toBeLessThan(48 * MIB);
  });
});
