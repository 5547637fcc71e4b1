import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { browserThreadsSupported, browserWorkerScript } from './browser-workers.js';

describe('browser worker threads', () => {
  it('are not offered outside a browser worker (Node has worker_threads instead)', () => {
    expect(browserThreadsSupported()).toBe(false);
  });

  it("run the Node worker's program with its workerData, after raising the ready flag", () => {
    // A worker's global scope, reduced to what the script touches.
    const posted: unknown[] = [];
    const scope: { onmessage: ((e: { data: unknown }) => void) | null; postMessage: (m: unknown) => void; Atomics: typeof Atomics } = {
      onmessage: null,
      postMessage: (m) => posted.push(m),
      Atomics,
    };
    const program = `
const { workerData } = require('node:worker_threads');
postMessage([workerData.slot, Atomics.load(workerData.ready, 1)]);`;
    runInNewContext(browserWorkerScript(program), scope);
    const ready = new Int32Array(new SharedArrayBuffer(8));
    const handler = scope.onmessage;
    if (handler === null) throw new Error('the script set no onmessage handler');
    handler({ data: { workerData: { slot: 32, ready }, ready, index: 1 } });
    expect(posted).toEqual([[32, 1]]); // the program saw its data, and its flag was already up
    expect(Array.from(ready)).toEqual([0, 1]);
    expect(scope.onmessage).toBe(null); // later messages are the program's business
  });

  it('name a module the program asks for that a browser does not have', () => {
    const scope: { onmessage: ((e: { data: unknown }) => void) | null; Atomics: typeof Atomics } = { onmessage: null, Atomics };
    runInNewContext(browserWorkerScript("require('node:fs');"), scope);
    const ready = new Int32Array(new SharedArrayBuffer(4));
    expect(() => scope.onmessage?.({ data: { workerData: {}, ready, index: 0 } })).toThrow(
      'tsgrad thread worker: cannot require "node:fs" in a browser',
    );
  });
});
