import { describe, expect, it } from 'vitest';
import { FunctionBody, valueType } from './assembler.js';
import { buildModule } from './module-builder.js';

/** Instantiates `bytes` on a fresh memory and returns its export `name`, checked to be a function. */
function exported(bytes: Uint8Array<ArrayBuffer>, name: string, memory = new WebAssembly.Memory({ initial: 1 })) {
  const fn = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports[name];
  if (typeof fn !== 'function') throw new Error(`no function ${name}`);
  return fn;
}

describe('buildModule', () => {
  it('builds a module the engine validates and runs', () => {
    const add = new FunctionBody([valueType.i32, valueType.i32], [valueType.i32]);
    add.localGet(0).localGet(1).i32Add();
    const bytes = buildModule([{ name: 'add', body: add }], { minimumPages: 1 });
    expect([...bytes.slice(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(exported(bytes, 'add')(2, 40)).toBe(42);
  });

  it('shares one type entry between functions of one signature; SIMD code works on the imported memory', () => {
    // scale(ptr): the four floats at ptr are multiplied by the float at ptr + 16.
    const scale = new FunctionBody([valueType.i32]);
    scale.localGet(0).localGet(0).v128Load(0).localGet(0).f32Load(16).f32x4Splat().f32x4Mul().v128Store(0);
    const scale2 = new FunctionBody([valueType.i32]);
    scale2.localGet(0).call(0).localGet(0).call(0);
    const bytes = buildModule([{ name: 'scale', body: scale }, { name: 'scaleTwice', body: scale2 }], { minimumPages: 1 });
    expect(bytes.slice(8, 11)).toEqual(Uint8Array.from([1, 5, 1])); // type section: 5 bytes, one type (i32) -> ()
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new Float32Array(memory.buffer);
    heap.set([1, 2, 3, 4, 10], 4);
    exported(bytes, 'scaleTwice', memory)(16);
    expect([...heap.subarray(4, 9)]).toEqual([100, 200, 300, 400, 10]);
  });

  it('declares shared memory with a maximum, and refuses shared without one', () => {
    const f = new FunctionBody([]);
    expect(WebAssembly.validate(buildModule([{ name: 'f', body: f }], { minimumPages: 1, maximumPages: 4, shared: true }))).toBe(true);
    expect(() => buildModule([{ name: 'f', body: f }], { minimumPages: 1, shared: true })).toThrow('buildModule: a shared memory needs maximumPages');
  });
});
