import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIdx, decodeIdxSync } from './decode.js';
import { IdxError, encodeIdx, parseIdx, type IdxArray } from './idx.js';

/** Runs `f`; passes if it returns or throws an IdxError, fails on anything else. */
function onlyIdxErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof IdxError)) throw e;
  }
}

const dtypes = ['uint8', 'int8', 'int16', 'int32', 'float32', 'float64'] as const;

/** A random valid IDX array: up to 4 dims of up to 5, values of the dtype's range. */
const idxArray: fc.Arbitrary<IdxArray> = fc
  .tuple(fc.constantFrom(...dtypes), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }))
  .chain(([dtype, shape]): fc.Arbitrary<IdxArray> => {
    const n = shape.reduce((p, d) => p * d, 1);
    const ints = (min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: n, maxLength: n });
    const floats = fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n });
    switch (dtype) {
      case 'uint8': return ints(0, 255).map((v) => ({ dtype, shape, data: Uint8Array.from(v) }));
      case 'int8': return ints(-128, 127).map((v) => ({ dtype, shape, data: Int8Array.from(v) }));
      case 'int16': return ints(-32768, 32767).map((v) => ({ dtype, shape, data: Int16Array.from(v) }));
      case 'int32': return ints(-(2 ** 31), 2 ** 31 - 1).map((v) => ({ dtype, shape, data: Int32Array.from(v) }));
      case 'float32': return floats.map((v) => ({ dtype, shape, data: Float32Array.from(v) }));
      case 'float64': return floats.map((v) => ({ dtype, shape, data: Float64Array.from(v) }));
    }
  });

/** A mutation of a byte string: overwrite a byte, cut the end, or append bytes. */
type Mutation = { kind: 'set'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'append'; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    if (m.kind === 'set') {
      if (out.length > 0) out[m.at % out.length] = m.value;
    } else if (m.kind === 'cut') {
      out = out.slice(0, m.at % (out.length + 1));
    } else {
      out = Uint8Array.from([...out, ...m.bytes]);
    }
  }
  return out;
}

describe('IDX parser fuzzing', () => {
  it('random bytes give an array or an IdxError, nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => onlyIdxErrors(() => parseIdx(bytes, 'fuzz'))), { numRuns: 2000 });
  });

  it('random bytes behind a plausible header give an array or an IdxError', () => {
    const plausible = fc
      .tuple(fc.constantFrom(8, 9, 11, 12, 13, 14), fc.integer({ min: 0, max: 6 }), fc.uint8Array({ maxLength: 80 }))
      .map(([type, ndim, rest]) => Uint8Array.from([0, 0, type, ndim, ...rest]));
    fc.assert(fc.property(plausible, (bytes) => onlyIdxErrors(() => parseIdx(bytes, 'fuzz'))), { numRuns: 2000 });
  });

  it('valid files round-trip; mutated ones parse consistently or give an IdxError', () => {
    fc.assert(
      fc.property(idxArray, fc.array(mutation, { minLength: 1, maxLength: 3 }), (a, ms) => {
        const bytes = encodeIdx(a);
        expect(parseIdx(bytes).data).toEqual(a.data);
        onlyIdxErrors(() => {
          const parsed = parseIdx(mutate(bytes, ms), 'mutated');
          expect(parsed.data.length).toBe(parsed.shape.reduce((p, d) => p * d, 1));
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated gzip streams give an array or an IdxError, sync and async', async () => {
    await fc.assert(
      fc.asyncProperty(idxArray, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (a, ms) => {
        const bad = mutate(gzipSync(encodeIdx(a)), ms);
        onlyIdxErrors(() => decodeIdxSync(bad, 'fuzz.gz'));
        try {
          await decodeIdx(bad, 'fuzz.gz');
        } catch (e) {
          if (!(e instanceof IdxError)) throw e;
        }
      }),
      { numRuns: 200 },
    );
  });
});
