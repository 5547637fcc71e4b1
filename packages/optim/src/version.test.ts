import { describe, expect, it } from 'vitest';
import { tensor } from '@tsgrad/autograd';
import { array } from '@tsgrad/ndarray';
import { Adam } from './adam.js';
import { SGD } from './sgd.js';

// An optimizer step writes parameters in place; a graph that saved the old values must not
// silently backpropagate through the new ones (PyTorch raises the same error).
describe('version counters', () => {
  const message = 'one of the variables needed for gradient computation has been modified by an inplace operation';

  it('backward through a graph saved before opt.step() raises PyTorch\'s error, naming the op', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const loss = w.mul(x).sum();
    loss.backward({ retainGraph: true });
    expect(x.grad?.toArray()).toEqual([1, 2, 3]);
    new SGD([w], { lr: 1 }).step();
    expect(w.version).toBe(1);
    expect(() => loss.backward()).toThrow(
      `${message}: [float32 [3]], input 0 of mul, is at version 1; expected version 0 instead.`,
    );
    // x.grad was not changed by the failed backward
    expect(x.grad?.toArray()).toEqual([1, 2, 3]);
  });

  it('a strided parameter goes through the same path (a copy written back) and is versioned too', () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const wt = w.data.transpose(0, 1);
    w.data = wt;
    const loss = w.square().sum();
    loss.backward({ retainGraph: true });
    new Adam([w], { lr: 0.1 }).step();
    expect(w.data).toBe(wt); // updated in place, not replaced
    expect(w.version).toBe(1);
    expect(() => loss.backward()).toThrow(`${message}: [float32 [2, 2]], input 0 of square`);
  });

  it('copy_ after forward is caught; a forward after the write is fine', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const y = a.exp().sum();
    a.data.copy_(array([5, 5]));
    expect(() => y.backward()).toThrow(`${message}: [float32 [2]], input 0 of exp, is at version 1; expected version 0 instead.`);
    a.exp().sum().backward();
    expect(a.grad?.toArray()).toEqual([Math.fround(Math.exp(5)), Math.fround(Math.exp(5))]);
  });
});
