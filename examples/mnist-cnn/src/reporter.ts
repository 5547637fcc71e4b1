import { accuracyLine, epochTimeLine, progressBar, stepLine } from './format.js';
import type { TrainHooks } from './train.js';

/** Where the reporter writes: `process.stdout`, or anything with `write` (and `isTTY` for a bar). */
export interface Output {
  write(s: string): unknown;
  isTTY?: boolean;
}

/**
 * Prints a run as the study's script does (Figure 2): a loss line every `logEvery` steps and the
 * fit time of every epoch. On a terminal it also keeps a live progress bar (steps/s and ETA) on
 * the last line, redrawn at most ten times a second; in a pipe or a file, plain lines only.
 *
 * @example
 * const reporter = new ConsoleReporter(process.stdout);
 * await train(config, data, { hooks: reporter.hooks });
 */
export class ConsoleReporter {
  readonly hooks: TrainHooks;
  /** The last position reported, for the interruption message. */
  epoch = 0;
  step = 0;
  private epochs = 0;
  private barShown = false;
  private lastDraw = 0;
  private sessionStart = 0;
  private sessionSteps = 0;

  constructor(
    private readonly out: Output,
    private readonly logEvery = 100,
  ) {
    const tty = out.isTTY === true;
    this.hooks = {
      onStart: (e) => {
        this.epochs = e.epochs;
        if (e.resumedFrom && e.epoch > e.epochs) this.line(`${e.resumedFrom} has finished all ${e.epochs} epochs; nothing left to train`);
        else if (e.resumedFrom) this.line(`Resuming from ${e.resumedFrom} at epoch ${e.epoch}, step ${e.step}`);
      },
      onStep: (e) => {
        // The rate counts from the first step this session saw in this epoch (the first step
        // itself has no start time to measure from).
        if (e.epoch !== this.epoch) {
          this.sessionStart = performance.now();
          this.sessionSteps = 0;
        } else this.sessionSteps++;
        this.epoch = e.epoch;
        this.step = e.step;
        if (e.step % this.logEvery === 0) this.line(stepLine(e.epoch, this.epochs, e.step, e.stepsPerEpoch, e.loss));
        const now = performance.now();
        if (tty && this.sessionSteps > 0 && now - this.lastDraw > 100) {
          this.lastDraw = now;
          const stepsPerSecond = (1000 * this.sessionSteps) / Math.max(1, now - this.sessionStart);
          const bar = progressBar({ epoch: e.epoch, epochs: this.epochs, step: e.step, steps: e.stepsPerEpoch, stepsPerSecond, loss: e.loss });
          this.out.write(`\r\x1b[2K${bar}`);
          this.barShown = true;
        }
      },
      onEpochEnd: (e) => this.line(epochTimeLine(e.seconds)),
      onEvaluate: (e) => {
        if (!e.last) this.line(`Epoch [${e.epoch}/${this.epochs}], test accuracy: ${e.accuracy.toFixed(2)} %`);
      },
    };
  }

  /** Prints a line above the progress bar (the bar is redrawn by the next step). */
  line(s: string): void {
    this.clearBar();
    this.out.write(`${s}\n`);
  }

  /** Prints the final accuracy line. */
  accuracy(percent: number): void {
    this.line(accuracyLine(percent));
  }

  private clearBar(): void {
    if (this.barShown) {
      this.out.write('\r\x1b[2K');
      this.barShown = false;
    }
  }
}
