/**
 * Saving and loading safetensors files in Node. `save` writes to a temporary name beside the
 * target and renames it, so a crash never leaves a half-written file under the real name.
 *
 * `node:fs` is fetched at call time with `process.getBuiltinModule` (Node >= 20.16) rather
 * than imported, so @tsgrad/nn has no static Node import and bundles for the browser, where
 * `serialize`/`deserialize` work on bytes.
 */
import type { NDArray } from '@tsgrad/ndarray';
import { deserialize, serialize, type SafetensorsContents } from './safetensors.js';

function nodeFs(feature: string): typeof import('node:fs') {
  const proc = typeof process === 'undefined' ? undefined : process;
  if (proc === undefined || typeof proc.getBuiltinModule !== 'function') {
    throw new Error(`${feature} needs Node.js >= 20.16; in a browser use serialize() and deserialize() on bytes`);
  }
  return proc.getBuiltinModule('node:fs');
}

/**
 * Writes tensors (and optional string metadata) to a safetensors file at `path`, atomically:
 * the bytes go to `<path>.tmp-<pid>-<random>`, are flushed to disk, then renamed over `path`.
 *
 * @example
 * ```ts
 * import { zeros } from '@tsgrad/ndarray';
 * import { save, load } from '@tsgrad/nn';
 * save({ 'fc.weight': zeros([10, 64]) }, '/tmp/model.safetensors', { epoch: '1' });
 * load('/tmp/model.safetensors').tensors['fc.weight'].shape; // [10, 64]
 * ```
 */
export function save(record: Record<string, NDArray>, path: string, metadata?: Record<string, string>): void {
  const { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } = nodeFs('save');
  const bytes = serialize(record, metadata);
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Reads a safetensors file: its tensors and `__metadata__`. A malformed file is a
 * `SafetensorsError` that names `path`, the tensor and the byte offsets.
 *
 * @example
 * ```ts
 * import { zeros } from '@tsgrad/ndarray';
 * import { load, save } from '@tsgrad/nn';
 * save({ w: zeros([2, 2]) }, '/tmp/w.safetensors', { note: 'zeros' });
 * const { tensors, metadata } = load('/tmp/w.safetensors'); // tensors.w: [2, 2]; metadata.note: 'zeros'
 * ```
 */
export function load(path: string): SafetensorsContents {
  const file = nodeFs('load').readFileSync(path);
  return deserialize(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), { source: path });
}
