// `node scripts/readme-tables.mjs [--check]`: the README's results tables, generated, never typed.
//
// The study's result table is copied from docs/study/REPORT.md (itself written by the study's
// report generator from results.jsonl, and tested against it), the performance table from the
// "Training steps" section of docs/perf.md (the latest `npm run bench -- training` run). Each lands
// between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in README.md. With --check it
// writes nothing and exits 1 when the README differs (scripts/readme-tables.test.ts runs it).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

/** The first markdown table after the heading that starts with `heading`, as its lines. */
function tableAfter(text, heading, file) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`readme-tables: no heading "${heading}" in ${file}`);
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  if (first < 0) throw new Error(`readme-tables: no table after "${heading}" in ${file}`);
  let end = first;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  return lines.slice(first, end);
}

/** The README's study table: accuracy and epoch time of Tables 1 and 3 (2 epochs), study vs tsgrad vs PyTorch. */
function studyTable() {
  const report = read('docs/study/REPORT.md');
  const rows = [
    ['Table 1 (10 epochs)', '## Table 1:'],
    ['Table 3 (2 epochs)', '## Table 3 at 2 epochs'],
    ['Table 3 (10 epochs)', '## Table 3 at 10 epochs'],
  ];
  const out = ['| run | metric | study (its PC, PyTorch) | tsgrad | PyTorch 1.13, same machine |', '| --- | --- | --- | --- | --- |'];
  for (const [name, heading] of rows) {
    for (const line of tableAfter(report, heading, 'docs/study/REPORT.md').slice(2)) {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      if (!/Accuracy|Median Epoch Time/.test(cells[0])) continue;
      out.push(`| ${name} | ${cells[0].replace(/^\d+\. /, '')} | ${cells.slice(1).join(' | ')} |`);
    }
  }
  return out;
}

/** The README's performance table: the training-step table of docs/perf.md, as measured. */
function perfTable() {
  return tableAfter(read('docs/perf.md'), '## Training steps', 'docs/perf.md');
}

const blocks = {
  study: { lines: studyTable(), source: '[docs/study/REPORT.md](docs/study/REPORT.md)' },
  perf: { lines: perfTable(), source: '[docs/perf.md](docs/perf.md)' },
};

let readme = read('README.md');
for (const [name, { lines, source }] of Object.entries(blocks)) {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const a = readme.indexOf(open);
  const b = readme.indexOf(close);
  if (a < 0 || b < a) throw new Error(`readme-tables: README.md lacks the markers ${open} ... ${close}`);
  const body = `${open}\n<!-- written by scripts/readme-tables.mjs from ${source.replace(/^\[[^\]]*\]\(([^)]*)\)$/, '$1')}: do not edit -->\n${lines.join('\n')}\n\nFrom ${source}.\n`;
  readme = readme.slice(0, a) + body + readme.slice(b);
}

if (process.argv.includes('--check')) {
  if (readme !== read('README.md')) {
    console.error('README.md is out of date: run `node scripts/readme-tables.mjs`');
    process.exit(1);
  }
} else {
  const path = new URL('README.md.tmp', root);
  writeFileSync(path, readme);
  renameSync(path, new URL('README.md', root));
}
