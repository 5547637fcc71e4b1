import { describe, expect, it } from 'vitest';
import { offlineResponse, parseManifest, type ResponseCache } from './service-worker.js';

const origin = 'http://127.0.0.1:4173';
const cached = new Response('from the cache', { headers: { 'Cross-Origin-Embedder-Policy': 'require-corp' } });
const cache: ResponseCache = { match: async (r) => (r.url === `${origin}/index.html` ? cached : undefined) };
const offline = (): Promise<Response> => Promise.reject(new TypeError('Failed to fetch'));
const online = async (r: Request): Promise<Response> => new Response(`network: ${new URL(r.url).pathname}`);

describe('offlineResponse', () => {
  it("answers from the network while there is one, and from the cache (the server's headers kept) when not", async () => {
    const page = new Request(`${origin}/index.html`);
    expect(await (await offlineResponse(page, origin, cache, online))?.text()).toBe('network: /index.html');
    const fromCache = await offlineResponse(page, origin, cache, offline);
    expect(await fromCache?.text()).toBe('from the cache');
    expect(fromCache?.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
  });

  it("gives the network's error for a file that is not cached", async () => {
    await expect(offlineResponse(new Request(`${origin}/missing.js`), origin, cache, offline)).rejects.toThrow('Failed to fetch');
  });

  it('leaves other origins and methods to the browser', () => {
    expect(offlineResponse(new Request('https://example.com/x.js'), origin, cache, online)).toBeUndefined();
    expect(offlineResponse(new Request(`${origin}/index.html`, { method: 'POST', body: 'x' }), origin, cache, online)).toBeUndefined();
  });
});

describe('parseManifest', () => {
  it('reads a good manifest and names a bad field with its value', () => {
    expect(parseManifest({ version: 'a1', files: ['./', 'index.html'] })).toEqual({ version: 'a1', files: ['./', 'index.html'] });
    expect(() => parseManifest(null)).toThrow('offline manifest: expected an object, got null');
    expect(() => parseManifest({ version: '', files: [] })).toThrow('offline manifest: "version" must be a non-empty string, got ""');
    expect(() => parseManifest({ version: 'a1', files: ['a', 3] })).toThrow('offline manifest: "files" must be an array of strings, got ["a",3]');
  });
});
