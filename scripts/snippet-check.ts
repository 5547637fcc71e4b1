// The check that an instrumented snippet calls where a line shows its output (see scripts/snippets.ts).
import { decodeSpecial, type Claim } from './snippets.js';

/** Values as a reader sees them: tensors and arrays by their values, typed arrays as plain arrays. */
function plain(v: unknown): unknown {
  if (v !== null && typeof v === 'object') {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (Array.isArray(v)) return v.map(plain);
    const toArray: unknown = Reflect.get(v, 'toArray');
    if (typeof toArray === 'function' && 'shape' in v) return plain(Reflect.apply(toArray, v, []));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Where `actual` differs from `expected`, as a path (`[1][0]`), or undefined when they match. */
export function mismatch(actual: unknown, expected: unknown, claim: Claim, path = ''): string | undefined {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return path || '(value)';
    if (Number.isNaN(expected)) return Number.isNaN(actual) ? undefined : path || '(value)';
    if (Object.is(expected, -0)) return Object.is(actual, -0) ? undefined : path || '(value)';
    if (!Number.isFinite(expected)) return actual === expected ? undefined : path || '(value)';
    const scale = Math.max(1, Math.abs(expected));
    const tol = claim.kind === 'exact' ? 1e-6 * Math.max(Math.abs(expected), 1e-30) + 1e-12 : claim.relative ? claim.tolerance * scale : claim.tolerance;
    return Math.abs(actual - expected) <= tol * (1 + 1e-9) ? undefined : path || '(value)';
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path || '(value)'} (length)`;
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(actual[i], expected[i], claim, `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return path || '(value)';
    const a = Object.keys(actual).sort().join(',');
    const e = Object.keys(expected).sort().join(',');
    if (a !== e) return `${path || '(value)'} (keys ${a} vs ${e})`;
    for (const k of Object.keys(expected)) {
      const m = mismatch(Reflect.get(actual, k), Reflect.get(expected, k), claim, `${path}.${k}`);
      if (m) return m;
    }
    return undefined;
  }
  if (typeof expected === 'string' && expected.includes('...') && typeof actual === 'string') {
    // `...` in a shown string stands for any text (a path, a long message).
    const pattern = expected.split('...').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*');
    return new RegExp(`^${pattern}$`).test(actual) ? undefined : path || '(value)';
  }
  return Object.is(actual, expected) ? undefined : path || '(value)';
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
}

/** Throws, naming the doc's file and line, when the value a snippet line computes is not the one its comment shows. */
export function check(get: () => unknown, encoded: Claim, where: string): void {
  const claim = { ...encoded, value: decodeSpecial(encoded.value) } as Claim;
  const raw = get();
  if (claim.kind === 'exact' && claim.type) {
    const name = raw?.constructor?.name;
    if (name !== claim.type) throw new Error(`${where}: the comment shows a ${claim.type}, the code gives ${String(name)}`);
  }
  const actual = plain(raw);
  const where_ = mismatch(actual, claim.value, claim);
  if (where_ !== undefined) {
    const how = claim.kind === 'exact' ? 'shows' : `shows (within ${claim.tolerance}${claim.relative ? ', relative' : ''})`;
    throw new Error(`${where}: the comment ${how} ${show(claim.value)}, the code gives ${show(actual)} (differs at ${where_})`);
  }
}

/** Throws unless `run` throws an error whose message contains `text` (where `...` stands for any text). */
export async function throws(run: () => Promise<void>, text: string, where: string): Promise<void> {
  try {
    await run();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const parts = text.split('...').map((part) => part.trim()).filter((part) => part !== '');
    let at = 0;
    for (const part of parts) {
      const found = message.indexOf(part, at);
      if (found < 0) throw new Error(`${where}: the comment shows an error with "${text}", the code throws "${message}"`);
      at = found + part.length;
    }
    return;
  }
  throw new Error(`${where}: the comment says this line throws, it did not`);
}
