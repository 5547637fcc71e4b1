#!/usr/bin/env node
// The study's entry point (`npm run study -- ...`): reruns the CNN study and writes its report.
import { enableRelaxedSimd } from './relaxed-simd.js';
import { loadMnist } from './data.js';
import { studyExperiments } from './study/experiments.js';
import { parseStudyArgs, runStudy, settingsFor, STUDY_USAGE } from './study/run-study.js';

async function main(): Promise<void> {
  enableRelaxedSimd(); // fused multiply-adds on Node 20 too, before the first kernel compiles
  let parsed;
  try {
    parsed = parseStudyArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`study: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(STUDY_USAGE);
    return;
  }
  if (parsed.list) {
    for (const e of studyExperiments()) {
      const s = settingsFor(e, parsed.options);
      process.stdout.write(`${e.id.padEnd(34)} ${String(s.epochs).padStart(2)} epoch(s)${s.steps ? ` x ${s.steps} steps` : ''}  ${e.title}\n`);
    }
    return;
  }
  // The command that produces the runs (a --report-only rewrite names the run, not itself).
  const flags = process.argv.slice(2).filter((a) => a !== '--report-only');
  const command = ['npm run study', ...(flags.length > 0 ? ['--', ...flags] : [])].join(' ');
  await runStudy(parsed.options, () => loadMnist(), (line) => process.stdout.write(`${line}\n`), command);
}

main().catch((e: unknown) => {
  process.stderr.write(`study: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
