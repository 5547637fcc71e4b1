import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { check, mismatch, throws } from './snippet-check.js';
import { extractMarkdown, extractTsdoc, instrument, parseClaim, programs, splitComment } from './snippets.js';

describe('extractMarkdown', () => {
  const md = [
    '# T',
    '```ts',
    'const a = 1;',
    '```',
    '<!-- snippet: continue -->',
    '```js',
    'a; // 1',
    '```',
    '```sh',
    'npm test',
    '```',
    '<!-- snippet: skip needs a browser -->',
    '',
    '```ts',
    'window.alert(1);',
    '```',
  ].join('\n');
  const found = extractMarkdown('x.md', md);

  it('finds ts and js blocks with their first line and markers, not sh', () => {
    expect(found.map((s) => [s.line, s.marker, s.code])).toEqual([
      [3, undefined, 'const a = 1;'],
      [7, 'continue', 'a; // 1'],
      [15, 'skip', 'window.alert(1);'],
    ]);
    expect(found[2].reason).toBe('needs a browser');
  });

  it('joins a continued block to the one before it', () => {
    expect(programs(found).map((p) => p.length)).toEqual([2, 1]);
  });

  it('rejects a skip without a reason and a continue with nothing before it', () => {
    expect(() => extractMarkdown('x.md', '<!-- snippet: skip -->\n```ts\n1\n```')).toThrow('x.md:3: "snippet: skip" needs a reason');
    expect(() => programs(extractMarkdown('y.md', '<!-- snippet: continue -->\n```ts\n1\n```'))).toThrow('y.md:3');
  });
});

describe('extractTsdoc', () => {
  const src = [
    '/**',
    ' * Adds.',
    ' *',
    ' * @example',
    ' * add(1, 2); // 3',
    ' * @param a first',
    ' */',
    'export function add(a: number, b: number): number { return a + b; }',
    '/**',
    ' * @example',
    ' * ```ts',
    ' * // snippet: skip downloads',
    ' * await fetch(url);',
    ' * ```',
    ' */',
  ].join('\n');

  it('takes each @example up to the next tag, fenced or not, with its line', () => {
    const found = extractTsdoc('a.ts', src);
    expect(found.map((s) => [s.line, s.code, s.marker, s.reason])).toEqual([
      [5, 'add(1, 2); // 3', undefined, undefined],
      [12, '// snippet: skip downloads\nawait fetch(url);', 'skip', 'downloads'],
    ]);
  });
});

describe('parseClaim', () => {
  it('reads literals exactly, approximations loosely, and leaves prose alone', () => {
    expect(parseClaim(" [2, 3]")).toEqual([{ claim: { kind: 'exact', value: [2, 3] } }]);
    expect(parseClaim(" 'float32'")).toEqual([{ claim: { kind: 'exact', value: 'float32' } }]);
    expect(parseClaim(' { a: [1], "b": true }')).toEqual([{ claim: { kind: 'exact', value: { a: [1], b: true } } }]);
    expect(parseClaim(' ≈ 0.9: the first step')).toEqual([{ claim: { kind: 'approx', value: 0.9, tolerance: 10 ** -1, relative: false } }]);
    expect(parseClaim(' 0.6931...')).toEqual([{ claim: { kind: 'approx', value: 0.6931, tolerance: 10 ** -4, relative: false } }]);
    expect(parseClaim(' Float32Array [1, 2]')).toEqual([{ claim: { kind: 'exact', value: [1, 2], type: 'Float32Array' } }]);
    expect(parseClaim(' out = [4], idx = [1]')).toEqual([
      { target: 'out', claim: { kind: 'exact', value: [4] } },
      { target: 'idx', claim: { kind: 'exact', value: [1] } },
    ]);
    expect(parseClaim(' e.g. [3, 1]')).toBeUndefined();
    expect(parseClaim(' the first Conv2d')).toBeUndefined();
    expect(parseClaim(' 3 rows')).toBeUndefined();
  });
});

describe('splitComment', () => {
  it('ignores // inside strings', () => {
    expect(splitComment("fetch('https://x.org/a'); // 1")).toEqual({ code: "fetch('https://x.org/a'); ", comment: ' 1' });
  });
});

describe('checks', () => {
  it('match numbers to float32 precision and report where arrays differ', () => {
    expect(mismatch([0.10000000149011612], [0.1], { kind: 'exact', value: [0.1] })).toBeUndefined();
    expect(mismatch([[1, 2], [3, 5]], [[1, 2], [3, 4]], { kind: 'exact', value: 0 })).toBe('[1][1]');
    expect(mismatch(0.94, 0.9, { kind: 'approx', value: 0.9, tolerance: 0.1, relative: false })).toBeUndefined();
    expect(mismatch(1.2, 0.9, { kind: 'approx', value: 0.9, tolerance: 0.1, relative: false })).toBe('(value)');
    expect(mismatch('/root/.cache/tsgrad', '.../.cache/tsgrad', { kind: 'exact', value: 0 })).toBeUndefined();
  });

  it('throw naming the doc line', () => {
    expect(() => check(() => [1, 2], { kind: 'exact', value: [1, 3] }, 'doc.md:7')).toThrow('doc.md:7: the comment shows [1,3], the code gives [1,2]');
    expect(() => check(() => new Float64Array([1]), { kind: 'exact', value: [1], type: 'Float32Array' }, 'doc.md:8')).toThrow('Float32Array');
  });

  it('throws() wants an error with the shown text', async () => {
    await expect(throws(async () => {}, 'x', 'a.md:1')).rejects.toThrow('a.md:1: the comment says this line throws');
    await expect(throws(async () => { throw new Error('bad shape [2, 3]'); }, 'shape ... 3]', 'a.md:1')).resolves.toBeUndefined();
    await expect(throws(async () => { throw new Error('other'); }, 'shape', 'a.md:2')).rejects.toThrow('a.md:2');
  });
});

describe('instrument', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-snippets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const checkModule = pathToFileURL(join(import.meta.dirname, 'snippet-check.ts')).href;
  let n = 0;
  const run = async (code: string): Promise<void> => {
    const { code: text } = instrument([{ file: 'doc.md', line: 10, code, kind: 'markdown' }], checkModule);
    const file = join(dir, `m${n++}.ts`);
    writeFileSync(file, `${text}\nexport {};\n`);
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  };

  it('passes a doc whose comments are right', async () => {
    await run(['const xs = [1, 2, 3];', 'xs.length; // 3', 'const total = xs.reduce((a, b) => a + b); // 6', 'console.log(xs[0]); // 1', 'await Promise.resolve(7); // 7', "JSON.parse('x'); // throws: JSON"].join('\n'));
  });

  it('fails a doc that drifted, naming its line', async () => {
    await expect(run('const xs = [1, 2, 3];\nxs.length; // 4')).rejects.toThrow('doc.md:11: the comment shows 4, the code gives 3');
    await expect(run('const s = "a"; // "b"')).rejects.toThrow('doc.md:10');
  });

  it('leaves multi-line statements and prose alone', async () => {
    const { checks } = instrument([{ file: 'd.md', line: 1, code: 'f(\n  1); // 3\nx; // the x\ny; // 2', kind: 'markdown' }], checkModule);
    expect(checks).toBe(1);
  });

  it('drops an import a continued block repeats', () => {
    const { code } = instrument(
      [
        { file: 'd.md', line: 1, code: "import { a, b } from 'm';", kind: 'markdown' },
        { file: 'd.md', line: 5, code: "import { b, c } from 'm';", kind: 'markdown', marker: 'continue' },
      ],
      checkModule,
    );
    expect(code).toContain("import { a, b } from 'm';");
    expect(code).toContain("import { c } from 'm';");
  });
});
