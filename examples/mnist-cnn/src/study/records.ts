import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TrainingCurves } from '../checkpoint.js';
import type { NetConfig } from '../network.js';

/** The settings of a recorded run; a run is redone when they change. */
export interface RunSettings {
  net: NetConfig;
  epochs: number;
  lr: number;
  seed: number;
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  /** Steps per epoch when cut (`--quick`, `--steps`); absent for whole epochs. */
  steps?: number;
}

/** One finished run of the study: a line of the results file. */
export interface RunRecord extends TrainingCurves {
  id: string;
  settings: RunSettings;
  accuracy: number;
  medianEpochSeconds: number;
  totalSeconds: number;
  stepsPerEpoch: number;
  finishedAt: string;
  machine: string;
}

/**
 * True when two runs were made with the same settings.
 *
 * @example
 * sameSettings(record.settings, settingsFor(experiment, options)); // false: rerun it
 */
export function sameSettings(a: RunSettings, b: RunSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Reads a JSON-lines results file (missing: no records). A torn last line, left by a run killed
 * while appending, is skipped; any other bad line is an error naming the file and line.
 *
 * @example
 * const done = readRecords('runs/study/results.jsonl');
 */
export function readRecords(path: string): RunRecord[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const records: RunRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      if (lines.slice(i + 1).every((l) => l.trim() === '')) return; // a torn last line
      throw new Error(`${path}:${i + 1}: not a JSON line (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!isRunRecord(value)) throw new Error(`${path}:${i + 1}: not a run record (needs id, settings, accuracy, epochTimes)`);
    records.push(value);
  });
  return records;
}

function isRunRecord(x: unknown): x is RunRecord {
  return (
    typeof x === 'object' &&
    x !== null &&
    'id' in x &&
    typeof x.id === 'string' &&
    'settings' in x &&
    typeof x.settings === 'object' &&
    'accuracy' in x &&
    typeof x.accuracy === 'number' &&
    'epochTimes' in x &&
    Array.isArray(x.epochTimes)
  );
}

/**
 * Appends one record as one line (a single write, so a crash leaves at most a torn last line).
 *
 * @example
 * appendRecord('runs/study/results.jsonl', record);
 */
export function appendRecord(path: string, record: RunRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}
