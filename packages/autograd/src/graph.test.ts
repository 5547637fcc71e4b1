// The graph as data, as DOT text and as SVG.
import { describe, expect, it } from 'vitest';
import { graphOf, opLabel, summarize, tensor, toDot, toSvg, type CreationOptions, type Tensor } from './index.js';

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
      'sum',
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
    expect(summarize([1, 2], 2, 50176)).toBe('[1, 2, … (50176)]');
  });

  it('reads the first elements of a strided view in row-major order', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], f64);
    const g = graphOf(x.transpose(0, 1).mul(1), { values: true, maxElements: 4 });
    // transpose: [[1, 4], [2, 5], [3, 6]]
    expect(g.vertices.find((v) => v.lines[0] === '[3,2] float64')?.lines[1]).toBe('data [1, 4, 2, 5, … (6)]');
  });

  it('labels ops with their arguments, leaving out trailing defaults', () => {
    const x = tensor([[1, 2], [3, 4]], f64);
    const label = (t: Tensor): string => (t.gradFn === null ? '' : opLabel(t.gradFn));
    expect(label(x.sum())).toBe('sum');
    expect(label(x.sum(1))).toBe('sum(1)');
    expect(label(x.sum(1, true))).toBe('sum(1, true)');
    expect(label(x.sum(undefined, true))).toBe('sum(undefined, true)');
    expect(label(x.slice(1, undefined, undefined, 2))).toBe('slice(1, undefined, undefined, 2)');
    expect(label(x.reshape([4]))).toBe('reshape([4])');
  });

  it('puts a long op label on several lines: the name, then the arguments', () => {
    const x = tensor([[[[1, 2], [3, 4]]]], f64);
    const g = graphOf(x.pad([1, 1, 1, 1]).mul(1));
    expect(g.vertices.filter((v) => v.kind === 'op').map((v) => v.lines)).toEqual([
      ['pad([1,1,1,1], 0)'],
      ['mul'],
    ]);
    const long = graphOf(x.expand([1, 1, 2, 2]).reshape([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4]));
    expect(long.vertices.filter((v) => v.kind === 'op').map((v) => v.lines)).toEqual([
      ['expand([1,1,2,2])'],
      ['reshape', '[1,1,1,1,1,1,1,1,1,1,1,4]'],
    ]);
  });
});

describe('names', () => {
  function layer() {
    const weight = tensor([[1, 2]], f64);
    const bias = tensor([0.5], f64);
    const input = tensor([[3], [4]], { dtype: 'float64' });
    const out = input.matmul(weight).add(bias).sum();
    return { weight, bias, input, out };
  }
  const firstLines = (t: Tensor, names: Parameters<typeof graphOf>[1]): string[] =>
    graphOf(t, names).vertices.filter((v) => v.kind === 'tensor' && v.role !== 'result').map((v) => v.lines[0]);

  it('takes [name, tensor] pairs, such as a module\'s namedParameters()', () => {
    const { weight, bias, out } = layer();
    function* namedParameters(): Generator<[string, Tensor]> {
      yield ['0.weight', weight];
      yield ['0.bias', bias];
    }
    expect(firstLines(out, { names: namedParameters() })).toEqual([
      '[2,1] float64', '0.weight [1,2] float64', '0.bias [1] float64',
    ]);
    expect(firstLines(out, { names: new Map([['w', weight]]) })[1]).toBe('w [1,2] float64');
  });

  it('takes an object of tensors, and its names win over tensor.name', () => {
    const { weight, bias, input, out } = layer();
    weight.name = 'old';
    bias.name = 'b';
    expect(firstLines(out, { names: { input, weight } })).toEqual([
      'input [2,1] float64', 'weight [1,2] float64', 'b [1] float64',
    ]);
    expect(toDot(out, { names: { input } })).toContain('label="input [2,1] float64"');
    expect(toSvg(out, { names: { input } })).toContain('>input [2,1] float64</text>');
  });
});

describe('bad arguments', () => {
  it('names what it got instead of a tensor or of names', () => {
    const x = tensor([1], f64).mul(2);
    expect(() => Reflect.apply(graphOf, undefined, [undefined])).toThrow('graphOf: expected a Tensor, got undefined');
    expect(() => Reflect.apply(toDot, undefined, [x, { names: 5 }])).toThrow(
      'names: expected [name, tensor] pairs or an object of tensors, got number 5',
    );
    expect(() => Reflect.apply(toSvg, undefined, [x, { names: { w: [1] } }])).toThrow(
      'names: expected [name, tensor] pairs, got a pair of string w and an array (1 elements); wrap it: tensor([...])',
    );
  });
});

describe('toDot', () => {
  it('writes a box per tensor, an ellipse per op and the edges, top to bottom', () => {
    const x = tensor([1, 2], f64);
    x.name = 'x';
    const dot = toDot(x.exp());
    expect(dot).toBe(
      [
        'digraph {',
        '  rankdir=TB;',
        '  node [fontname="monospace", fontsize=10, style=filled];',
        '  t0 [shape=box, fillcolor="#dbeafe", label="x [2] float64"];',
        '  op1 [shape=ellipse, fillcolor="#fef3c7", label="exp"];',
        '  t1 [shape=box, fillcolor="#ffffff", label="[2] float64"];',
        '  t0 -> op1;',
        '  op1 -> t1;',
        '}',
        '',
      ].join('\n'),
    );
    expect(toDot(x.exp(), { rankdir: 'LR' })).toContain('  rankdir=LR;\n');
  });

  it('puts each label line on its own line and escapes quotes and backslashes', () => {
    const x = tensor([1], f64);
    x.name = 'a"b\\c';
    x.exp().sum().backward();
    expect(toDot(x.exp(), { grads: true })).toContain('label="a\\"b\\\\c [1] float64\\ngrad [2.718]"');
  });
});

describe('toSvg', () => {
  interface Drawn {
    id: string;
    x: number;
    y: number;
    width: number;
    height: number;
  }
  function boxes(svg: string): Drawn[] {
    return [...svg.matchAll(/<g id="(\w+)"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({
      id: m[1], x: Number(m[2]), y: Number(m[3]), width: Number(m[4]), height: Number(m[5]),
    }));
  }
  function edges(svg: string): [number, number, number, number][] {
    return [...svg.matchAll(/<path d="M([\d.]+),([\d.]+) C[^"]* ([\d.]+),([\d.]+)"/g)].map((m) => [
      Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]),
    ]);
  }

  it('draws every vertex once and every edge in the direction data flows', () => {
    const { loss } = smallStep();
    loss.backward();
    const svg = toSvg(loss, { grads: true });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g id="t\d+">/g)?.length).toBe(5);
    expect(svg.match(/<g id="op\d+">/g)?.length).toBe(3);
    expect(edges(svg).length).toBe(7);
    expect(svg).toContain('grad [1, 0, 2, 0]');
    for (const [, y1, , y2] of edges(svg)) expect(y2).toBeGreaterThan(y1); // top to bottom
    for (const [x1, , x2] of edges(toSvg(loss, { rankdir: 'LR' }))) expect(x2).toBeGreaterThan(x1);
    expect(toSvg(loss, { grads: true })).toBe(svg);
  });

  it('sends an op\'s arguments into it side by side, in order, even a tensor used twice', () => {
    const x = tensor([1, 2], f64);
    const svg = toSvg(x.mul(x));
    const ends = edges(svg).map(([, , x2, y2]) => [x2, y2]);
    const op = boxes(svg).find((b) => b.id === 'op1');
    // Two edges from x into mul, at 1/3 and 2/3 of its top; one from mul to its result.
    const [left = 0, top = 0, width = 0] = [op?.x, op?.y, op?.width];
    expect(ends[0][0]).toBeCloseTo(left + width / 3, 1);
    expect(ends[1][0]).toBeCloseTo(left + (2 * width) / 3, 1);
    expect([ends[0][1], ends[1][1]]).toEqual([top, top]);
  });

  it('keeps a side chain beside the op it feeds and the main chain straight', () => {
    const x = tensor([[1, 2]], { dtype: 'float64' });
    const w = tensor([[1], [2]], f64);
    const b = tensor([3], f64);
    let h = x.matmul(w);
    for (let i = 0; i < 4; i++) h = h.relu().mul(1.5);
    const out = h.add(b.reshape([1, 1])).sum(); // b's reshape is needed only at the very end
    const drawn = boxes(toSvg(out, { names: { x, b } }));
    const at = (id: string): Drawn | undefined => drawn.find((d) => d.id === id);
    const g = graphOf(out, { names: { x, b } });
    const id = (first: string): string => g.vertices.find((v) => v.lines[0] === first)?.id ?? '';
    const add = at(id('add'));
    const bBox = at(id('b [1] float64'));
    const reshaped = at(id('[1,1] float64'));
    // b and its reshape sit in the two ranks just above the add, not at the top of the picture.
    expect((bBox?.y ?? 0)).toBeGreaterThan(at(id('x [1,2] float64'))?.y ?? 0);
    expect((reshaped?.y ?? 0) + (reshaped?.height ?? 0)).toBeLessThan(add?.y ?? 0);
    expect(at(id('reshape([1,1])'))?.y).toBeGreaterThan(bBox?.y ?? 0);
    // The chain from matmul to sum shares one centre line.
    const chain = g.vertices.filter((v) => v.kind === 'op' && v.lines[0] !== 'reshape([1,1])').map((v) => at(v.id));
    const centres = new Set(chain.map((d) => (d?.x ?? 0) + (d?.width ?? 0) / 2));
    expect(centres.size).toBe(1);
    // No two boxes overlap.
    for (const p of drawn) {
      for (const q of drawn) {
        if (p === q) continue;
        const apart = p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y;
        expect(apart).toBe(true);
      }
    }
  });

  it('routes an edge that skips ranks (a residual connection) round the boxes between', () => {
    const a = tensor([2], f64);
    let h = a;
    for (let i = 0; i < 3; i++) h = h.tanh().mul(2).add(h); // h + 2 tanh(h): each h is read again two ops later
    const svg = toSvg(h.sum());
    const drawn = boxes(svg);
    const straights = [...svg.matchAll(/ ([\d.]+),([\d.]+) L([\d.]+),([\d.]+)/g)].map((m) => m.slice(1).map(Number));
    expect(straights.length).toBe(3 * 4); // each skip edge crosses four ranks: tanh, its result, mul, its result
    for (const [x, y1, x2, y2] of straights) {
      expect(x2).toBe(x);
      for (const d of drawn) {
        const besideIt = x <= d.x || x >= d.x + d.width || y2 <= d.y || y1 >= d.y + d.height;
        expect(besideIt).toBe(true);
      }
    }
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
    const svg = toSvg(loss, { values: true, grads: true, names: { w1, b1, w2 } });
    for (const op of ['matmul', 'add', 'relu', 'logSoftmax(1)', 'gather(1)', 'sum', 'div', 'neg']) {
      expect(svg).toContain(`>${op}</text>`);
    }
    expect(svg).toContain('>b1 [2] float64</text>');
  });
});
