/**
 * A Vite plugin that makes a built page work offline: it compiles ./service-worker.ts into
 * `sw.js` at the top of the build, with the build's own file list written in front of it
 * (`OFFLINE_MANIFEST`: the page, every script and stylesheet, the workers, the MNIST files), and
 * names it in the built page's `<meta name="tsgrad-service-worker">`, which the page registers.
 * The dev server gets neither, so it never runs a service worker. Runs in Node, inside Vite;
 * never in the page.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformWithOxc, type Plugin } from 'vite';
import type { OfflineManifest } from './service-worker.js';

/** The service worker's file name in the build (the page registers it by this name). */
export const SERVICE_WORKER_FILE = 'sw.js';

/**
 * The manifest for a build's files (name -> size in bytes): every file but source maps and the
 * service worker itself, plus `./` (the page as its folder's address), sorted; the version is a
 * hash of the names and sizes, so any change to the build is a new version.
 *
 * @example
 * offlineManifest(new Map([['index.html', 5199], ['assets/index-B.js', 21211]]));
 * // { version: '…', files: ['./', 'assets/index-B.js', 'index.html'] }
 */
export function offlineManifest(files: ReadonlyMap<string, number>): OfflineManifest {
  const names = [...files.keys()].filter((f) => !f.endsWith('.map') && f !== SERVICE_WORKER_FILE).sort();
  const hash = createHash('sha256');
  for (const name of names) hash.update(`${name}\0${files.get(name)}\n`);
  return { version: hash.digest('hex').slice(0, 16), files: ['./', ...names] };
}

/**
 * The plugin. Put it last, so that the files other plugins emit (MNIST) are in the list.
 *
 * @example
 * export default defineConfig({ plugins: [mnistFiles(), offlineFiles()] });
 */
export function offlineFiles(): Plugin {
  return {
    name: 'tsgrad-offline-files',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { name: 'tsgrad-service-worker', content: SERVICE_WORKER_FILE }, injectTo: 'head' }],
    async generateBundle(_, bundle) {
      const sizes = new Map<string, number>();
      for (const [name, file] of Object.entries(bundle)) {
        sizes.set(name, file.type === 'chunk' ? Buffer.byteLength(file.code) : typeof file.source === 'string' ? Buffer.byteLength(file.source) : file.source.length);
      }
      const path = fileURLToPath(new URL('./service-worker.ts', import.meta.url));
      const { code } = await transformWithOxc(readFileSync(path, 'utf8'), path, { lang: 'ts' });
      const manifest = offlineManifest(sizes);
      this.emitFile({ type: 'asset', fileName: SERVICE_WORKER_FILE, source: `const OFFLINE_MANIFEST = ${JSON.stringify(manifest)};\n${code}` });
    },
  };
}
