import { renameSync, writeFileSync } from 'node:fs';
import type { CliOptions } from './args.js';
import { loadMnist } from './data.js';
import { networkSvg } from './diagram.js';
import { median, medianEpochLine, totalTimeLine } from './format.js';
import { buildModel, CONFIGS, describeNet } from './network.js';
import { ConsoleReporter, type Output } from './reporter.js';
import { formatSummary, summaryRows } from './summary.js';
import { train, type TrainResult } from './train.js';

/**
 * Writes a text file under a temporary name, then renames it into place.
 *
 * @example
 * writeFileAtomic('net.svg', svg);
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * The CLI's work, given parsed options: load MNIST, print the model summary, train, print the
 * study's lines. Returns the run (its `stopped` is true when `signal` interrupted it).
 *
 * @example
 * const parsed = parseCli(['--steps', '10', '--test-subset', '1000']);
 * if (parsed.kind === 'run') await runCli(parsed.options, process.stdout);
 */
export async function runCli(options: CliOptions, out: Output, signal?: AbortSignal): Promise<TrainResult> {
  const { train: config } = options;
  const reporter = new ConsoleReporter(out);
  reporter.line('Loading MNIST dataset...');
  const data = await loadMnist(options);

  const stateDict = buildModel(config.net).stateDict(); // a throwaway model: train() reseeds before building its own
  const modified = describeNet(config.net) !== describeNet(CONFIGS[options.configName] ?? config.net);
  reporter.line(`Network (${options.configName}${modified ? ', modified' : ''}): ${describeNet(config.net)}`);
  reporter.line(formatSummary(summaryRows(config.net, stateDict)));
  if (options.svg) {
    writeFileAtomic(options.svg, networkSvg(config.net, stateDict));
    reporter.line(`Wrote the network diagram to ${options.svg}`);
  }
  reporter.line(
    `Training on ${data.train.length} images, testing on ${data.test.length}: ${config.epochs} epochs, ` +
      `batch size ${config.batchSize}, ${config.optimizer === 'adam' ? 'Adam' : 'SGD'} lr ${config.lr}, seed ${config.seed}, ` +
      `backend ${options.backend}`,
  );

  const result = await train(config, data, {
    hooks: reporter.hooks,
    checkpoint: { save: options.save ?? options.resume, saveEverySteps: options.saveEvery, resume: options.resume },
    signal,
  });
  if (result.stopped) {
    const where = options.save ?? options.resume;
    reporter.line(
      `Interrupted at epoch ${reporter.epoch}, step ${reporter.step}. ` +
        (where ? `Checkpoint written to ${where}; rerun with --resume ${where} to continue.` : 'No checkpoint (use --save <file>).'),
    );
    return result;
  }
  reporter.accuracy(result.accuracy);
  reporter.line(totalTimeLine(result.totalSeconds));
  reporter.line(medianEpochLine(median(result.epochTimes)));
  return result;
}
