import { describe, expect, it } from 'vitest';
import { accuracyLine, clock, epochTimeLine, median, medianEpochLine, parseLog, progressBar, stepLine, totalTimeLine } from './format.js';

describe('the study lines', () => {
  it('prints exactly what the study\'s Figure 2 prints', () => {
    expect(stepLine(1, 2, 100, 938, 0.57312)).toBe('Epoch [1/2], Step [100/938], Loss: 0.5731');
    expect(epochTimeLine(15.6012)).toBe('CNN epoch fit time: 15.601 seconds');
    expect(accuracyLine(97.37)).toBe('Accuracy of the model on the test images: 97.37 %');
    expect(totalTimeLine(31.2781)).toBe('CNN total time: 31.278 seconds');
    expect(medianEpochLine(14.5246)).toBe('CNN median epoch time: 14.525 seconds');
  });

  it('parses a log back, PyTorch\'s included', () => {
    const log = [
      'Sequential(',
      'Epoch [1/2], Step [100/938], Loss: 0.6204',
      'Epoch [2/2], Step [900/938], Loss: 0.0723',
      'CNN epoch fit time: 17.103 seconds',
      'CNN epoch fit time: 16.000 seconds',
      'Accuracy of the model on the test images: 96.65 %',
      'CNN total time: 36.189 seconds; median epoch 14.884 s',
    ].join('\n');
    expect(parseLog(log)).toEqual({
      steps: [{ epoch: 1, step: 100, loss: 0.6204 }, { epoch: 2, step: 900, loss: 0.0723 }],
      epochTimes: [17.103, 16],
      accuracy: 96.65,
      totalTime: 36.189,
    });
  });

  it('takes medians, formats clocks and draws the progress bar', () => {
    expect(median([15.601, 13.448])).toBeCloseTo(14.5245, 10);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNaN();
    expect(clock(75)).toBe('1:15');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(NaN)).toBe('?:??');
    expect(progressBar({ epoch: 1, epochs: 2, step: 469, steps: 938, stepsPerSecond: 12.5, loss: 0.2 }, 20)).toBe(
      'Epoch 1/2 [##########..........] 469/938  12.5 steps/s  ETA 0:38, run 1:53  loss 0.2000', // (469 + 938) / 12.5 s
    );
  });
});
