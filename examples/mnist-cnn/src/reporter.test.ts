import { describe, expect, it, vi } from 'vitest';
import { ConsoleReporter } from './reporter.js';

function drive(isTTY: boolean): string {
  let text = '';
  const reporter = new ConsoleReporter({ write: (s: string) => (text += s), isTTY }, 2);
  const now = vi.spyOn(performance, 'now');
  let t = 0;
  now.mockImplementation(() => (t += 250)); // a step every 250 ms: every step redraws the bar
  reporter.hooks.onStart?.({ epochs: 1, stepsPerEpoch: 4, epoch: 1, step: 0 });
  for (let step = 1; step <= 4; step++) reporter.hooks.onStep?.({ epoch: 1, step, stepsPerEpoch: 4, loss: 1 / step });
  reporter.hooks.onEpochEnd?.({ epoch: 1, seconds: 1.23456, meanLoss: 0.5 });
  reporter.accuracy(12.5);
  now.mockRestore();
  return text;
}

describe('ConsoleReporter', () => {
  it('prints plain lines in a pipe', () => {
    expect(drive(false)).toBe(
      'Epoch [1/1], Step [2/4], Loss: 0.5000\nEpoch [1/1], Step [4/4], Loss: 0.2500\n' +
        'CNN epoch fit time: 1.235 seconds\nAccuracy of the model on the test images: 12.50 %\n',
    );
  });

  it('keeps a progress bar on the last line of a terminal and prints the lines above it', () => {
    const text = drive(true);
    expect(text).toContain('\r\x1b[2KEpoch 1/1 [');
    expect(text).toMatch(/ 3\/4 {2}\d+\.\d steps\/s {2}ETA 0:0\d, run 0:0\d {2}loss 0\.3333/);
    // each study line is printed after the bar is cleared, so none is glued to a bar
    const visible = text.split('\n').map((l) => l.slice(l.lastIndexOf('\r\x1b[2K') + 1).replace('\x1b[2K', ''));
    expect(visible.filter((l) => l.startsWith('Epoch [') || l.startsWith('CNN') || l.startsWith('Accuracy'))).toEqual([
      'Epoch [1/1], Step [2/4], Loss: 0.5000',
      'Epoch [1/1], Step [4/4], Loss: 0.2500',
      'CNN epoch fit time: 1.235 seconds',
      'Accuracy of the model on the test images: 12.50 %',
    ]);
  });
});
