// `node scripts/profile-summary.mjs FILE.cpuprofile [top]`: self time by function (name, file:line)
// from a V8 CPU profile (`node --cpu-prof`), the largest first, as a share of all samples.
import { readFileSync } from 'node:fs';

const [file, topArg = '30'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const self = new Map();
for (const [id, count] of hits) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + count);
}
const total = profile.samples.length;
for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) {
  console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %  ${key}`);
}
