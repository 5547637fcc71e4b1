// The graph as data, as DOT text and as SVG.
import { describe, expect, it } from 'vitest';
import { graphOf, summarize, tensor, toDot, toSvg, type CreationOptions } from './index.js';

const f64: CreationOptions = { dtype: 'float64', requiresGrad: true };

function smallStep() {
  const w = tensor([[0.5, -1], [2, 0.25]], f64);
  w.name = 'w';
  const x = tensor([[1, 2]], { dtype: 'float64' });
  x.name = 'x';
  const loss = x.matmul(w).relu().sum();
  loss.name = 'loss';
  return { w, x, loss };
}

describe('graphOf', () => {
  it('lists tensors and ops in topological order with their edges', () => {
    const { loss } = smallStep();
    const g = graphOf(loss);
    expect(g.vertices.map((v) => v.lines[0])).toEqual([
      'x [1,2] float64',
      'w [2,2] float64',
      'matmul',
      '[1,2] float64',
      'relu',
      '[1,2] float64',
      'sum(false)',
      'loss [] float64',
    ]);
    expect(g.vertices.map((v) => v.role)).toEqual([
      'constant', 'parameter', 'op', 'result', 'op', 'result', 'op', 'result',
    ]);
    expect(g.edges).toEqual([
      ['t0', 'op2'], ['t1', 'op2'], ['op2', 't2'],
      ['t2', 'op3'], ['op3', 't3'],
      ['t3', 'op4'], ['op4', 't4'],
    ]);
  });

  it('shows values and gradients when asked', () => {
    const { w, loss } = smallStep();
    loss.backward();
    const g = graphOf(loss, { values: true, grads: true });
    const wLines = g.vertices.find((v) => v.lines[0].startsWith('w '))?.lines;
    // x @ w = [4.5, -0.5]: relu passes only the first column, so dw = [[1, 0], [2, 0]].
    expect(wLines).toEqual(['w [2,2] float64', 'data [0.5, -1, 2, 0.25]', 'grad [1, 0, 2, 0]']);
    expect(w.grad?.toArray()).toEqual([[1, 0], [2, 0]]);
  });

  it('summarizes large tensors', () => {
    expect(summarize([1, 2, 3, 4], 2)).toBe('[1, 2, … (4)]');
    expect(summarize([1 / 3], 6)).toBe('[0.3333]');
  });
});

describe('toDot', () => {
  it('writes a record per tensor, an ellipse per op and the edges', () => {
    const x = tensor([1, 2], f64);
    x.name = 'x';
    const dot = toDot(x.exp());
    expect(dot).toBe(
      [
        'digraph {',
        '  rankdir=LR;',
        '  node [fontname="monospace", fontsize=10, style=filled];',
        '  t0 [shape=record, fillcolor="#dbeafe", label="{x [2] float64}"];',
        '  op1 [shape=ellipse, fillcolor="#fef3c7", label="exp"];',
        '  t1 [shape=record, fillcolor="#ffffff", label="{[2] float64}"];',
        '  t0 -> op1;',
        '  op1 -> t1;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('escapes the characters DOT records reserve', () => {
    const x = tensor([1], f64);
    x.name = 'a|b{c}';
    expect(toDot(x.exp())).toContain('label="{a\\|b\\{c\\} [1] float64}"');
  });
});

describe('toSvg', () => {
  it('draws every vertex once and every edge from left to right', () => {
    const { loss } = smallStep();
    loss.backward();
    const svg = toSvg(loss, { grads: true });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g id="t\d+">/g)?.length).toBe(5);
    expect(svg.match(/<g id="op\d+">/g)?.length).toBe(3);
    expect(svg.match(/<ellipse /g)?.length).toBe(3);
    expect(svg.match(/<path d="M[\d.]+,[\d.]+ C/g)?.length).toBe(7);
    expect(svg).toContain('grad [1, 0, 2, 0]');
    for (const m of svg.matchAll(/<path d="M([\d.]+),[\d.]+ C[^"]* ([\d.]+),[\d.]+"/g)) {
      expect(Number(m[2])).toBeGreaterThan(Number(m[1]));
    }
    expect(toSvg(loss, { grads: true })).toBe(svg);
  });

  it('escapes text for XML', () => {
    const x = tensor([1], f64);
    x.name = '<x & y>';
    expect(toSvg(x.exp())).toContain('&lt;x &amp; y&gt;');
  });

  it('draws the graph of one training step of a small classifier', () => {
    const x = tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], { dtype: 'float64' });
    const w1 = tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], f64);
    const b1 = tensor([0.01, -0.02], f64);
    const w2 = tensor([[1, -1], [0.5, 0.5]], f64);
    const y = tensor([1, 0], { dtype: 'int32' });
    const logits = x.matmul(w1).add(b1).relu().matmul(w2);
    const loss = logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();
    loss.backward();
    const svg = toSvg(loss, { values: true, grads: true });
    for (const op of ['matmul', 'add', 'relu', 'logSoftmax(1)', 'gather(1)', 'sum(false)', 'div', 'neg']) {
      expect(svg).toContain(`>${op}</text>`);
    }
  });
});
