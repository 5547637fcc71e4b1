/**
 * The lines the study's script prints (its Figure 2), word for word, so a tsgrad log reads like
 * the PyTorch one and both can be parsed by the same code (`parseLog`).
 */

/**
 * @example
 * stepLine(1, 2, 100, 938, 0.57311); // 'Epoch [1/2], Step [100/938], Loss: 0.5731'
 */
export function stepLine(epoch: number, epochs: number, step: number, steps: number, loss: number): string {
  return `Epoch [${epoch}/${epochs}], Step [${step}/${steps}], Loss: ${loss.toFixed(4)}`;
}

/**
 * @example
 * epochTimeLine(15.6012); // 'CNN epoch fit time: 15.601 seconds'
 */
export function epochTimeLine(seconds: number): string {
  return `CNN epoch fit time: ${seconds.toFixed(3)} seconds`;
}

/**
 * @example
 * accuracyLine(97.37); // 'Accuracy of the model on the test images: 97.37 %'
 */
export function accuracyLine(percent: number): string {
  return `Accuracy of the model on the test images: ${percent.toFixed(2)} %`;
}

/**
 * @example
 * totalTimeLine(31.2781); // 'CNN total time: 31.278 seconds'
 */
export function totalTimeLine(seconds: number): string {
  return `CNN total time: ${seconds.toFixed(3)} seconds`;
}

/**
 * @example
 * medianEpochLine(14.5246); // 'CNN median epoch time: 14.525 seconds'
 */
export function medianEpochLine(seconds: number): string {
  return `CNN median epoch time: ${seconds.toFixed(3)} seconds`;
}

/**
 * The median, as the study reports epoch times (an outlier epoch does not move it); NaN when empty.
 *
 * @example
 * median([3, 1, 2]); // 2
 * median([4, 1, 2, 3]); // 2.5
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/**
 * A duration as `m:ss` (or `h:mm:ss`), for the progress bar's ETA.
 *
 * @example
 * clock(75); // '1:15'
 * clock(3725); // '1:02:05'
 */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?:??';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * One frame of the live progress bar shown on a terminal: the ETA of the epoch, then of the whole
 * run (the epochs still to come, at the same rate; test evaluations not counted).
 *
 * @example
 * progressBar({ epoch: 1, epochs: 2, step: 469, steps: 938, stepsPerSecond: 12.5, loss: 0.2 }, 20);
 * // 'Epoch 1/2 [##########..........] 469/938  12.5 steps/s  ETA 0:38, run 1:53  loss 0.2000'
 */
export function progressBar(
  p: { epoch: number; epochs: number; step: number; steps: number; stepsPerSecond: number; loss: number },
  width = 30,
): string {
  const filled = p.steps > 0 ? Math.min(width, Math.round((p.step / p.steps) * width)) : 0;
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  const left = p.steps - p.step;
  const runLeft = left + (p.epochs - p.epoch) * p.steps;
  const eta = (steps: number): string => clock(p.stepsPerSecond > 0 ? steps / p.stepsPerSecond : NaN);
  return (
    `Epoch ${p.epoch}/${p.epochs} [${bar}] ${p.step}/${p.steps}  ` +
    `${p.stepsPerSecond.toFixed(1)} steps/s  ETA ${eta(left)}, run ${eta(runLeft)}  loss ${p.loss.toFixed(4)}`
  );
}

/** What a training log says, whoever printed it (tsgrad's CLI or the PyTorch reference). */
export interface ParsedLog {
  steps: { epoch: number; step: number; loss: number }[];
  epochTimes: number[];
  accuracy: number | null;
  totalTime: number | null;
}

/**
 * Reads the study's lines back from a log (other lines are ignored).
 *
 * @example
 * parseLog('CNN epoch fit time: 15.601 seconds\nAccuracy of the model on the test images: 97.37 %').accuracy; // 97.37
 */
export function parseLog(text: string): ParsedLog {
  const out: ParsedLog = { steps: [], epochTimes: [], accuracy: null, totalTime: null };
  for (const line of text.split(/\r?\n/)) {
    let m = /^Epoch \[(\d+)\/\d+\], Step \[(\d+)\/\d+\], Loss: ([\d.eE+-]+|nan|NaN)/.exec(line);
    if (m) {
      out.steps.push({ epoch: Number(m[1]), step: Number(m[2]), loss: Number(m[3]) });
      continue;
    }
    m = /^CNN epoch fit time: ([\d.]+) seconds/.exec(line);
    if (m) {
      out.epochTimes.push(Number(m[1]));
      continue;
    }
    m = /^Accuracy of the model on the test images: ([\d.]+) %/.exec(line);
    if (m) {
      out.accuracy = Number(m[1]);
      continue;
    }
    m = /^CNN total time: ([\d.]+) seconds/.exec(line);
    if (m) out.totalTime = Number(m[1]);
  }
  return out;
}
