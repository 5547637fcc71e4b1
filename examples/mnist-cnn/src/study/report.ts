import type { ParsedLog } from '../format.js';
import { median } from '../format.js';
import { layerShapes, linearInFeatures, TABLE1, TABLE3, type NetConfig } from '../network.js';
import { lineChart, type Series } from './chart.js';
import { LR_DOWN, LR_UP, POOL_VARIANTS, type Experiment } from './experiments.js';
import { describeRuns, inWords, INVESTIGATIONS, investigationsOf, type Investigation } from './investigations.js';
import type { PytorchLogs } from './pytorch-logs.js';
import type { RunRecord } from './records.js';

/** The study's own numbers (its Tables 1-3 and Figure 2), for the side-by-side tables. */
export const STUDY = {
  table1: { median: '12 s', total: '68 s', accuracy: '38 %' },
  table2: { median: '12 s', total: '638 s', accuracy: '43 %' },
  figure2: { median: '14.525 s (15.601, 13.448)', total: '31.278 s', accuracy: '97.37 %' },
  table3: { median: '13 s', total: '72 s', accuracy: '98 %' },
} as const;

/** What the report is built from. */
export interface ReportInput {
  experiments: readonly Experiment[];
  records: ReadonlyMap<string, RunRecord>;
  pytorch: PytorchLogs;
  pytorchMachine: string | null;
  /** The PyTorch logs' folder, relative to the report. */
  pytorchLink: string;
  /** The repository's root, relative to the report (for links to scripts/). */
  repoLink: string;
  machine: string;
  command: string;
  quick: boolean;
  date: string;
}

/** The report: its Markdown and the SVG charts it links to (file name -> SVG). */
export interface Report {
  markdown: string;
  charts: Record<string, string>;
}

const pct = (x: number): string => `${x.toFixed(2)} %`;
const sec = (x: number): string => `${x.toFixed(1)} s`;
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A metric over seeds: the mean, then each seed's value, e.g. `38.42 % (33.53, 41.21, 40.53)`. */
function overSeeds(values: readonly number[], fmt: (x: number) => string): string {
  if (values.length === 0) return 'not run';
  if (values.length === 1) return fmt(values[0] ?? NaN);
  return `${fmt(mean(values))} (${values.map((v) => v.toFixed(2)).join(', ')})`;
}

/** The three metrics of the study's tables, for tsgrad runs or PyTorch logs of one experiment over seeds. */
interface Metrics {
  median: string;
  total: string;
  accuracy: string;
}

function tsgradMetrics(records: readonly RunRecord[]): Metrics {
  return {
    median: records.length ? sec(median(records.flatMap((r) => r.epochTimes))) : 'not run',
    total: overSeeds(
      records.map((r) => r.totalSeconds),
      sec,
    ),
    accuracy: overSeeds(
      records.map((r) => r.accuracy),
      pct,
    ),
  };
}

function pytorchMetrics(logs: readonly ParsedLog[]): Metrics {
  return {
    median: logs.length ? sec(median(logs.flatMap((l) => l.epochTimes))) : 'not run',
    total: overSeeds(
      logs.map((l) => l.totalTime ?? NaN),
      sec,
    ),
    accuracy: overSeeds(
      logs.map((l) => l.accuracy ?? NaN),
      pct,
    ),
  };
}

function metricsTable(study: Metrics, tsgrad: Metrics, pytorch: Metrics, quick: boolean): string {
  const head = `| Metric | Study (its PC, PyTorch) | tsgrad${quick ? ' (quick pass: cut runs)' : ''} | PyTorch 1.13 on this machine |`;
  return [
    head,
    '| --- | --- | --- | --- |',
    `| 1. Median Epoch Time | ${study.median} | ${tsgrad.median} | ${pytorch.median} |`,
    `| 2. Total Time | ${study.total} | ${tsgrad.total} | ${pytorch.total} |`,
    `| 3. Accuracy | ${study.accuracy} | ${tsgrad.accuracy} | ${pytorch.accuracy} |`,
  ].join('\n');
}

/** Says how many seeds each side's cells average. */
function seedsNote(records: readonly RunRecord[], logs: readonly ParsedLog[]): string {
  const n = (k: number): string => (k === 1 ? '1 seed' : `${k} seeds`);
  return `tsgrad: ${n(records.length)}, PyTorch: ${n(logs.length)} (with several, the mean and then each seed's value).`;
}

function shapesTable(net: NetConfig): string {
  const rows = layerShapes(net).map((l) => `| ${l.name} | \`${l.description}\` | ${l.outputShape.join(' × ')} |`);
  return ['| Layer | Module | Output shape |', '| --- | --- | --- |', '| input | MNIST image | 1 × 28 × 28 |', ...rows].join('\n');
}

// Predicting the label frequencies whatever the image gives a cross-entropy of their entropy,
// 2.301 for MNIST's training labels; a run whose every epoch stays there learned nothing.
const LABEL_ENTROPY = 2.301;

/**
 * The paragraphs on runs that learned nothing from the images (every epoch's mean training loss
 * within 0.01 of the label entropy), stating what their records show, and an investigation's
 * finding only for the runs that investigation examined.
 *
 * @example
 * learnedNothing([{ lr: 0.01, record }], '../..'); // ['', 'At lr 0.01 tsgrad\'s run ended at 11.35 % ...', ...]
 */
export function learnedNothing(runs: readonly { lr: number; record: RunRecord }[], repoLink: string, investigations: readonly Investigation[] = INVESTIGATIONS): string[] {
  const flat = runs.filter(({ record: r }) => r.epochLosses.length > 0 && r.epochLosses.every((l) => Math.abs(l - LABEL_ENTROPY) < 0.01));
  if (flat.length === 0) return [];
  const losses = (r: RunRecord): string => r.epochLosses.map((l) => l.toFixed(3)).join(', ');
  const md = [
    '',
    `At lr ${inWords(flat.map((x) => String(x.lr)))} tsgrad's run${flat.length === 1 ? '' : 's'} learned nothing from the images: the mean training loss of every ` +
      `epoch stayed within 0.01 of ${LABEL_ENTROPY}, the loss of predicting the label frequencies whatever the image ` +
      `(${flat.map((x) => `lr ${x.lr}: ${losses(x.record)}`).join('; ')}), and the test accuracy ended at ` +
      `${inWords(flat.map((x) => pct(x.record.accuracy)))} (10 % is chance; 11.35 % is the share of 1s among the test images).`,
  ];
  const explained = new Set<number>();
  for (const inv of investigations) {
    const covered = flat.filter((x) => investigationsOf(x.record.settings, [inv]).length > 0);
    if (covered.length === 0) continue;
    covered.forEach((x) => explained.add(x.lr));
    md.push(
      '',
      `The [${inv.id}](${repoLink}/scripts/investigations/${inv.id}/README.md) investigation examined tsgrad's runs at ` +
        `${describeRuns(inv.runs)}, and found, for ${covered.length === inv.runs.length ? 'them' : `lr ${covered.map((x) => x.lr).join(' and ')}`}: ${inv.finding}`,
    );
  }
  const open = flat.filter((x) => !explained.has(x.lr));
  if (open.length > 0) {
    md.push('', `No investigation examined tsgrad's runs at ${describeRuns(open.map((x) => x.record.settings))}; why they learned nothing is not established here.`);
    for (const inv of investigations) {
      if (!inv.runs.some((r) => open.some((x) => x.lr === r.lr))) continue;
      md.push(
        '',
        `(The [${inv.id}](${repoLink}/scripts/investigations/${inv.id}/README.md) investigation examined other runs, at ` +
          `${describeRuns(inv.runs)}; its finding is about those runs only.)`,
      );
    }
  }
  return md;
}

/**
 * Builds the study report from the finished runs, the PyTorch logs and the study's own numbers.
 *
 * @example
 * const { markdown, charts } = buildReport({ experiments: studyExperiments(), records, pytorch, ... });
 */
export function buildReport(input: ReportInput): Report {
  const { experiments, records, pytorch, quick } = input;
  const recordsOf = (pred: (e: Experiment) => boolean): RunRecord[] =>
    experiments.filter(pred).flatMap((e) => {
      const r = records.get(e.id);
      return r ? [r] : [];
    });
  const logsOf = (pred: (e: Experiment) => boolean): ParsedLog[] =>
    experiments.filter(pred).flatMap((e) => {
      const l = pytorch.get(e.pytorch);
      return l ? [l] : [];
    });
  const one = (id: string): Experiment | undefined => experiments.find((e) => e.id === id);
  const charts: Record<string, string> = {};
  const md: string[] = [];
  const isT1Seeds = (e: Experiment): boolean => e.group === 'table1';
  const isT3 = (epochs: number) => (e: Experiment): boolean => e.group === 'table3' && e.epochs === epochs;

  md.push('# The CNN study, rerun with tsgrad', '');
  md.push(`Generated by \`${input.command}\` on ${input.date}.`, '');
  md.push(`- tsgrad runs: ${input.machine}`);
  md.push(`- PyTorch runs (\`scripts/pytorch_baseline.sh\`, logs in [${input.pytorchLink}/](${input.pytorchLink}/)): ${input.pytorchMachine ?? 'none found'}`);
  md.push(
    '- Accuracies are exact for a seed (same seed, same numbers); times are wall-clock on a shared machine, so ' +
      'an epoch that ran beside other jobs reads slower.',
  );
  md.push(`- Runs finished: ${records.size} of ${experiments.length}; the raw numbers are in [results.jsonl](results.jsonl).`, '');
  if (quick) {
    md.push(
      '> **Quick pass.** The tsgrad runs here were cut (`npm run study -- --quick`: at most 2 epochs of ' +
        'at most 200 steps each), so their accuracies and times are not comparable with the full runs of the ' +
        'study or of PyTorch; they show that every experiment runs end to end. `npm run study` reruns everything in full.',
      '',
    );
  }

  // Why Table 1 lands near 38 %.
  md.push('## The network, and why Table 1 lands near 38 %', '');
  md.push(
    'The study\'s network is conv1 → ReLU → pool1 → conv2 → ReLU → pool2 → flatten → linear (inferred from its ' +
      'layer parameters, as in `scripts/pytorch_reference.py`). With the Table 1 parameters the feature map shrinks ' +
      `to nothing: 28 -k3-> 26 -pool2-> 13 -k3 s3-> 4 -pool4-> 1, times 2 channels = **${linearInFeatures(TABLE1)} features** ` +
      'reach the linear layer. The classifier then sees each image as one point of a plane (two numbers, both ≥ 0 after the ' +
      'ReLU and the 4×4 max) and predicts the digit whose affine score is largest there: 10 scores of 2 variables cut the ' +
      'plane into at most 10 convex regions. Ten digits squeezed into two numbers overlap heavily, so a few regions take most ' +
      'of the images and the accuracy stays near 40 % whatever the learning rate or the number of epochs, as the study found ' +
      `(38 %, then 43 % after 50 epochs). The Table 3 parameters keep **${linearInFeatures(TABLE3)} features** (64 channels × 1 × 1), ` +
      'and the accuracy jumps to ~98 %.',
    '',
  );
  md.push('Table 1 network:', '', shapesTable(TABLE1), '', 'Table 3 network:', '', shapesTable(TABLE3), '');
  md.push('![The Table 3 network](network-table3.svg)', '');

  // Tables 1-3.
  md.push('## Table 1: the Table 1 network, 10 epochs', '');
  md.push(metricsTable(STUDY.table1, tsgradMetrics(recordsOf(isT1Seeds)), pytorchMetrics(logsOf(isT1Seeds)), quick), '');
  md.push(`${seedsNote(recordsOf(isT1Seeds), logsOf(isT1Seeds))} The study's total (68 s) is less than 10 × its median epoch (12 s), so its two numbers cannot both describe one run.`, '');
  md.push('## Table 2: the Table 1 network, 50 epochs', '');
  md.push(metricsTable(STUDY.table2, tsgradMetrics(recordsOf((e) => e.group === 'table2')), pytorchMetrics(logsOf((e) => e.group === 'table2')), quick), '');
  md.push('## Table 3 at 2 epochs (the study\'s Figure 2)', '');
  md.push(metricsTable(STUDY.figure2, tsgradMetrics(recordsOf(isT3(2))), pytorchMetrics(logsOf(isT3(2))), quick), '');
  md.push(`${seedsNote(recordsOf(isT3(2)), logsOf(isT3(2)))} The study column is its Figure 2 log.`, '');
  md.push('## Table 3 at 10 epochs', '');
  md.push(metricsTable(STUDY.table3, tsgradMetrics(recordsOf(isT3(10))), pytorchMetrics(logsOf(isT3(10))), quick), '');
  md.push('The study\'s Table 3 lists "epochs = 2 -> 10"; its total (72 s) again reads as fewer epochs than 10.', '');

  // Learning rate.
  md.push('## Learning rate', '');
  md.push(
    'The study\'s sweeps on the Table 1 network: 0.001 up to 0.01 by 0.001 ("slight gains at 0.003 -> 0.005 (53%)") and ' +
      '0.001 down to 0.0001 by 0.0001 ("increased the accuracy slightly but required many more epochs"). 10 epochs, seed 0 ' +
      '(lr 0.001 is the Table 1 run).',
    '',
  );
  const lrRuns = [...new Set([...LR_DOWN, ...LR_UP])].sort((a, b) => a - b).map((lr) => {
    const e = lr === 0.001 ? one('table1-seed0') : experiments.find((x) => x.group === 'lr' && x.lr === lr);
    return { lr, record: e ? records.get(e.id) : undefined, log: e ? pytorch.get(e.pytorch) : undefined };
  });
  md.push('| lr | tsgrad accuracy | PyTorch accuracy |', '| --- | --- | --- |');
  for (const r of lrRuns) {
    md.push(`| ${r.lr} | ${r.record ? pct(r.record.accuracy) : 'not run'} | ${r.log?.accuracy != null ? pct(r.log.accuracy) : 'not run'} |`);
  }
  const seedAccs = [...recordsOf(isT1Seeds).map((r) => r.accuracy), ...logsOf(isT1Seeds).flatMap((l) => (l.accuracy === null ? [] : [l.accuracy]))];
  if (seedAccs.length > 1) {
    md.push(
      '',
      `One seed per learning rate, and with 2 features the seed alone moves the accuracy a lot: the Table 1 runs above ` +
        `range from ${pct(Math.min(...seedAccs))} to ${pct(Math.max(...seedAccs))} at lr 0.001. Differences of a few points ` +
        'between learning rates are within that spread.',
    );
  }
  md.push(...learnedNothing(lrRuns.flatMap((r) => (r.record ? [{ lr: r.lr, record: r.record }] : [])), input.repoLink));
  md.push('', '![Accuracy against learning rate](accuracy-vs-lr.svg)', '');
  charts['accuracy-vs-lr.svg'] = lineChart({
    title: 'Table 1 network: test accuracy against learning rate',
    xLabel: 'learning rate (log scale)',
    yLabel: 'test accuracy (%)',
    xLog: true,
    series: [
      { name: `tsgrad${quick ? ' (quick pass)' : ''}`, points: lrRuns.flatMap((r) => (r.record ? [[r.lr, r.record.accuracy] as const] : [])) },
      { name: 'PyTorch 1.13', points: lrRuns.flatMap((r) => (r.log?.accuracy != null ? [[r.lr, r.log.accuracy] as const] : [])), dashed: true },
    ],
  });

  // Pools.
  md.push('## Pool parameters', '');
  md.push(
    'The study says only that "changing the pool function parameters didn\'t seem to have as much of an effect". ' +
      'We tried these variants of the Table 1 network (10 epochs, seed 0); what matters is how many features reach the linear layer.',
    '',
  );
  md.push('| pool1 | pool2 | features | why | tsgrad accuracy | PyTorch accuracy |', '| --- | --- | --- | --- | --- | --- |');
  const base = one('table1-seed0');
  const baseRec = base ? records.get(base.id) : undefined;
  const baseLog = base ? pytorch.get(base.pytorch) : undefined;
  md.push(`| k2 s2 | k4 s4 | 2 | the Table 1 network | ${baseRec ? pct(baseRec.accuracy) : 'not run'} | ${baseLog?.accuracy != null ? pct(baseLog.accuracy) : 'not run'} |`);
  for (const v of POOL_VARIANTS) {
    const e = experiments.find((x) => x.group === 'pool' && x.net.pool1.kernel === v.pool1.kernel && x.net.pool1.stride === v.pool1.stride && x.net.pool2.kernel === v.pool2.kernel && x.net.pool2.stride === v.pool2.stride);
    const r = e ? records.get(e.id) : undefined;
    const l = e ? pytorch.get(e.pytorch) : undefined;
    const features = linearInFeatures({ ...TABLE1, pool1: v.pool1, pool2: v.pool2 });
    md.push(
      `| k${v.pool1.kernel} s${v.pool1.stride} | k${v.pool2.kernel} s${v.pool2.stride} | ${features} | ${v.why} | ` +
        `${r ? pct(r.accuracy) : 'not run'} | ${l?.accuracy != null ? pct(l.accuracy) : 'not run'} |`,
    );
  }
  md.push('');

  // Accuracy against epochs.
  md.push('## Accuracy against epochs', '');
  const curve = (id: string): Series['points'] => {
    const r = records.get(id);
    return r ? r.epochAccuracies.map((a, i) => [i + 1, a] as const) : [];
  };
  charts['accuracy-vs-epochs.svg'] = lineChart({
    title: 'Test accuracy after each epoch (tsgrad)',
    xLabel: 'epoch',
    yLabel: 'test accuracy (%)',
    yMin: 0,
    yMax: 100,
    series: [
      { name: 'Table 1 network (Table 2 run, 50 epochs)', points: curve('table2-seed0') },
      { name: 'Table 3 network (10 epochs)', points: curve('table3-e10-seed0') },
    ],
  });
  md.push('![Accuracy against epochs](accuracy-vs-epochs.svg)', '');

  // Loss curves.
  md.push('## Loss curves', '');
  const lossSeries = (id: string, log: string, label: string): Series[] => {
    const r = records.get(id);
    const l = pytorch.get(log);
    const steps = r?.stepsPerEpoch ?? 938;
    const last = r ? r.settings.epochs * steps : Infinity; // a quick pass shows PyTorch over the same steps only
    const pyPoints = (l?.steps ?? []).map((s) => [(s.epoch - 1) * 938 + s.step, s.loss] as const).filter(([x]) => x <= last);
    return [
      { name: `tsgrad ${label}: mean loss of each 100 steps`, points: r ? r.lossLog.map((p) => [p.step, p.loss] as const) : [] },
      { name: `tsgrad ${label}: the printed batch loss`, points: r ? r.printedLosses.map((p) => [(p.epoch - 1) * steps + p.step, p.loss] as const) : [], dashed: true },
      { name: `PyTorch ${label}: the printed batch loss`, points: pyPoints, dashed: true },
    ];
  };
  charts['loss-table3.svg'] = lineChart({
    title: 'Training loss, Table 3 network, 2 epochs, seed 0',
    xLabel: 'step',
    yLabel: 'cross-entropy loss',
    yMin: 0,
    series: lossSeries('table3-e2-seed0', 't3-e2-seed0', 'Table 3'),
  });
  charts['loss-table1.svg'] = lineChart({
    title: 'Training loss, Table 1 network, 10 epochs, seed 0',
    xLabel: 'step',
    yLabel: 'cross-entropy loss',
    yMin: 0,
    series: lossSeries('table1-seed0', 't1-e10-seed0', 'Table 1'),
  });
  md.push('![Loss, Table 3](loss-table3.svg)', '', '![Loss, Table 1](loss-table1.svg)', '');
  md.push(
    'The printed batch loss (one batch every 100 steps, what the study\'s script prints) is noisy; the mean over each ' +
      'window of 100 steps shows the trend. tsgrad and PyTorch start from different random weights (each framework\'s own ' +
      'generator), so their curves are not expected to match point by point.',
    '',
  );

  // Speed: the fastest epoch of each run, the one least disturbed by other jobs on the machine.
  md.push('## Speed: tsgrad against PyTorch on this machine', '');
  md.push(
    'The fastest epoch of each run on each side (the one least slowed by other jobs on the shared machine)' +
      (quick ? ', tsgrad\'s cut epochs scaled to 938 steps.' : '.') +
      ' PyTorch\'s times are read from its logs, which may come from another session (the machines are listed above, ' +
      'and this VM\'s speed drifts from session to session), so the ratio is a guide; tsgrad and PyTorch timed in turn, ' +
      'in the same minutes, are in [docs/perf.md](../perf.md).',
    '',
  );
  md.push('| run | tsgrad fastest epoch | PyTorch fastest epoch (1 thread) | tsgrad / PyTorch |', '| --- | --- | --- | --- |');
  for (const e of experiments) {
    const r = records.get(e.id);
    const l = pytorch.get(e.pytorch);
    if (!r || !l || l.epochTimes.length === 0 || r.epochTimes.length === 0) continue;
    const ts = Math.min(...r.epochTimes) * (938 / r.stepsPerEpoch);
    const pt = Math.min(...l.epochTimes);
    md.push(`| ${e.id} | ${sec(ts)} | ${sec(pt)} | ${(ts / pt).toFixed(1)}× |`);
  }
  md.push('');
  md.push('## Rerun', '');
  md.push('```sh', 'scripts/pytorch_baseline.sh      # the PyTorch logs (one thread, one run at a time)', 'npm run study                    # every tsgrad run, then this report', 'npm run study -- --quick         # a fast pass: cut runs, report in docs/study/quick/', '```', '');
  md.push('An interrupted study resumes where it stopped: finished runs are kept in `runs/study/results.jsonl`, and the run in progress from its last checkpoint.', '');
  return { markdown: md.join('\n'), charts };
}
