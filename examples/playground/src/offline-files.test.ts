import { describe, expect, it } from 'vitest';
import { offlineManifest } from './offline-files.js';

describe('offlineManifest', () => {
  const build = new Map([
    ['index.html', 5199],
    ['assets/worker-hId9H48x.js', 186110],
    ['assets/worker-hId9H48x.js.map', 400000],
    ['mnist/train-images-idx3-ubyte.gz', 9801223],
    ['sw.js', 3000],
  ]);

  it("lists the page's folder and every file but source maps and the service worker, sorted", () => {
    expect(offlineManifest(build).files).toEqual(['./', 'assets/worker-hId9H48x.js', 'index.html', 'mnist/train-images-idx3-ubyte.gz']);
  });

  it('is a new version when a file is renamed or changes size, the same one otherwise', () => {
    const v = offlineManifest(build).version;
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(offlineManifest(new Map(build)).version).toBe(v);
    expect(offlineManifest(new Map([...build, ['index.html', 5200]])).version).not.toBe(v);
    expect(offlineManifest(new Map([...build, ['sw.js', 1]])).version).toBe(v); // the worker itself is not listed
  });
});
