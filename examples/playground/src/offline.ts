/**
 * The page's side of working offline: a built page registers the service worker (`sw.js`, see
 * ./service-worker.ts) and says when everything it needs is cached; under the dev server it
 * removes any service worker left from a build served on the same address, so that the dev
 * server's fresh files are always what runs.
 */

/**
 * Registers the service worker `script` (a built page's `sw.js`) and resolves with a sentence for
 * the page once it is active, that is once every file of the build is cached; with no script
 * (the dev server's page), unregisters any.
 *
 * @example
 * offlineStatus('sw.js').then((s) => (el.textContent = s));
 */
export async function offlineStatus(script: string | null): Promise<string> {
  if (!('serviceWorker' in navigator)) return 'This browser has no service workers: the page needs its server to reload.';
  if (script === null) {
    for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    return 'Dev server: no offline copy (build the page for one).';
  }
  await navigator.serviceWorker.register(script, { type: 'module' });
  await navigator.serviceWorker.ready;
  return 'Works offline: the page, its workers and MNIST are cached in this browser.';
}
