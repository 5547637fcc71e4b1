#!/usr/bin/env node
// `npm run pack [-- <folder>]`: builds every package and writes its tarball into one folder (default
// `packs/`), so that the set can be installed before the packages are on the registry:
//   npm i <folder>/tsgrad-ndarray-0.1.0.tgz <folder>/tsgrad-autograd-0.1.0.tgz ...
// (a single tarball cannot be installed alone: npm would look for its @tsgrad dependencies on the registry).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'packs'));
const packages = readdirSync(join(root, 'packages')).filter((p) => statSync(join(root, 'packages', p, 'package.json'), { throwIfNoEntry: false }));

execFileSync(process.execPath, [join(root, 'scripts', 'build-quietly.mjs')], { stdio: 'inherit' });
mkdirSync(out, { recursive: true });
const tarballs = packages.map((p) => {
  const printed = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: join(root, 'packages', p), encoding: 'utf8' });
  return join(out, printed.trim().split('\n').pop() ?? '');
});
process.stdout.write(`${tarballs.length} packages packed into ${out}\ninstall the set in your project with:\n  npm i ${tarballs.join(' ')}\n`);
