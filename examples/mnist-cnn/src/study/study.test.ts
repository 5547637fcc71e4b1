import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLE1, TABLE3 } from '../network.js';
import { lineChart, niceTicks } from './chart.js';
import { LR_DOWN, LR_UP, pytorchLogName, studyExperiments } from './experiments.js';
import { readPytorchLogs } from './pytorch-logs.js';
import { appendRecord, readRecords, type RunRecord } from './records.js';
import { INVESTIGATIONS } from './investigations.js';
import { machineLine } from './machine.js';
import { buildReport, learnedNothing } from './report.js';
import { parseStudyArgs, settingsFor, studyReportFiles } from './run-study.js';

const PYTORCH_DIR = new URL('../../../../docs/study/pytorch', import.meta.url).pathname;

describe('the study\'s experiments', () => {
  it('sweeps the study\'s learning rates and names PyTorch logs as scripts/pytorch_baseline.sh does', () => {
    expect(LR_UP.map(String)).toEqual(['0.001', '0.002', '0.003', '0.004', '0.005', '0.006', '0.007', '0.008', '0.009', '0.01']);
    expect(LR_DOWN.map(String)).toEqual(['0.001', '0.0009', '0.0008', '0.0007', '0.0006', '0.0005', '0.0004', '0.0003', '0.0002', '0.0001']);
    const list = studyExperiments();
    expect(new Set(list.map((e) => e.id)).size).toBe(list.length);
    expect(list.filter((e) => e.group === 'lr')).toHaveLength(18); // lr 0.001 is the Table 1 run
    expect(list.find((e) => e.id === 'table2-seed0')).toMatchObject({ epochs: 50, net: TABLE1 });
    expect(list.find((e) => e.id === 'table3-e10-seed0')).toMatchObject({ epochs: 10, net: TABLE3, evalEveryEpoch: true });
    expect(pytorchLogName('t3', 2, 0.001, 1)).toBe('t3-e2-seed1');
    expect(pytorchLogName('t1', 10, 0.0004, 0)).toBe('t1-e10-lr0.0004-seed0');
    expect(pytorchLogName('t1', 10, 0.001, 0, { kernel: 2, stride: 1 }, { kernel: 4, stride: 4 })).toBe('t1-e10-seed0-pool1-k2s1');
  });

  it('reads the committed PyTorch logs: Table 3 at 2 epochs lands near 97 %, Table 1 at 10 epochs near 38 %', () => {
    const logs = readPytorchLogs(PYTORCH_DIR);
    for (const seed of [0, 1, 2]) {
      const t3 = logs.get(`t3-e2-seed${seed}`);
      expect(t3?.epochTimes).toHaveLength(2);
      expect(t3?.steps).toHaveLength(18); // steps 100..900 of 2 epochs
      expect(t3?.accuracy).toBeGreaterThan(95);
      const t1 = logs.get(`t1-e10-seed${seed}`);
      expect(t1?.epochTimes).toHaveLength(10);
      expect(t1?.accuracy).toBeGreaterThan(25);
      expect(t1?.accuracy).toBeLessThan(50);
    }
  });

  it('cuts runs in the quick pass and parses its flags', () => {
    const quick = parseStudyArgs(['--quick']).options;
    expect(quick).toMatchObject({ quick: true, steps: 200, runsDir: 'runs/study-quick', outDir: 'docs/study/quick' });
    const t2 = studyExperiments().find((e) => e.id === 'table2-seed0');
    if (!t2) throw new Error('no table2');
    expect(settingsFor(t2, quick)).toMatchObject({ epochs: 2, steps: 200 });
    expect(settingsFor(t2, parseStudyArgs([]).options)).toEqual({ net: TABLE1, epochs: 50, lr: 0.001, seed: 0, batchSize: 64, optimizer: 'adam' });
    expect(() => parseStudyArgs(['--only', 'table9'])).toThrow('--only: unknown experiment "table9" (see --list)');
    expect(() => parseStudyArgs(['--steps', 'x'])).toThrow('--steps: expected a positive integer, got "x"');
  });
});

function fakeRecord(id: string, accuracy: number): RunRecord {
  return {
    id,
    settings: { net: TABLE3, epochs: 2, lr: 0.001, seed: 0, batchSize: 64, optimizer: 'adam' },
    accuracy,
    epochTimes: [100, 120],
    medianEpochSeconds: 110,
    totalSeconds: 230,
    epochAccuracies: [95, accuracy],
    epochLosses: [0.4, 0.1],
    lossLog: [{ step: 100, loss: 1.2 }],
    printedLosses: [{ epoch: 1, step: 100, loss: 0.9 }],
    stepsPerEpoch: 938,
    finishedAt: '2026-11-28T00:00:00Z',
    machine: 'test machine',
  };
}

describe('results and report', () => {
  it('appends records as JSON lines and skips a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-study-'));
    const path = join(dir, 'results.jsonl');
    expect(readRecords(path)).toEqual([]);
    appendRecord(path, fakeRecord('a', 97));
    appendRecord(path, fakeRecord('b', 98));
    appendFileSync(path, '{"id":"c","sett');
    expect(readRecords(path).map((r) => r.id)).toEqual(['a', 'b']);
    appendFileSync(path, '\n{"id":"d"}\n');
    expect(() => readRecords(path)).toThrow(/results.jsonl:3: not a JSON line/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the study\'s, tsgrad\'s and PyTorch\'s numbers side by side', () => {
    const records = new Map([['table3-e2-seed0', fakeRecord('table3-e2-seed0', 97.5)]]);
    const { markdown, charts } = buildReport({
      experiments: studyExperiments(),
      records,
      pytorch: readPytorchLogs(PYTORCH_DIR),
      pytorchMachine: 'torch here',
      pytorchLink: 'pytorch',
      repoLink: '../..',
      machine: 'test machine',
      command: 'npm run study',
      quick: false,
      date: '2026-11-28',
    });
    expect(markdown).toContain('**2 features**');
    expect(markdown).toContain('| 3. Accuracy | 97.37 % | 97.50 % | 96.82 % (96.65, 96.77, 97.04) |');
    expect(markdown).toContain('| 1. Median Epoch Time | 14.525 s (15.601, 13.448) | 110.0 s |');
    expect(markdown).toContain('| 3. Accuracy | 38 % | not run | 38.42 % (33.53, 41.21, 40.53) |');
    expect(Object.keys(charts).sort()).toEqual(['accuracy-vs-epochs.svg', 'accuracy-vs-lr.svg', 'loss-table1.svg', 'loss-table3.svg']);
    expect(charts['loss-table3.svg']).toContain('PyTorch Table 3: the printed batch loss');
  });

  it('draws charts with round ticks', () => {
    expect(niceTicks(0, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0.05, 2.3, 5)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    const svg = lineChart({ title: 'a < b', xLabel: 'x', yLabel: 'y', series: [{ name: 's1', points: [[1, 2], [2, 3]] }, { name: 's2', points: [[1, 1]] }] });
    expect(svg).toContain('a &lt; b');
    expect(svg.match(/<path /g)).toHaveLength(1); // one line; the one-point series is a dot
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toContain('no data yet');
  });
});

describe('what the report concludes', () => {
  // A run whose loss sat at the label entropy (2.301) every epoch, with the given settings.
  const flatRun = (lr: number, settings: Partial<RunRecord['settings']> = {}): { lr: number; record: RunRecord } => ({
    lr,
    record: {
      ...fakeRecord(`lr-${lr}`, 11.35),
      settings: { net: TABLE1, epochs: 10, lr, seed: 0, batchSize: 64, optimizer: 'adam', ...settings },
      epochLosses: [2.305, 2.302],
    },
  });

  it('states an investigation\'s finding only for the runs it examined', () => {
    const text = learnedNothing([flatRun(0.0005), flatRun(0.01)], '../..').join('\n');
    expect(text).toContain("At lr 0.0005 and 0.01 tsgrad's runs learned nothing from the images");
    expect(text).toContain('lr 0.0005: 2.305, 2.302; lr 0.01: 2.305, 2.302');
    expect(text).toContain(
      'The [lr-collapse](../../scripts/investigations/lr-collapse/README.md) investigation examined tsgrad\'s runs at ' +
        'lr 0.009 and 0.01 (table1 network, 10 whole epochs, seed 0, batch 64, Adam), and found, for lr 0.01: both conv2 ReLU features die',
    );
    expect(text).toContain("No investigation examined tsgrad's runs at lr 0.0005 (table1 network, 10 whole epochs, seed 0, batch 64, Adam); why they learned nothing is not established here.");
  });

  it('does not carry the finding over to quick-pass runs at the same learning rates', () => {
    const quick = { epochs: 2, steps: 200 };
    const text = learnedNothing([flatRun(0.0001, quick), flatRun(0.01, quick)], '../../..').join('\n');
    expect(text).not.toContain(INVESTIGATIONS[0]?.finding ?? 'no finding');
    expect(text).not.toContain('dead');
    expect(text).toContain("No investigation examined tsgrad's runs at lr 0.0001 and 0.01 (table1 network, 2 epochs of 200 steps, seed 0, batch 64, Adam)");
    expect(text).toContain('investigation examined other runs, at lr 0.009 and 0.01 (table1 network, 10 whole epochs, seed 0, batch 64, Adam); its finding is about those runs only.');
  });

  it('says nothing about runs that learned something', () => {
    expect(learnedNothing([{ ...flatRun(0.01), record: { ...flatRun(0.01).record, epochLosses: [2.2, 1.9] } }], '../..')).toEqual([]);
  });

  it('docs/study/ and docs/study/quick/ are what the generator makes of their committed results', () => {
    // Run from the repository root (as `npm test` does): the study's paths are relative to it.
    for (const argv of [[], ['--quick']]) {
      const options = { ...parseStudyArgs(argv).options, runsDir: 'runs/no-such-folder' }; // read the committed results.jsonl
      const files = studyReportFiles(options, studyExperiments(), machineLine(), argv.length ? 'npm run study -- --quick' : 'npm run study');
      for (const [name, text] of Object.entries(files)) {
        expect(readFileSync(`${options.outDir}/${name}`, 'utf8'), `${options.outDir}/${name}: regenerate with npm run study -- ${[...argv, '--report-only'].join(' ')}`).toBe(text);
      }
    }
  });
});
