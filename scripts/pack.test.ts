// Every package installs on its own: pack it, install the tarball (and those of the @tsgrad packages it
// depends on, which are not on the registry yet) into an empty project outside the monorepo, then run a
// smoke script under both `import` and `require`. Needs the packages built (`npm test` builds first).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tsgrad-pack-'));

interface Smoke {
  /** Code that uses the package through `m` (the package) and `ag` (@tsgrad/autograd when installed) and prints one line. */
  body: string;
  expected: string;
}

// Each smoke exercises the package's main path with numbers we can check by hand.
const smokes: Record<string, Smoke> = {
  ndarray: { body: `console.log(m.array([1, 2, 3]).add(1).sum().item())`, expected: '9' },
  autograd: {
    body: `const x = m.tensor([1, 2, 3], { requiresGrad: true }); x.mul(x).sum().backward(); console.log(x.grad.toArray().join(','))`,
    expected: '2,4,6',
  },
  nn: { body: `const l = new m.Linear(3, 2); console.log(l.weight.shape.join('x') + ' ' + l.numParameters())`, expected: '2x3 8' },
  optim: {
    body: `const p = ag.tensor([1], { requiresGrad: true }); p.mul(p).sum().backward(); new m.SGD([p], { lr: 0.1 }).step(); console.log(p.data.item().toFixed(4))`,
    expected: '0.8000',
  },
  data: {
    body: `const ds = new m.TensorDataset(nd.arange(0, 10), nd.arange(10, 20)); const l = new m.DataLoader(ds, { batchSize: 4 }); console.log(l.length + ' ' + [...l][2][1].toArray().join(','))`,
    expected: '3 18,19',
  },
  gpu: {
    body: `const b = m.createGpuBackend('webasm'); nd.useBackend(b); console.log(nd.array([[1, 2], [3, 4]]).matmul(nd.array([[1], [1]])).toArray().join(',') + ' ' + b.describe().details.mode)`,
    expected: '3,7 webasm',
  },
  mnist: {
    body: `const t = new m.MNIST({ train: true }); console.log(t.length + ' ' + t.labelCounts().join(',') + ' ' + new m.MNIST({ train: false }).length)`,
    expected: '60000 5923,6742,5958,6131,5842,5421,5918,6265,5851,5949 10000',
  },
};

function deps(pkg: string): string[] {
  const json: { dependencies?: Record<string, string> } = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
  const internal = Object.keys(json.dependencies ?? {}).filter((d) => d.startsWith('@tsgrad/')).map((d) => d.slice('@tsgrad/'.length));
  return [...new Set([...internal.flatMap(deps), ...internal])];
}

const tarballs = new Map<string, string>();

beforeAll(() => {
  // `npm run pack -- <folder>`, as a user installing before the packages are published runs it.
  const printed = execFileSync('node', [join(root, 'scripts', 'pack.mjs'), work], { encoding: 'utf8' });
  for (const pkg of Object.keys(smokes)) {
    const tarball = printed.split(/\s+/).find((w) => w.endsWith('.tgz') && w.includes(`tsgrad-${pkg}-`));
    if (tarball === undefined) throw new Error(`npm run pack did not print a tarball for @tsgrad/${pkg}:\n${printed}`);
    tarballs.set(pkg, tarball);
  }
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('each package installs alone from its tarball', () => {
  for (const [pkg, smoke] of Object.entries(smokes)) {
    it(`@tsgrad/${pkg} works under import and require`, () => {
      const dir = mkdtempSync(join(work, `${pkg}-`));
      // Without an allowScripts field npm 11 runs every install script: gpu.js's optional `gl` would build
      // ANGLE from source (12 minutes here). A user declines it the same way (docs/guides/gpu.md, Install).
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'smoke', version: '1.0.0', private: true, allowScripts: { gl: false } }));
      const files = [...deps(pkg), pkg].map((p) => tarballs.get(p) ?? '');
      expect(execFileSync('tar', ['-tzf', tarballs.get(pkg) ?? ''], { encoding: 'utf8' })).toContain('package/README.md');
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files], { cwd: dir, stdio: 'pipe' });
      const has = (p: string): boolean => p === pkg || deps(pkg).includes(p);
      const esm = [
        `import * as m from '@tsgrad/${pkg}';`,
        has('ndarray') ? `import * as nd from '@tsgrad/ndarray';` : '',
        has('autograd') ? `import * as ag from '@tsgrad/autograd';` : '',
        smoke.body,
      ].join('\n');
      const cjs = [
        `const m = require('@tsgrad/${pkg}');`,
        has('ndarray') ? `const nd = require('@tsgrad/ndarray');` : '',
        has('autograd') ? `const ag = require('@tsgrad/autograd');` : '',
        smoke.body,
      ].join('\n');
      writeFileSync(join(dir, 'smoke.mjs'), esm);
      writeFileSync(join(dir, 'smoke.cjs'), cjs);
      expect(execFileSync('node', ['smoke.mjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe(smoke.expected);
      expect(execFileSync('node', ['smoke.cjs'], { cwd: dir, encoding: 'utf8' }).trim()).toBe(smoke.expected);
    }, 120_000);
  }
});
