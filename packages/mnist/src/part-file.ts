/**
 * The partial files of a download, safe when several downloads of one file run at once (threads of
 * one process or several processes): each download writes its own part file,
 * `<dest>.part.<pid>-<random>`, and only renames it to `<dest>` (atomic; the last identical copy
 * wins) once verified. Unfinished bytes are handed on: a download that gives up renames its part
 * to `<dest>.part`, and a new download takes over that file, or the part of a process that died
 * (Ctrl-C, a crash), by renaming it to its own name: a rename succeeds for one taker only.
 */
import { nodeCrypto, nodeFsPromises, nodePath } from './node-builtins.js';

const feature = 'downloadFile';

/** The part file that unfinished bytes are left in for the next download. */
export const sharedPartFile = (dest: string): string => `${dest}.part`;

/**
 * A new part file name for this download of `dest`; it already holds the bytes of an earlier,
 * unfinished download when one was left (the largest such file is taken), else it does not exist.
 */
export async function claimPartFile(dest: string): Promise<string> {
  const fsp = nodeFsPromises(feature);
  const path = nodePath(feature);
  const mine = `${dest}.part.${process.pid}-${nodeCrypto(feature).randomBytes(4).toString('hex')}`;
  const prefix = `${path.basename(dest)}.part.`;
  const names = await fsp.readdir(path.dirname(dest)).catch(() => []);
  const orphans = names
    .filter((n) => n.startsWith(prefix) && !isAlive(Number(/^(\d+)-/.exec(n.slice(prefix.length))?.[1])))
    .map((n) => path.join(path.dirname(dest), n));
  const candidates: { file: string; size: number }[] = [];
  for (const file of [sharedPartFile(dest), ...orphans]) {
    const size = await fsp.stat(file).then((s) => s.size, () => -1);
    if (size >= 0) candidates.push({ file, size });
  }
  candidates.sort((a, b) => b.size - a.size);
  for (const { file } of candidates) {
    try {
      await fsp.rename(file, mine);
      break; // taken over; a file another download took first is simply gone
    } catch {
      continue;
    }
  }
  return mine;
}

/**
 * Ends a download that did not finish: a non-empty part file becomes `<dest>.part` for the next
 * download, an empty one is removed. Returns the number of bytes kept (0: none).
 */
export async function releasePartFile(part: string, dest: string): Promise<number> {
  const fsp = nodeFsPromises(feature);
  const size = await fsp.stat(part).then((s) => s.size, () => 0);
  if (size === 0) {
    await fsp.rm(part, { force: true });
    return 0;
  }
  await fsp.rename(part, sharedPartFile(dest));
  return size;
}

/** Whether process `pid` is running (on this machine); not a pid at all counts as running, so its file is left alone. */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (e) {
    return !(e instanceof Error && 'code' in e && e.code === 'ESRCH');
  }
}
