import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every TSDoc @example of the package runs: each ```ts block in a doc comment becomes its own
// module (relative imports pointed back at the sources) and must not throw.
const src = new URL('./', import.meta.url);
const dir = new URL('../.cache/examples/', import.meta.url);
const examples = readdirSync(src)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'test-fixtures.ts')
  .flatMap((file) => {
    const text = readFileSync(new URL(file, src), 'utf8');
    const comments = text.match(/\/\*\*[\s\S]*?\*\//g) ?? [];
    return comments.flatMap((comment) => {
      const lines = comment.split('\n').map((line) => line.replace(/^\s*\*( |$)/, ''));
      return [...lines.join('\n').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => ({ file, code: m[1], i }));
    });
  });

describe('TSDoc examples', () => {
  it('every source file with a public API has examples', () => {
    expect(new Set(examples.map((e) => e.file)).size).toBeGreaterThanOrEqual(9);
  });

  it.each(examples.map((e, n) => [`${e.file} #${n}`, e.code] as const))('%s runs', async (name, code) => {
    mkdirSync(dir, { recursive: true });
    const absolute = code.replace(/from '\.\/([\w-]+)\.js'/g, (_m, mod: string) => `from '${fileURLToPath(new URL(`${mod}.ts`, src))}'`);
    const file = new URL(`${name.replace(/[^\w]+/g, '-')}.ts`, dir);
    writeFileSync(file, `${absolute}\nexport {};\n`);
    await import(/* @vite-ignore */ file.href);
  });
});
