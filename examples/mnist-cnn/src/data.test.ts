import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedMnistDir, IdxError } from '@tsgrad/mnist';
import { loadMnist } from './data.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--data DIR', () => {
  it('a gzip bomb as the training images fails with a typed error after a few MB (1.4 MB that inflate to 1.28 GiB)', async () => {
    // One compressed MiB of zeros ending in a full flush, repeated 1310 times (see packages/mnist/src/gzip-bomb.test.ts).
    const mib = deflateRawSync(new Uint8Array(2 ** 20), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
    const parts = [Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff), ...Array<Uint8Array>(1310).fill(mib), deflateRawSync(new Uint8Array(0)), new Uint8Array(8)];
    const bomb = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (bomb.set(p, at), at + p.length), 0);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), bomb);
    copyFileSync(join(embeddedMnistDir(), 'train-labels-idx1-ubyte'), join(dir, 'train-labels-idx1-ubyte'));

    const before = process.resourceUsage().maxRSS * 1024;
    const load = loadMnist({ data: dir });
    await expect(load).rejects.toThrow(IdxError);
    await expect(load).rejects.toThrow(`${join(dir, 'train-images-idx3-ubyte.gz')}: wrong magic number 0x00000000 (0)`);
    expect(process.resourceUsage().maxRSS * 1024 - before).toBeLessThan(48 * 2 ** 20);
  });
});
