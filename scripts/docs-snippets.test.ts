// Every code example of the docs runs, and every output it shows in a comment is checked (rules in
// scripts/snippets.ts). A doc that drifts from the code fails here, naming the file and line.
// Sources: README.md, packages/*/README.md, examples/*/README.md, docs/**/*.md, and the TSDoc @examples of
// packages/*/src. New markdown under docs/ and new packages are picked up without touching this file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend, manualSeed, useBackend } from '@tsgrad/ndarray';
import { declaredNames, extractMarkdown, extractTsdoc, instrument, programs, usedNames, type Snippet } from './snippets.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, '.cache', 'snippets');
const checkModule = pathToFileURL(join(root, 'scripts', 'snippet-check.ts')).href;

function walk(dir: string, keep: (path: string) => boolean): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    return statSync(path).isDirectory() ? walk(path, keep) : keep(path) ? [path] : [];
  });
}

const packageDirs = readdirSync(join(root, 'packages')).filter((p) => statSync(join(root, 'packages', p)).isDirectory()).sort();
const exampleDirs = walk(join(root, 'examples'), (p) => p.endsWith('README.md'));
const markdownFiles = [
  join(root, 'README.md'),
  ...packageDirs.map((p) => join(root, 'packages', p, 'README.md')).filter((p) => statSync(p, { throwIfNoEntry: false })),
  ...exampleDirs,
  ...walk(join(root, 'docs'), (p) => p.endsWith('.md')),
];
const sourceFiles = packageDirs.flatMap((p) =>
  walk(join(root, 'packages', p, 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !/test-fixtures|testing/.test(f)),
);

const rel = (p: string): string => relative(root, p).split('\\').join('/');
const markdownPrograms = markdownFiles.flatMap((f) => programs(extractMarkdown(rel(f), readFileSync(f, 'utf8'))));
const tsdocPrograms = sourceFiles.flatMap((f) => programs(extractTsdoc(rel(f), readFileSync(f, 'utf8'))));

// The names each package (and each source file with examples) exports at run time, for the implicit imports
// of TSDoc examples.
const exportsOf = new Map<string, Set<string>>();
// Snippets run in a scratch folder, so that a file one writes (`writeFileSync('step.svg', ...)`) stays out of the repo.
const scratch = mkdtempSync(join(tmpdir(), 'tsgrad-snippets-'));
const home = process.cwd();
afterAll(() => {
  process.chdir(home);
  rmSync(scratch, { recursive: true, force: true });
});

beforeAll(async () => {
  process.chdir(scratch);
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  for (const p of packageDirs) {
    const mod: Record<string, unknown> = await import(/* @vite-ignore */ `@tsgrad/${p}`);
    exportsOf.set(p, new Set(Object.keys(mod)));
  }
  for (const f of new Set(tsdocPrograms.map((p) => p[0].file))) {
    const mod: Record<string, unknown> = await import(/* @vite-ignore */ pathToFileURL(join(root, f)).href);
    exportsOf.set(f, new Set(Object.keys(mod)));
  }
}, 120_000);

// A snippet that switches the backend or reseeds must not change the next one.
afterEach(() => {
  useBackend(cpuBackend);
  manualSeed(0);
});

/** The module text of a program: instrumented checks, relative imports made absolute, implicit imports added. */
function moduleText(program: readonly Snippet[]): { code: string; checks: number } {
  const first = program[0];
  // `import.meta.url` in an example is the URL of the file the reader sees it in (to find fixtures beside it).
  const { code: instrumented, checks } = instrument(program, checkModule);
  const code = instrumented.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(join(root, first.file)).href));
  if (first.kind === 'markdown') return { code: `${code}\nexport {};\n`, checks };
  const dir = dirname(join(root, first.file));
  const absolute = code.replace(/(from\s+|import\()'(\.\.?\/[^']+)\.js'/g, (_m, head: string, path: string) => `${head}'${pathToFileURL(join(dir, `${path}.ts`)).href}'`);
  const pkg = first.file.split('/')[1];
  const declared = declaredNames(absolute);
  const used = usedNames(program.map((s) => s.code).join('\n'));
  // Its own file's exports first (an example may show a helper the package keeps internal), then its package's.
  const order = [first.file, pkg, 'nn', 'autograd', 'optim', 'data', 'mnist', 'ndarray', ...packageDirs].filter((p, i, a) => a.indexOf(p) === i && exportsOf.has(p));
  const taken = new Set(declared);
  const imports: string[] = [];
  for (const p of order) {
    const names = [...used].filter((n) => !taken.has(n) && exportsOf.get(p)?.has(n));
    names.forEach((n) => taken.add(n));
    const from = p === first.file ? pathToFileURL(join(root, p)).href : `@tsgrad/${p}`;
    if (names.length) imports.push(`import { ${names.join(', ')} } from '${from}';`);
  }
  return { code: `${imports.join('\n')}\n${absolute}\nexport {};\n`, checks };
}

let serial = 0;
async function run(program: readonly Snippet[]): Promise<void> {
  const { code } = moduleText(program);
  const file = join(cache, `${String(serial++).padStart(4, '0')}-${program[0].file.replace(/[^\w]+/g, '-')}-${program[0].line}.ts`);
  writeFileSync(file, code);
  await import(/* @vite-ignore */ pathToFileURL(file).href);
}

// SNIPPETS=docs/guides runs only the programs of files whose path contains that text (for writing docs).
const only = process.env.SNIPPETS;
const selected = (p: readonly Snippet[]): boolean => only === undefined || p[0].file.includes(only);

const title = (p: readonly Snippet[]): string => `${p[0].file}:${p[0].line}${p.length > 1 ? ` (+${p.length - 1} continued)` : ''}`;

describe('markdown code blocks', () => {
  it('are found in the README and the docs', () => {
    expect(markdownPrograms.length).toBeGreaterThan(20);
  });
  for (const p of markdownPrograms.filter(selected)) {
    if (p[0].marker === 'skip') it.skip(`${title(p)}: ${p[0].reason}`, () => {});
    else it(title(p), () => run(p));
  }
});

describe('TSDoc @examples', () => {
  it('are found in every package', () => {
    const files = new Set(tsdocPrograms.map((p) => p[0].file.split('/')[1]));
    expect([...files].sort()).toEqual(packageDirs);
  });
  for (const p of tsdocPrograms.filter(selected)) {
    if (p[0].marker === 'skip') it.skip(`${title(p)}: ${p[0].reason}`, () => {});
    else it(title(p), () => run(p));
  }
});
