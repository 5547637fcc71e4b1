#!/usr/bin/env node
// `npm run mnist` and `npm test` build first, and a user should see only the CLI's or the tests'
// output: run turbo's build with its banner, summary and telemetry notice captured, and print what
// it said only when the build fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const turbo = fileURLToPath(new URL('../node_modules/.bin/turbo', import.meta.url));

const result = spawnSync(turbo, ['run', 'build', '--output-logs=errors-only'], {
  encoding: 'utf8',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
  shell: process.platform === 'win32',
});
if (result.error) {
  process.stderr.write(`build: could not start turbo (${result.error.message})\n`);
  process.exit(1);
}
if (result.status !== 0) {
  process.stderr.write(result.stdout + result.stderr);
  process.exit(result.status ?? 1);
}
