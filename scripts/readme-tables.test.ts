import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The README's results tables are generated from the study report and docs/perf.md: a table typed
// by hand, or a report regenerated without rerunning the script, fails here.
describe('README results tables', () => {
  const script = new URL('./readme-tables.mjs', import.meta.url).pathname;

  it('match what scripts/readme-tables.mjs generates', () => {
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('hold the report\'s Table 3 accuracy and perf.md\'s Table 3 step row', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const report = readFileSync(new URL('../docs/study/REPORT.md', import.meta.url), 'utf8');
    const accuracy = /## Table 3 at 2 epochs[\s\S]*?\| 3\. Accuracy \| ([^|]+) \| ([^|]+) \|/.exec(report);
    expect(accuracy).not.toBeNull();
    expect(readme).toContain(`| Table 3 (2 epochs) | Accuracy | ${accuracy![1].trim()} | ${accuracy![2].trim()} |`);
    const perf = readFileSync(new URL('../docs/perf.md', import.meta.url), 'utf8');
    const row = perf.split('\n').find((l) => l.startsWith('| Table 3'));
    expect(readme).toContain(row!);
  });
});
