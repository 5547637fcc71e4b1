import { describe, expect, it } from 'vitest';
import { FunctionBody, valueType } from './assembler.js';

describe('FunctionBody', () => {
  it('encodes size, local declarations grouped in runs, the code and end', () => {
    const f = new FunctionBody([valueType.i32]);
    expect([f.local(valueType.i32), f.local(valueType.i32), f.local(valueType.v128)]).toEqual([1, 2, 3]);
    f.localGet(0).localSet(1);
    // body: 2 runs (2 x i32, 1 x v128), local.get 0, local.set 1, end
    expect(f.encode()).toEqual([10, 2, 2, 0x7f, 1, 0x7b, 0x20, 0, 0x21, 1, 0x0b]);
  });

  it('writes immediates as LEB128 and SIMD opcodes behind the 0xfd prefix', () => {
    const f = new FunctionBody([]);
    f.i32Const(-1).i32Const(200);
    f.v128Load(16).v128Load32Splat(4).f32x4RelaxedMadd();
    expect(f.encode().slice(2, -1)).toEqual([
      0x41, 0x7f, 0x41, 0xc8, 0x01,        // i32.const -1, i32.const 200
      0xfd, 0x00, 4, 16, 0xfd, 0x09, 2, 4, // v128.load align=16 offset=16, v128.load32_splat align=4 offset=4
      0xfd, 0x85, 0x02,                    // f32x4.relaxed_madd = 0x105 as LEB128
    ]);
  });

  it('nests blocks and loops as the callbacks nest', () => {
    const f = new FunctionBody([]);
    f.block(() => { f.loop(() => { f.br(1); }); });
    expect(f.encode().slice(2, -1)).toEqual([0x02, 0x40, 0x03, 0x40, 0x0c, 1, 0x0b, 0x0b]);
  });
});
