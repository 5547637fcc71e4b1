/**
 * The playground's service worker, so that the page works offline once it has loaded: it caches
 * every file of the build (the page, its scripts, the training worker, the four MNIST files)
 * when it installs, and answers a request from the network while there is one, from the cache
 * when there is not. A cached response is the server's own, headers included, so a page loaded
 * from the cache is still cross-origin isolated (COOP/COEP) and still gets SharedArrayBuffer.
 *
 * ./offline-files.ts builds it into `sw.js`, with the build's file list (`OFFLINE_MANIFEST`)
 * written in front, so every new build is a new service worker that caches its own files. Only
 * a built page registers it (as a module worker); the dev server never does. This file imports
 * nothing: it ships as one file.
 */

/** The build's files, relative to the page, and a version (a hash of their names and sizes). */
export interface OfflineManifest {
  version: string;
  files: string[];
}

/** The part of the Cache API the answers use (so that a test can hand in a Map). */
export interface ResponseCache {
  match(request: Request): Promise<Response | undefined>;
}

/** Caches of this page start with this; older versions are deleted when a new one activates. */
export const CACHE_PREFIX = 'tsgrad-playground-';

/**
 * The answer to `request`: the network's while it answers, else the cached copy, else the
 * network's error. Only same-origin GETs are answered here (undefined: the browser goes on
 * as if there were no service worker).
 *
 * @example
 * const answer = offlineResponse(event.request, self.location.origin, cache, fetch);
 * if (answer) event.respondWith(answer);
 */
export function offlineResponse(
  request: Request,
  origin: string,
  cache: ResponseCache,
  network: (request: Request) => Promise<Response>,
): Promise<Response> | undefined {
  if (request.method !== 'GET' || new URL(request.url).origin !== origin) return undefined;
  return network(request).catch(async (error: unknown) => {
    const cached = await cache.match(request);
    if (cached !== undefined) return cached;
    throw error;
  });
}

/**
 * Checks the manifest `sw.js` was built with; errors name the field and the value.
 *
 * @example
 * parseManifest({ version: 'a1', files: ['./', 'index.html'] }).files.length; // 2
 */
export function parseManifest(value: unknown): OfflineManifest {
  if (typeof value !== 'object' || value === null) throw new Error(`offline manifest: expected an object, got ${JSON.stringify(value)}`);
  const version: unknown = Reflect.get(value, 'version');
  const files: unknown = Reflect.get(value, 'files');
  if (typeof version !== 'string' || version === '') throw new Error(`offline manifest: "version" must be a non-empty string, got ${JSON.stringify(version)}`);
  if (!Array.isArray(files) || !files.every((f): f is string => typeof f === 'string')) {
    throw new Error(`offline manifest: "files" must be an array of strings, got ${JSON.stringify(files)?.slice(0, 80)}`);
  }
  return { version, files };
}

// ------------------------------------------------------------------ the worker itself

/** A service worker's events and scope, as far as this one uses them (lib.dom has no ServiceWorkerGlobalScope). */
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  readonly location: { readonly origin: string };
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate' | 'fetch', listener: (event: Event) => void): void;
}

const isExtendable = (e: Event): e is ExtendableEvent => 'waitUntil' in e;
const isFetch = (e: Event): e is FetchEvent => 'respondWith' in e && 'request' in e;

function isServiceWorkerScope(g: object): g is ServiceWorkerScope {
  return 'skipWaiting' in g && 'clients' in g && 'registration' in g;
}

/** Written in front of this file by the build (./offline-files.ts). */
declare const OFFLINE_MANIFEST: unknown;

/** Caches every file of the manifest, in a cache named for its version. */
async function install({ version, files }: OfflineManifest): Promise<void> {
  const cache = await caches.open(CACHE_PREFIX + version);
  await cache.addAll(files);
}

/** Deletes the caches of other versions, and takes the open pages over. */
async function activate({ version }: OfflineManifest, scope: ServiceWorkerScope): Promise<void> {
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX) && name !== CACHE_PREFIX + version) await caches.delete(name);
  }
  await scope.clients.claim();
}

// Runs only where it is a service worker's code (imported elsewhere, by a test, it does nothing).
const scope: object = globalThis;
if (isServiceWorkerScope(scope)) {
  const manifest = parseManifest(OFFLINE_MANIFEST);
  const cache: ResponseCache = {
    // ignoreVary: the server answers `Vary: Origin`, and a module script's request carries an
    // Origin header that the install's requests did not.
    match: async (request) => (await caches.open(CACHE_PREFIX + manifest.version)).match(request, { ignoreSearch: true, ignoreVary: true }),
  };
  scope.addEventListener('install', (event) => {
    if (isExtendable(event)) event.waitUntil(install(manifest).then(() => scope.skipWaiting()));
  });
  scope.addEventListener('activate', (event) => {
    if (isExtendable(event)) event.waitUntil(activate(manifest, scope));
  });
  scope.addEventListener('fetch', (event) => {
    if (!isFetch(event)) return;
    const answer = offlineResponse(event.request, scope.location.origin, cache, (r) => fetch(r));
    if (answer !== undefined) event.respondWith(answer);
  });
}
