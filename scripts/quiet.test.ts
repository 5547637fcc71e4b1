// A user should see only tsgrad's own output: no turbo banner before the CLI's, no Vite config
// warning before the tests', no install-script warning from `npm ci`.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd: string, args: string[]): { stdout: string; stderr: string; status: number | null } => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
};

describe('quiet commands', () => {
  it('npm run mnist -- --help prints npm\'s command line and then only the usage (no turbo banner)', () => {
    const r = run('npm', ['run', 'mnist', '--', '--help']);
    expect(r.status).toBe(0);
    const out = r.stdout + r.stderr;
    for (const noise of ['turbo', 'Tasks:', 'Attention', 'telemetry', 'Packages in scope']) expect(out).not.toContain(noise);
    const lines = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('> ')); // npm's own "> mnist" header
    expect(lines[0]).toBe('Usage: npm run mnist -- [options]');
  });

  it('the build wrapper prints nothing when the build succeeds', () => {
    const r = run(process.execPath, ['scripts/build-quietly.mjs']);
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });

  it('vitest loads its config without Vite\'s config-loader warning', () => {
    const r = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'list', 'scripts/quiet.test.ts']);
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('Vite config');
  });

  it('package.json decides on every dependency\'s install scripts, so npm ci has nothing to warn about', () => {
    const listed = execFileSync('npm', ['install-scripts', 'ls'], { cwd: root, encoding: 'utf8' });
    expect(listed).not.toMatch(/not yet covered by allowScripts/);
  });
});
