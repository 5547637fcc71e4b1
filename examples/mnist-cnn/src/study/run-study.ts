import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { networkSvg } from '../diagram.js';
import { median } from '../format.js';
import { buildModel, TABLE1, TABLE3 } from '../network.js';
import { writeFileAtomic } from '../run.js';
import { train, type ImageDataset } from '../train.js';
import { studyExperiments, type Experiment } from './experiments.js';
import { machineLine } from './machine.js';
import { readPytorchLogs, readPytorchMachine } from './pytorch-logs.js';
import { appendRecord, readRecords, sameSettings, type RunRecord, type RunSettings } from './records.js';
import { buildReport } from './report.js';

/** The study's options. */
export interface StudyOptions {
  quick: boolean;
  /** Run only these experiment ids (all when empty). */
  only: string[];
  /** Write the report from the recorded runs without training. */
  reportOnly: boolean;
  /** Working folder: results.jsonl and per-run checkpoints. */
  runsDir: string;
  /** Where the report, its charts and a copy of the results go. */
  outDir: string;
  pytorchDir: string;
  /** Cap every epoch at this many steps (the quick pass: 200). */
  steps?: number;
}

/** What `npm run study -- --help` prints. */
export const STUDY_USAGE = `Usage: npm run study -- [options]

Reruns every experiment of the CNN study with tsgrad (Tables 1-3, the learning-rate sweeps, the
pool variants), recording each finished run, then writes docs/study/REPORT.md with charts.
An interrupted study resumes where it stopped.

  --quick            a fast pass: at most 2 epochs of at most 200 steps per run;
                     records in runs/study-quick/, report in docs/study/quick/
  --only <ids>       run only these experiments (comma-separated ids; see --list)
  --steps <n>        cap every epoch at n steps
  --report-only      write the report from the recorded runs, train nothing (with no
                     runs/ folder: from the results.jsonl committed beside the report)
  --list             print the experiments and exit
  --help             print this help
`;

/**
 * Parses the study's flags, or throws an error naming the bad one.
 *
 * @example
 * parseStudyArgs(['--quick']).options.outDir; // 'docs/study/quick'
 */
export function parseStudyArgs(argv: readonly string[]): { help: boolean; list: boolean; options: StudyOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        steps: { type: 'string' },
        'report-only': { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)} (see --help)`);
  }
  const quick = values.quick === true;
  let steps = quick ? 200 : undefined;
  if (values.steps !== undefined) {
    if (!/^\d+$/.test(values.steps) || Number(values.steps) < 1) throw new Error(`--steps: expected a positive integer, got "${values.steps}"`);
    steps = Number(values.steps);
  }
  const known = new Set(studyExperiments().map((e) => e.id));
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
  for (const id of only) if (!known.has(id)) throw new Error(`--only: unknown experiment "${id}" (see --list)`);
  return {
    help: values.help === true,
    list: values.list === true,
    options: {
      quick,
      only,
      reportOnly: values['report-only'] === true,
      runsDir: quick ? 'runs/study-quick' : 'runs/study',
      outDir: quick ? 'docs/study/quick' : 'docs/study',
      pytorchDir: 'docs/study/pytorch',
      steps,
    },
  };
}

/**
 * An experiment's settings as run under these options (the quick pass cuts epochs and steps).
 *
 * @example
 * settingsFor(table2, parseStudyArgs(['--quick']).options); // { epochs: 2, steps: 200, ... }
 */
export function settingsFor(e: Experiment, options: Pick<StudyOptions, 'quick' | 'steps'>): RunSettings {
  const settings: RunSettings = {
    net: e.net,
    epochs: options.quick ? Math.min(e.epochs, 2) : e.epochs,
    lr: e.lr,
    seed: e.seed,
    batchSize: 64,
    optimizer: 'adam',
  };
  if (options.steps !== undefined) settings.steps = options.steps;
  return settings;
}

/**
 * Runs the study: every experiment not yet recorded with the same settings (each resumable
 * from its checkpoint), then the report. MNIST is loaded (`loadData`) only when a run is due;
 * `log` receives progress lines.
 *
 * @example
 * await runStudy(parseStudyArgs(['--quick']).options, () => loadMnist(), console.log, 'npm run study -- --quick');
 */
export async function runStudy(
  options: StudyOptions,
  loadData: () => Promise<{ train: ImageDataset; test: ImageDataset }>,
  log: (line: string) => void,
  command: string,
): Promise<void> {
  const resultsPath = join(options.runsDir, 'results.jsonl');
  const experiments = studyExperiments();
  const machine = machineLine();
  let data: { train: ImageDataset; test: ImageDataset } | undefined;
  if (!options.reportOnly) {
    const todo = experiments.filter((e) => options.only.length === 0 || options.only.includes(e.id));
    for (const [i, e] of todo.entries()) {
      const settings = settingsFor(e, options);
      const done = readRecords(resultsPath).find((r) => r.id === e.id && sameSettings(r.settings, settings));
      if (done) {
        log(`[${i + 1}/${todo.length}] ${e.id}: recorded (${done.accuracy.toFixed(2)} %)`);
        continue;
      }
      log(`[${i + 1}/${todo.length}] ${e.id}: ${e.title}; running ${settings.epochs} epoch(s)${settings.steps ? ` of ${settings.steps} steps` : ''}`);
      data ??= await loadData();
      const ckptDir = join(options.runsDir, 'checkpoints');
      mkdirSync(ckptDir, { recursive: true });
      const ckpt = join(ckptDir, `${e.id}.safetensors`);
      const result = await train(
        { net: e.net, epochs: settings.epochs, batchSize: settings.batchSize, lr: e.lr, optimizer: 'adam', seed: e.seed, steps: settings.steps, evalEveryEpoch: e.evalEveryEpoch },
        data,
        {
          checkpoint: { save: ckpt, resume: ckpt, resumeIfExists: true, saveEverySteps: 300 },
          hooks: {
            onStart: (s) => s.resumedFrom && log(`  resuming at epoch ${s.epoch}, step ${s.step}`),
            onEpochEnd: (s) => log(`  epoch ${s.epoch}: ${s.seconds.toFixed(1)} s, mean loss ${s.meanLoss.toFixed(4)}`),
            onEvaluate: (s) => log(`  test accuracy ${s.accuracy.toFixed(2)} %`),
          },
        },
      );
      const record: RunRecord = {
        id: e.id,
        settings,
        accuracy: result.accuracy,
        epochTimes: result.epochTimes,
        medianEpochSeconds: median(result.epochTimes),
        totalSeconds: result.totalSeconds,
        epochAccuracies: result.epochAccuracies,
        epochLosses: result.epochLosses,
        lossLog: result.lossLog,
        printedLosses: result.printedLosses,
        stepsPerEpoch: result.stepsPerEpoch,
        finishedAt: new Date().toISOString(),
        machine,
      };
      appendRecord(resultsPath, record);
      rmSync(ckpt, { force: true });
    }
  }
  writeStudyReport(options, experiments, machine, command);
  log(`Wrote ${join(options.outDir, 'REPORT.md')}`);
}

/**
 * The results file a report is built from: the runs folder's, or, when there are no runs here (a
 * fresh clone), the copy committed beside the report, so `--report-only` regenerates it as is.
 *
 * @example
 * studyResultsPath(parseStudyArgs(['--quick']).options); // 'runs/study-quick/results.jsonl' or 'docs/study/quick/results.jsonl'
 */
export function studyResultsPath(options: Pick<StudyOptions, 'runsDir' | 'outDir'>): string {
  const runs = join(options.runsDir, 'results.jsonl');
  return existsSync(runs) ? runs : join(options.outDir, 'results.jsonl');
}

/**
 * The report's files (REPORT.md, its charts, the network diagrams) by name, built from the
 * recorded runs and the PyTorch logs alone: the same records give the same files.
 *
 * @example
 * studyReportFiles(parseStudyArgs(['--quick']).options, studyExperiments(), machineLine(), 'npm run study -- --quick')['REPORT.md'];
 */
export function studyReportFiles(options: StudyOptions, experiments: readonly Experiment[], machine: string, command: string): Record<string, string> {
  const resultsPath = studyResultsPath(options);
  const records = new Map<string, RunRecord>();
  for (const e of experiments) {
    const settings = settingsFor(e, options);
    const r = readRecords(resultsPath).filter((x) => x.id === e.id && sameSettings(x.settings, settings)).at(-1);
    if (r) records.set(e.id, r);
  }
  const report = buildReport({
    experiments,
    records,
    pytorch: readPytorchLogs(options.pytorchDir),
    pytorchMachine: readPytorchMachine(options.pytorchDir),
    pytorchLink: relative(options.outDir, options.pytorchDir),
    repoLink: relative(options.outDir, '.') || '.',
    machine: records.values().next().value?.machine ?? machine,
    command,
    quick: options.quick,
    // The day the last run finished: the report describes the runs, so regenerating it changes nothing.
    date: [...records.values()].map((r) => r.finishedAt.slice(0, 10)).sort().at(-1) ?? new Date().toISOString().slice(0, 10),
  });
  return {
    ...report.charts,
    'network-table1.svg': networkSvg(TABLE1, buildModel(TABLE1).stateDict(), 'The Table 1 network'),
    'network-table3.svg': networkSvg(TABLE3, buildModel(TABLE3).stateDict(), 'The Table 3 network'),
    'REPORT.md': report.markdown,
  };
}

/**
 * Writes the report, its charts, the network diagrams and a copy of the results into `outDir`.
 *
 * @example
 * writeStudyReport(parseStudyArgs([]).options, studyExperiments(), machineLine(), 'npm run study');
 */
export function writeStudyReport(options: StudyOptions, experiments: readonly Experiment[], machine: string, command: string): void {
  const resultsPath = studyResultsPath(options);
  const files = studyReportFiles(options, experiments, machine, command);
  mkdirSync(options.outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) if (name !== 'REPORT.md') writeFileAtomic(join(options.outDir, name), text);
  if (existsSync(resultsPath) && resultsPath !== join(options.outDir, 'results.jsonl')) {
    const tmp = join(options.outDir, `results.jsonl.tmp-${process.pid}`);
    copyFileSync(resultsPath, tmp);
    renameSync(tmp, join(options.outDir, 'results.jsonl'));
  }
  writeFileAtomic(join(options.outDir, 'REPORT.md'), files['REPORT.md'] ?? '');
}
