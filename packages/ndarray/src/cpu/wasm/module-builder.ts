/**
 * Assembles a WebAssembly module from function bodies: the binary format's header and the
 * sections a kernel module needs, in the order the spec requires (type, import, function,
 * export, code). The module imports its linear memory as `env.memory`, so JavaScript creates
 * it, grows it and reads results out of it.
 */
import type { FunctionBody } from './assembler.js';
import { unsignedLeb128 } from './leb128.js';

/** A function to export under `name`. */
export interface ExportedFunction {
  name: string;
  body: FunctionBody;
}

/** How the imported memory is declared: its minimum size in 64 KiB pages, and shared or not (shared needs a maximum). */
export interface MemoryImport {
  minimumPages: number;
  maximumPages?: number;
  shared?: boolean;
}

const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // "\0asm", version 1
const FUNCTION_TYPE = 0x60;
const EXTERNAL_FUNCTION = 0x00;
const EXTERNAL_MEMORY = 0x02;

/** A vector: its length, then the items. */
function vector(items: number[][]): number[] {
  return [...unsignedLeb128(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const utf8 = [...new TextEncoder().encode(text)];
  return [...unsignedLeb128(utf8.length), ...utf8];
}

function section(id: number, contents: number[]): number[] {
  return [id, ...unsignedLeb128(contents.length), ...contents];
}

function limits(memory: MemoryImport): number[] {
  if (memory.maximumPages === undefined) {
    if (memory.shared === true) throw new Error('buildModule: a shared memory needs maximumPages');
    return [0x00, ...unsignedLeb128(memory.minimumPages)];
  }
  const flags = memory.shared === true ? 0x03 : 0x01;
  return [flags, ...unsignedLeb128(memory.minimumPages), ...unsignedLeb128(memory.maximumPages)];
}

/**
 * The bytes of a module exporting `functions` and importing its memory as `env.memory`.
 *
 * @example
 * import { FunctionBody, valueType } from './assembler.js';
 * const add = new FunctionBody([valueType.i32, valueType.i32], [valueType.i32]);
 * add.localGet(0).localGet(1).i32Add();
 * const bytes = buildModule([{ name: 'add', body: add }], { minimumPages: 1 });
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
 * (instance.exports.add as (a: number, b: number) => number)(2, 3); // 5
 */
export function buildModule(functions: readonly ExportedFunction[], memory: MemoryImport): Uint8Array<ArrayBuffer> {
  // One type entry per distinct signature.
  const signatures: string[] = [];
  const typeIndex = functions.map(({ body }) => {
    const key = JSON.stringify([body.params, body.results]);
    if (!signatures.includes(key)) signatures.push(key);
    return signatures.indexOf(key);
  });
  const types = signatures.map((key) => {
    const [params, results] = JSON.parse(key) as [number[], number[]];
    return [FUNCTION_TYPE, ...vector(params.map((t) => [t])), ...vector(results.map((t) => [t]))];
  });
  const bytes = [
    ...MAGIC_AND_VERSION,
    ...section(1, vector(types)),
    ...section(2, vector([[...name('env'), ...name('memory'), EXTERNAL_MEMORY, ...limits(memory)]])),
    ...section(3, vector(typeIndex.map((t) => unsignedLeb128(t)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), EXTERNAL_FUNCTION, ...unsignedLeb128(i)]))),
    ...section(10, vector(functions.map((f) => f.body.encode()))),
  ];
  return Uint8Array.from(bytes);
}
