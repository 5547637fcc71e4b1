#!/usr/bin/env node
// The CLI's entry point (`npm run mnist -- ...`): parses the flags and runs; the work is in run.ts.
import { enableRelaxedSimd } from './relaxed-simd.js';
import { parseCli, USAGE } from './args.js';
import { runCli } from './run.js';

async function main(): Promise<void> {
  enableRelaxedSimd(); // fused multiply-adds on Node 20 too, before the first kernel compiles
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`mnist-cnn: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  // Ctrl-C stops after the current step and writes a checkpoint; a second Ctrl-C quits at once.
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const result = await runCli(parsed.options, process.stdout, controller.signal);
  if (result?.stopped) process.exitCode = 130;
}

main().catch((e: unknown) => {
  process.stderr.write(`mnist-cnn: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
