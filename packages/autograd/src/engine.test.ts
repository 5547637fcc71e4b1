// Properties of the graph and the backward pass, with values worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  defineOp,
  enableGrad,
  gradcheck,
  isGradEnabled,
  noGrad,
  ones,
  Tensor,
  type CreationOptions,
  tensor,
  topologicalOrder,
  zeros,
} from './index.js';

const f64: CreationOptions = { dtype: 'float64', requiresGrad: true };

function resetGrad(t: Tensor): void {
  t.grad = null;
}

describe('backward', () => {
  it('gives a tensor used twice the sum of both paths', () => {
    const x = tensor([3], f64);
    x.mul(x).add(x).sum().backward(); // d(x² + x)/dx = 2x + 1
    expect(x.grad?.toArray()).toEqual([7]);
  });

  it('sums the two branches of a diamond once each', () => {
    const x = tensor([2], f64);
    const a = x.mul(3);
    const b = x.square();
    const y = a.mul(b).sum(); // 3x³, dy/dx = 9x² = 36
    y.backward();
    expect(x.grad?.toArray()).toEqual([36]);
  });

  it('leaves a leaf that does not require grad without a gradient', () => {
    const w = tensor([1, 2], f64);
    const c = tensor([3, 4], { dtype: 'float64' });
    w.mul(c).sum().backward();
    expect(w.grad?.toArray()).toEqual([3, 4]);
    expect(c.grad).toBeNull();
  });

  it('accumulates across calls until the gradient is reset', () => {
    const x = tensor([1, 2], f64);
    x.mul(2).sum().backward();
    x.mul(2).sum().backward();
    expect(x.grad?.toArray()).toEqual([4, 4]);
    resetGrad(x);
    x.mul(5).sum().backward();
    expect(x.grad?.toArray()).toEqual([5, 5]);
  });

  it('sums a broadcast gradient back to the input shape', () => {
    const b = tensor([10, 20, 30], f64);
    const x = zeros([4, 3], { dtype: 'float64' });
    x.add(b).sum().backward();
    expect(b.grad?.toArray()).toEqual([4, 4, 4]);
  });

  it('takes an explicit gradient for a non-scalar output', () => {
    const x = tensor([1, 2, 3], f64);
    x.square().backward(tensor([1, 0, -1], { dtype: 'float64' }));
    expect(x.grad?.toArray()).toEqual([2, 0, -6]);
  });

  it('keeps the graph with retainGraph, so a second backward adds the same again', () => {
    const x = tensor([1, 2], f64);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    const first = Array.from(x.grad?.data.toTypedArray() ?? []);
    y.backward();
    expect(Array.from(x.grad?.data.toTypedArray() ?? [])).toEqual(first.map((g) => 2 * g));
  });

  it('takes the options alone, in place of the gradient: backward({ retainGraph: true })', () => {
    const x = tensor([1, 2], f64);
    const y = x.square().sum(); // dy/dx = 2x = [2, 4]
    y.backward({ retainGraph: true });
    expect(x.grad?.toArray()).toEqual([2, 4]);
    y.backward({});
    expect(x.grad?.toArray()).toEqual([4, 8]);
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
  });

  it('takes an NDArray gradient with options after it', () => {
    const x = tensor([1, 2, 3], f64);
    const y = x.square(); // dy/dx = 2x
    y.backward(tensor([1, 0, -1]).data, { retainGraph: true });
    y.backward(tensor([0, 1, 0], { dtype: 'float64' }));
    expect(x.grad?.toArray()).toEqual([2, 4, -6]);
  });

  it('names what it got when the gradient or the options are neither', () => {
    const x = tensor([1, 2], f64);
    const y = x.mul(2);
    const bad: unknown[] = [2, [1, 1], 'ones', null];
    const messages = bad.map((g) => {
      try {
        Reflect.apply(Tensor.prototype.backward, y, [g]);
        return 'no error';
      } catch (e) {
        return e instanceof TypeError ? e.message : String(e);
      }
    });
    expect(messages).toEqual([
      'backward: gradient must be a Tensor or an NDArray (or omitted), got number 2',
      'backward: gradient must be a Tensor or an NDArray (or omitted), got an array (2 elements); wrap it: tensor([...])',
      'backward: gradient must be a Tensor or an NDArray (or omitted), got string ones',
      'backward: gradient must be a Tensor or an NDArray (or omitted), got null',
    ]);
    expect(() => Reflect.apply(Tensor.prototype.backward, y, [{ retain_graph: true }])).toThrow(
      "backward: unknown option 'retain_graph' (known options: retainGraph)",
    );
    expect(() => Reflect.apply(Tensor.prototype.backward, y, [ones([2]), true])).toThrow(
      'backward: options must be an object such as { retainGraph: true }, got boolean true',
    );
    expect(() => Reflect.apply(Tensor.prototype.backward, y, [{ retainGraph: 1 }])).toThrow(
      'backward: retainGraph must be a boolean, got number 1',
    );
    expect(() => Reflect.apply(Tensor.prototype.backward, y, [{}, {}])).toThrow('backward: options given twice');
    expect(x.grad).toBeNull(); // nothing ran
  });

  it('refuses a second backward through a freed graph', () => {
    const x = tensor([1, 2], f64);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time.*retainGraph/);
  });

  it('names the shape when a non-scalar output gets no gradient', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], f64);
    expect(() => x.mul(2).backward()).toThrow('grad can be implicitly created only for scalar outputs: got shape [2,3]');
  });

  it('names both shapes when the gradient has the wrong shape', () => {
    const x = tensor([1, 2, 3], f64);
    expect(() => x.mul(2).backward(ones([2]))).toThrow('gradient has a shape of [2] and the output has a shape of [3]');
    // A scalar output takes a 0-d gradient only, as PyTorch: [1] is not the shape [].
    expect(() => x.sum().backward(ones([1]), { retainGraph: true })).toThrow(
      'Mismatch in shape: gradient has a shape of [1] and the output has a shape of []',
    );
    expect(() => x.mul(2).backward(ones([1, 3]).data)).toThrow(
      'Mismatch in shape: gradient has a shape of [1,3] and the output has a shape of [3]',
    );
  });

  it('refuses backward from a tensor that does not require grad', () => {
    expect(() => tensor([1]).sum().backward()).toThrow('does not require grad');
  });

  it('refuses requiresGrad on an integer tensor', () => {
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow(
      'only Tensors of floating point dtype can require gradients, got int32',
    );
  });

  it('stores the gradient of a non-leaf that asked for it (retainGrad)', () => {
    const x = tensor([1, 2], f64);
    const h = x.mul(3).retainGrad();
    h.square().sum().backward(); // d(h²)/dh = 2h = [6, 12]
    expect(h.grad?.toArray()).toEqual([6, 12]);
    expect(x.grad?.toArray()).toEqual([18, 36]);
  });

  it('walks a graph 20000 ops deep without overflowing the stack', () => {
    const x = tensor([1], f64);
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([1]);
  });

  it('orders the graph deterministically, inputs before the ops that use them', () => {
    const a = tensor([1], f64);
    const b = tensor([2], f64);
    const c = a.mul(b);
    const d = c.add(a);
    expect(topologicalOrder(d).map((t) => [a, b, c, d].indexOf(t))).toEqual([0, 1, 2, 3]);
  });
});

describe('grad mode', () => {
  it('builds no graph inside noGrad and restores the mode afterwards', () => {
    const w = tensor([1, 2], f64);
    const y = noGrad(() => w.mul(2).exp());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
  });

  it('restores the mode when the function throws', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('turns recording back on inside enableGrad', () => {
    const w = tensor([1], f64);
    const y = noGrad(() => enableGrad(() => w.mul(2)));
    expect(y.gradFn?.name).toBe('mul');
  });

  it('detach cuts the graph but shares the data', () => {
    const w = tensor([1, 2], f64);
    const d = w.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(d.toArray()).toEqual([2, 4]);
  });

  it('requiresGrad_ switches a leaf and refuses to switch off a non-leaf', () => {
    const w = tensor([1, 2], { dtype: 'float64' }).requiresGrad_();
    expect(w.requiresGrad).toBe(true);
    expect(() => w.mul(2).requiresGrad_(false)).toThrow('leaf');
  });

  it('returns comparisons and argmax outside the graph', () => {
    const w = tensor([1, 3, 2], f64);
    expect(w.gt(1.5).gradFn).toBeNull();
    expect(w.gt(1.5).toArray()).toEqual([false, true, true]);
    expect(w.argmax().item()).toBe(1);
    expect(w.argmax().requiresGrad).toBe(false);
  });
});

describe('Tensor as a base class', () => {
  class Parameter extends Tensor {
    constructor(data: Tensor['data']) {
      super(data, { requiresGrad: true });
    }
  }

  it('lets a subclass be a leaf whose data an optimizer replaces', () => {
    const p = new Parameter(tensor([1, 2], { dtype: 'float64' }).data);
    p.mul(p).sum().backward();
    expect(p.grad?.toArray()).toEqual([2, 4]);
    const grad = p.grad;
    if (grad !== null) p.data = p.data.sub(grad.data.mul(0.25));
    expect(p.toArray()).toEqual([0.5, 1]);
    expect(p.mul(2)).not.toBeInstanceOf(Parameter);
  });
});

describe('defineOp', () => {
  it('skips the gradients of inputs that need none', () => {
    const seen: boolean[][] = [];
    const scaled = defineOp({
      name: 'scaled',
      forward: ([a, b]) => a.mul(b),
      backward: (g, { inputs: [a, b], needs }) => {
        seen.push([...needs]);
        return [needs[0] ? g.mul(b) : null, needs[1] ? g.mul(a) : null];
      },
    });
    const w = tensor([2], f64);
    scaled([w, tensor([5], { dtype: 'float64' })]).sum().backward();
    expect(seen).toEqual([[true, false]]);
    expect(w.grad?.toArray()).toEqual([5]);
  });

  it('is what gradcheck catches when a backward is wrong, naming input and element', () => {
    const wrongSquare = defineOp({
      name: 'wrongSquare',
      forward: ([x]) => x.square(),
      backward: (g, { inputs: [x] }) => [g.mul(x)], // should be 2x
    });
    const x = tensor([[0.5, 1], [1.5, 2]], f64);
    expect(() => gradcheck((t) => wrongSquare([t]), [x])).toThrow(
      /gradcheck: Jacobian mismatch for input 0 element \[0,0\] \(output element \[0,0\]\): analytic 0\.5 vs numerical 0\.99999/,
    );
    expect(gradcheck((t) => wrongSquare([t]), [x], { raiseException: false })).toBe(false);
  });
});
