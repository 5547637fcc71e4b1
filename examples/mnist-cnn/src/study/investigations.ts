import { CONFIGS, describeNet, TABLE1 } from '../network.js';
import { sameSettings, type RunSettings } from './records.js';

/**
 * A question about some runs answered by an investigation kept in the repo. Its finding holds
 * for the runs it examined, so the report attaches it only to records of exactly those settings:
 * another learning rate, seed or a cut quick-pass run is a different run, which it never looked at.
 */
export interface Investigation {
  /** Its folder under scripts/investigations/. */
  id: string;
  /** The runs it examined, as the study records their settings. */
  runs: readonly RunSettings[];
  /** What it found about those runs, as one paragraph of the report. */
  finding: string;
}

const studyRun = (lr: number): RunSettings => ({ net: TABLE1, epochs: 10, lr, seed: 0, batchSize: 64, optimizer: 'adam' });

/** The investigations of the study's runs (scripts/investigations/). */
export const INVESTIGATIONS: readonly Investigation[] = [
  {
    id: 'lr-collapse',
    runs: [studyRun(0.009), studyRun(0.01)],
    finding:
      'both conv2 ReLU features die within about 30 steps (zero for every image, so neither value nor gradient ' +
      'passes). This is the network, not tsgrad: PyTorch started from tsgrad\'s seed-0 weights and fed the same ' +
      'batches gives the same per-step losses (to 5e-7 over the first 300 steps) and dies the same way, and from ' +
      'its own initialisation 2 of 5 PyTorch seeds collapse at lr 0.01 too.',
  },
];

/**
 * The investigations that examined a run of exactly these settings.
 *
 * @example
 * investigationsOf({ net: TABLE1, epochs: 10, lr: 0.01, seed: 0, batchSize: 64, optimizer: 'adam' })[0]?.id; // 'lr-collapse'
 * investigationsOf({ net: TABLE1, epochs: 2, lr: 0.01, seed: 0, batchSize: 64, optimizer: 'adam', steps: 200 }); // []
 */
export function investigationsOf(settings: RunSettings, all: readonly Investigation[] = INVESTIGATIONS): Investigation[] {
  return all.filter((inv) => inv.runs.some((r) => sameSettings(r, settings)));
}

/**
 * A list as words.
 *
 * @example
 * inWords(['a', 'b', 'c']); // 'a, b and c'
 */
export function inWords(xs: readonly string[]): string {
  return xs.length <= 2 ? xs.join(' and ') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1) ?? ''}`;
}

/**
 * How an investigation's runs read in the report (runs that differ only in the learning rate).
 *
 * @example
 * describeRuns(INVESTIGATIONS[0].runs); // 'lr 0.009 and 0.01 (table1 network, 10 whole epochs, seed 0, batch 64, Adam)'
 */
export function describeRuns(runs: readonly RunSettings[]): string {
  const first = runs[0];
  if (!first) return 'no runs';
  const net = Object.entries(CONFIGS).find(([, c]) => describeNet(c) === describeNet(first.net))?.[0] ?? describeNet(first.net);
  const epochs = first.steps ? `${first.epochs} epochs of ${first.steps} steps` : `${first.epochs} whole epochs`;
  return (
    `lr ${inWords(runs.map((r) => String(r.lr)))} (${net} network, ${epochs}, ` +
    `seed ${first.seed}, batch ${first.batchSize}, ${first.optimizer === 'adam' ? 'Adam' : 'SGD'})`
  );
}
