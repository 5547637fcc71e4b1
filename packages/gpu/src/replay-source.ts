/**
 * A recorded argument at replay time: the one switch over `Source` that the host, webgpu and GL
 * replays share; each says only where it keeps the buffers.
 */
import type { Source } from './captured-step.js';

/** Where one replay finds each kind of recorded buffer (host arrays, device buffers, textures...). */
export interface BufferSources<B> {
  constant(data: Float32Array): B;
  value(index: number, offset: number, length: number): B;
  state(slot: number, offset: number, length: number): B;
  input(slot: number, offset: number, length: number): B;
}

/**
 * A recorded argument at replay time: numbers and optimizer scalars the same in every replay,
 * buffers from `at`, which knows where this replay keeps them.
 *
 * @example
 * const at: BufferSources<string> = { constant: () => 'c', value: (i) => `v${i}`, state: (s) => `s${s}`, input: (s) => `x${s}` };
 * resolveSource({ from: 'value', index: 2, offset: 0, length: 4 }, [], at); // 'v2'
 * resolveSource({ from: 'scalar', update: 0, index: 1 }, [[0.9, 0.999]], at); // 0.999
 */
export function resolveSource<B>(s: Source, scalars: readonly (readonly number[])[], at: BufferSources<B>): B | number {
  switch (s.from) {
    case 'number':
      return s.value;
    case 'scalar':
      return scalars[s.update][s.index];
    case 'constant':
      return at.constant(s.data);
    case 'value':
      return at.value(s.index, s.offset, s.length);
    case 'state':
      return at.state(s.slot, s.offset, s.length);
    case 'input':
      return at.input(s.slot, s.offset, s.length);
  }
}
