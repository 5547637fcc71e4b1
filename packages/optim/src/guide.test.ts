import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Runs every ```ts block of docs/guides/optimizers.md as its own module (imports resolve to the
// sources, as in the other tests); a block signals a wrong result by throwing.
const guide = readFileSync(new URL('../../../docs/guides/optimizers.md', import.meta.url), 'utf8');
const blocks = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const dir = new URL('../.cache/guide/', import.meta.url);

describe('docs/guides/optimizers.md', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(blocks.map((code, i) => [i + 1, code] as const))('example %i runs', async (i, code) => {
    mkdirSync(dir, { recursive: true });
    const file = new URL(`example-${i}.ts`, dir);
    writeFileSync(file, code);
    await import(/* @vite-ignore */ file.href);
  });
});
