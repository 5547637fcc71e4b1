import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from './args.js';
import { runCli } from './run.js';

// The CI smoke test of the main job: the CLI's own path (flags, data, summary, training, the
// study's lines) on 2000 training images, batch 16: 2 epochs of 125 steps.
describe('npm run mnist (smoke)', () => {
  it('trains the Table 3 network: the loss falls, accuracy beats chance, the lines read as the study\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-cli-'));
    const svg = join(dir, 'net.svg');
    const parsed = parseCli(['--train-subset', '2000', '--test-subset', '1000', '--batch-size', '16', '--svg', svg]);
    if (parsed.kind !== 'run') throw new Error('expected a run');
    let text = '';
    const result = await runCli(parsed.options, { write: (s: string) => (text += s), isTTY: false });
    rmSync(dir, { recursive: true, force: true, maxRetries: 0 });

    expect(result.epochLosses).toHaveLength(2);
    expect(result.epochLosses[1]).toBeLessThan(0.8 * (result.epochLosses[0] ?? 0));
    const windows = result.lossLog.map((p) => p.loss); // mean loss of steps 1-100 and 101-200 (of 250)
    expect(windows).toHaveLength(2);
    expect(windows[1]).toBeLessThan(windows[0] ?? 0);
    expect(result.accuracy).toBeGreaterThan(50); // chance is 10 %

    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Loading MNIST dataset...');
    expect(lines[1]).toBe('Network (table3): conv1 32@k5s1p1, pool1 k2s2, conv2 64@k5s3p1, pool2 k4s4');
    expect(text).toContain('Total params: 52,746');
    expect(text).toContain(`Wrote the network diagram to ${svg}`);
    expect(text).toContain('Training on 2000 images, testing on 1000: 2 epochs, batch size 16, Adam lr 0.001, seed 0, backend cpu');
    const study = lines.filter((l) => /^(Epoch \[|CNN |Accuracy )/.test(l));
    const patterns = [
      /^Epoch \[1\/2\], Step \[100\/125\], Loss: \d+\.\d{4}$/,
      /^CNN epoch fit time: \d+\.\d{3} seconds$/,
      /^Epoch \[2\/2\], Step \[100\/125\], Loss: \d+\.\d{4}$/,
      /^CNN epoch fit time: \d+\.\d{3} seconds$/,
      /^Accuracy of the model on the test images: \d+\.\d{2} %$/,
      /^CNN total time: \d+\.\d{3} seconds$/,
      /^CNN median epoch time: \d+\.\d{3} seconds$/,
    ];
    expect(study).toHaveLength(patterns.length);
    study.forEach((line, i) => expect(line).toMatch(patterns[i] ?? /^$/));
    expect(study[4]).toBe(`Accuracy of the model on the test images: ${result.accuracy.toFixed(2)} %`);
    expect(text).not.toContain('\r'); // no progress bar when the output is no terminal
  });

  it('writes the network diagram with every layer and its shape', async () => {
    const { networkSvg } = await import('./diagram.js');
    const { buildModel, TABLE3 } = await import('./network.js');
    const svg = networkSvg(TABLE3, buildModel(TABLE3).stateDict());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const s of ['input: MNIST image', 'output 1 × 28 × 28', 'conv1: Conv2d(1, 32, kernel_size=5, stride=1, padding=1)', 'output 32 × 26 × 26 · 832 parameters', 'pool2: MaxPool2d(kernel_size=4, stride=4)', 'output 64 × 1 × 1', 'fc: Linear(in_features=64, out_features=10)', 'Total parameters: 52,746']) {
      expect(svg).toContain(s);
    }
    expect(svg.match(/<rect [^>]*rx="6"/g)).toHaveLength(9); // input + 8 layers
  });
});
