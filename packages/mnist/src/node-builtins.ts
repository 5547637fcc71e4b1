/**
 * Node's built-in modules, fetched at call time with `process.getBuiltinModule` (Node >= 20.16)
 * rather than imported: the package then has no static Node imports, so bundlers can use it for
 * the browser, and only the functions that read files or download need Node.
 */

function nodeProcess(feature: string): NodeJS.Process {
  const proc = typeof process === 'undefined' ? undefined : process;
  if (proc === undefined || typeof proc.getBuiltinModule !== 'function') {
    throw new Error(
      `${feature} needs Node.js >= 20.16 (files, gzip or downloads); in a browser use ` +
        `await MNIST.fromUrls(...) or await MNIST.fromBuffers(...)`,
    );
  }
  return proc;
}

export const nodeFs = (feature: string): typeof import('node:fs') => nodeProcess(feature).getBuiltinModule('node:fs');
export const nodeFsPromises = (feature: string): typeof import('node:fs/promises') =>
  nodeProcess(feature).getBuiltinModule('node:fs/promises');
export const nodeZlib = (feature: string): typeof import('node:zlib') => nodeProcess(feature).getBuiltinModule('node:zlib');
export const nodeCrypto = (feature: string): typeof import('node:crypto') => nodeProcess(feature).getBuiltinModule('node:crypto');
export const nodeOs = (feature: string): typeof import('node:os') => nodeProcess(feature).getBuiltinModule('node:os');
export const nodePath = (feature: string): typeof import('node:path') => nodeProcess(feature).getBuiltinModule('node:path');
export const nodeModule = (feature: string): typeof import('node:module') => nodeProcess(feature).getBuiltinModule('node:module');
