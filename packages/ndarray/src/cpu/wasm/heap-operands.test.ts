import { describe, expect, it } from 'vitest';
import { copyOut, operandAt, resultAt } from './heap-operands.js';
import { createWasmRuntime } from './runtime.js';

describe('operandAt, resultAt, copyOut', () => {
  const rt = createWasmRuntime(false, true);
  const [scratchAt] = rt.scratch([16]);
  // An array over a block of the runtime's memory, as CPU storage is on a shared memory.
  const block = rt.allocator.allocate(64, true), inMemory = new Float32Array(rt.buffer(), block, 16);

  it('copy a JavaScript array into scratch and its result back out', () => {
    rt.heap().fill(-1, scratchAt, scratchAt + 16);
    expect(operandAt(rt, Float32Array.of(1, 2, 3, 4), 1, 2, scratchAt)).toBe(scratchAt);
    expect(Array.from(rt.heap().subarray(scratchAt, scratchAt + 3))).toEqual([2, 3, -1]);
    const out = new Float32Array(3);
    const at = resultAt(rt, out, 1, scratchAt);
    expect(at).toBe(scratchAt);
    copyOut(rt, out, 1, 2, at, scratchAt);
    expect(Array.from(out)).toEqual([0, 2, 3]);
  });

  it('use an array in wasm memory where it is, copying nothing', () => {
    inMemory.set([5, 6, 7]);
    rt.heap().fill(-1, scratchAt, scratchAt + 16);
    expect(operandAt(rt, inMemory, 1, 2, scratchAt)).toBe(block / 4 + 1);
    expect(rt.heap()[scratchAt]).toBe(-1);
    const at = resultAt(rt, inMemory, 2, scratchAt);
    expect(at).toBe(block / 4 + 2);
    rt.heap()[at] = 9;
    copyOut(rt, inMemory, 2, 1, at, scratchAt); // written in place: nothing to copy
    expect(Array.from(inMemory.subarray(0, 3))).toEqual([5, 6, 9]);
  });
});
