import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLog, type ParsedLog } from '../format.js';

/** The PyTorch reference logs of a folder, by name (file name without `.log`). */
export type PytorchLogs = Map<string, ParsedLog>;

/**
 * Reads every finished `*.log` in `dir` (those with an accuracy line); missing folder: none.
 *
 * @example
 * readPytorchLogs('docs/study/pytorch').get('t3-e2-seed0')?.accuracy; // 96.65
 */
export function readPytorchLogs(dir: string): PytorchLogs {
  const logs: PytorchLogs = new Map();
  if (!existsSync(dir)) return logs;
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.log')) continue;
    const parsed = parseLog(readFileSync(join(dir, file), 'utf8'));
    if (parsed.accuracy !== null) logs.set(file.slice(0, -'.log'.length), parsed);
  }
  return logs;
}

/**
 * The machine line of the PyTorch logs' folder (written by scripts/pytorch_baseline.sh), or null.
 *
 * @example
 * readPytorchMachine('docs/study/pytorch'); // 'os: Linux ...; cpu: AMD EPYC (2 cores); python: 3.11.2; torch: 1.13.0a0; threads: 1'
 */
export function readPytorchMachine(dir: string): string | null {
  const path = join(dir, 'machine.txt');
  if (!existsSync(path)) return null;
  return readFileSync(path, 'utf8').trim().split('\n').join('; ');
}
