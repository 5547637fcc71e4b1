import { describe, expect, it } from 'vitest';
import { parseCli } from './args.js';
import { TABLE1, TABLE3 } from './network.js';

const run = (argv: string[]) => {
  const p = parseCli(argv);
  if (p.kind !== 'run') throw new Error('expected a run');
  return p.options;
};

describe('parseCli', () => {
  it('defaults to the Table 3 network, 2 epochs, Adam lr 0.001, batch 64, seed 0, the embedded data', () => {
    const o = run([]);
    expect(o.train).toEqual({ net: TABLE3, epochs: 2, batchSize: 64, lr: 0.001, optimizer: 'adam', seed: 0, steps: undefined });
    expect(o.configName).toBe('table3');
    expect(o.data).toBeUndefined();
  });

  it('reads a named config and per-layer overrides', () => {
    const o = run(['--config', 'table1', '--pool2-kernel', '2', '--pool2-stride', '2', '--conv1-channels', '8', '--epochs', '10', '--lr', '3e-3']);
    expect(o.train.net).toEqual({ ...TABLE1, conv1: { ...TABLE1.conv1, outChannels: 8 }, pool2: { kernel: 2, stride: 2 } });
    expect(o.train.epochs).toBe(10);
    expect(o.train.lr).toBe(0.003);
  });

  it('reads the run and file flags', () => {
    const o = run(['--steps', '5', '--train-subset', '100', '--test-subset', '50', '--save', 'a.st', '--save-every', '3', '--svg', 'n.svg', '--optimizer', 'sgd', '--seed', '7', '--batch-size', '32', '--data', '/tmp/mnist']);
    expect(o).toMatchObject({ trainSubset: 100, testSubset: 50, save: 'a.st', saveEvery: 3, svg: 'n.svg', data: '/tmp/mnist' });
    expect(o.train).toMatchObject({ steps: 5, optimizer: 'sgd', seed: 7, batchSize: 32 });
  });

  it('records which flags were given, for --resume to check against the checkpoint', () => {
    expect(run(['--resume', 'a.st', '--lr', '0.01']).given).toEqual(['resume', 'lr']);
    expect(run([]).given).toEqual([]);
  });

  it('asks for help', () => {
    expect(parseCli(['--help']).kind).toBe('help');
    expect(parseCli(['-h']).kind).toBe('help');
  });

  it('rejects bad flags and values with errors naming them', () => {
    expect(() => parseCli(['--epochs', 'two'])).toThrow('--epochs: expected a positive integer, got "two"');
    expect(() => parseCli(['--epochs', '0'])).toThrow('--epochs: expected a positive integer, got "0"');
    expect(() => parseCli(['--epochs', '-1'])).toThrow('--epochs: expected a positive integer, got "-1"'); // not Node's "ambiguous"
    expect(() => parseCli(['--lr', '-.5'])).toThrow('--lr: expected a positive number, got "-.5"');
    expect(() => parseCli(['--seed', '-3', '--epochs', '2'])).toThrow('--seed: expected a non-negative integer, got "-3"');
    expect(() => parseCli(['--conv1-padding', '-1'])).toThrow(/--conv1-padding/);
    expect(() => parseCli(['--lr', 'fast'])).toThrow('--lr: expected a positive number, got "fast"');
    expect(() => parseCli(['--lr', '-0.1'])).toThrow(/--lr/);
    expect(() => parseCli(['--backend', 'webgpu'])).toThrow('--backend: unknown backend "webgpu" (choose cpu, gpu, gpu:webasm, gpu:cpu, gpu:webgpu, gpu:headlessgl, gpu:auto)');
    expect(() => parseCli(['--backend', 'gpu:webgl'])).toThrow('--backend: gpu:webgl is not available yet (a browser mode: WebGL runs in a page, not under Node (docs/guides/gpu.md))');
    const backendOf = (v: string): string | undefined => {
      const p = parseCli(['--backend', v]);
      return p.kind === 'run' ? p.options.backend : undefined;
    };
    expect([backendOf('cpu'), backendOf('gpu'), backendOf('gpu:webasm'), backendOf('gpu:cpu'), backendOf('gpu:webgpu'), backendOf('gpu:headlessgl'), backendOf('gpu:auto')]).toEqual(['cpu', 'gpu:webasm', 'gpu:webasm', 'gpu:cpu', 'gpu:webgpu', 'gpu:headlessgl', 'gpu:auto']);
    expect(() => parseCli(['--optimizer', 'lbfgs'])).toThrow('--optimizer: unknown optimizer "lbfgs" (choose adam or sgd)');
    expect(() => parseCli(['--config', 'table2'])).toThrow('--config: unknown configuration "table2" (choose table1 or table3)');
    expect(() => parseCli(['--bogus'])).toThrow(/Unknown option '--bogus'.*see --help/);
    expect(() => parseCli(['--save-every', '10'])).toThrow(/--save-every: needs --save/);
    expect(() => parseCli(['--config', 'table1', '--pool1-kernel', '4', '--pool1-stride', '4'])).toThrow(/pool2: .* gives an empty output/);
  });
});
