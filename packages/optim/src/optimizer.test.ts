import { describe, expect, it } from 'vitest';
import { array, NDArray } from '@tsgrad/ndarray';
import { fromNDArray, tensor, type Tensor } from '@tsgrad/autograd';
import { Adam, AdamW, RMSprop, SGD } from './index.js';

const param = (values: number[], dtype: 'float32' | 'float64' = 'float64'): Tensor =>
  tensor(values, { dtype, requiresGrad: true });

describe('Optimizer: parameter groups', () => {
  it('takes a list of tensors as one group with the defaults', () => {
    const opt = new SGD([param([1]), param([2])]);
    expect(opt.paramGroups).toHaveLength(1);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
  });

  it('takes groups with per-group options, as PyTorch', () => {
    const a = param([1]);
    const b = param([2]);
    const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b] }], { lr: 0.01, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([[0.1, 0.9], [0.01, 0.9]]);
    a.grad = fromNDArray(array([1], { dtype: 'float64' }));
    b.grad = fromNDArray(array([1], { dtype: 'float64' }));
    opt.step();
    expect([a.data.item(), b.data.item()]).toEqual([1 - 0.1, 2 - 0.01]);
  });

  it('accepts a generator (as Module.parameters() may return) and a single tensor in a group', () => {
    const ps = [param([1]), param([2])];
    function* gen(): Generator<Tensor> {
      yield* ps;
    }
    expect(new Adam(gen()).paramGroups[0].params).toEqual(ps);
    expect(new Adam([{ params: ps[0] }]).paramGroups[0].params).toEqual([ps[0]]);
  });

  it('addParamGroup fills the defaults and keeps groups apart', () => {
    const opt = new Adam([param([1])], { lr: 0.1 });
    opt.addParamGroup({ params: [param([2])], betas: [0.5, 0.6] });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.1, betas: [0.5, 0.6], eps: 1e-8 });
    expect(() => opt.addParamGroup({ params: opt.paramGroups[0].params })).toThrow('some parameters appear in more than one parameter group');
  });

  it('rejects bad parameter lists with PyTorch messages', () => {
    const p = param([1]);
    expect(() => new SGD([])).toThrow('optimizer got an empty parameter list');
    // a JavaScript caller passing one tensor instead of a list
    expect(() => Reflect.construct(SGD, [p])).toThrow(
      /params argument given to the optimizer should be an iterable of Tensors or param groups, but got a Tensor of shape \[1\]/);
    expect(() => new SGD([p.mul(2)])).toThrow("can't optimize a non-leaf Tensor");
    expect(() => new SGD([{ params: [p] }, { params: [p] }])).toThrow('some parameters appear in more than one parameter group');
    expect(() => new SGD([{ params: [p, p] }])).toThrow('optimizer contains a parameter group with duplicate parameters');
    const notTensors: Tensor[] = JSON.parse('[{"params": [3]}]');
    expect(() => new SGD(notTensors)).toThrow('optimizer can only optimize Tensors, but one of the params is number');
     // an NDArray where a Tensor belongs: named, with the fix, instead of "not iterable"
    const arrays: Tensor[] = JSON.parse('[1]').map(() => array([1, 2]));
    expect(() => new SGD(arrays)).toThrow(
      'optimizer can only optimize Tensors, but one of the params is NDArray (wrap it: fromNDArray(a, { requiresGrad: true }))');
    const nulls: Tensor[] = JSON.parse('[null]');
    expect(() => new SGD(nulls)).toThrow('optimizer can only optimize Tensors, but one of the params is null');
    const groupWithoutParams: Tensor[] = JSON.parse('[{"lr": 0.1}]');
    expect(() => new SGD(groupWithoutParams)).toThrow('param group 0 has no "params" (expected { params: [...tensors], ...options })');
  });
});

describe('option checks (PyTorch messages, camelCase names)', () => {
  const p = (): Tensor[] => [param([1])];
  it.each([
    [() => new SGD(p(), { lr: -1 }), 'Invalid learning rate: -1'],
    [() => new SGD(p(), { lr: NaN }), 'Invalid learning rate: NaN'],
    [() => new SGD(p(), { momentum: -0.5 }), 'Invalid momentum value: -0.5'],
    [() => new SGD(p(), { weightDecay: -1 }), 'Invalid weightDecay value: -1'],
    [() => new SGD(p(), { nesterov: true }), 'Nesterov momentum requires a momentum and zero dampening'],
    [() => new SGD(p(), { nesterov: true, momentum: 0.9, dampening: 0.1 }), 'Nesterov momentum requires a momentum and zero dampening'],
    [() => new SGD([{ params: p(), lr: -2 }], { lr: 0.1 }), 'Invalid learning rate: -2'],
    [() => new Adam(p(), { lr: -1 }), 'Invalid learning rate: -1'],
    [() => new Adam(p(), { eps: -1e-8 }), 'Invalid epsilon value: -1e-8'],
    [() => new Adam(p(), { betas: [1.5, 0.999] }), 'Invalid beta parameter at index 0: 1.5'],
    [() => new Adam(p(), { betas: [0.9, 1] }), 'Invalid beta parameter at index 1: 1'],
    [() => new Adam(p(), { weightDecay: -0.1 }), 'Invalid weightDecay value: -0.1'],
    [() => new AdamW(p(), { betas: [-0.1, 0.9] }), 'Invalid beta parameter at index 0: -0.1'],
    [() => new RMSprop(p(), { lr: -1 }), 'Invalid learning rate: -1'],
    [() => new RMSprop(p(), { eps: -1 }), 'Invalid epsilon value: -1'],
    [() => new RMSprop(p(), { momentum: -1 }), 'Invalid momentum value: -1'],
    [() => new RMSprop(p(), { weightDecay: -1 }), 'Invalid weightDecay value: -1'],
    [() => new RMSprop(p(), { alpha: -1 }), 'Invalid alpha value: -1'],
  ])('%#: %s', (make, message) => {
    expect(make).toThrow(message);
  });

  it('rejects an unknown option and an option of the wrong type (a JavaScript caller\'s typo)', () => {
    // Typed as loose records, as a JavaScript caller's objects are.
    const typo: Record<string, unknown> = { learningRate: 0.1 };
    expect(() => new Adam(p(), typo)).toThrow(
      'Adam got an unknown option "learningRate" (options: lr, betas, eps, weightDecay, amsgrad, maximize, decoupledWeightDecay)');
    const text: Record<string, unknown> = { lr: '0.1' };
    expect(() => new SGD(p(), text)).toThrow('SGD: option "lr" must be a number, got "0.1"');
    const oneBeta: Record<string, unknown> = { betas: [0.9] };
    expect(() => new AdamW(p(), oneBeta)).toThrow('AdamW: option "betas" must be an array of 2 numbers, got [0.9]');
    const group = { params: p(), momentun: 0.9 }; // a variable, not a literal: no excess-property check
    expect(() => new SGD(p()).addParamGroup(group)).toThrow('SGD got an unknown option "momentun"');
    expect(new AdamW(p(), { weightDecay: undefined }).defaults.weightDecay).toBe(1e-2); // undefined: the default
  });

  it('rejects non-finite options (lr: Infinity would make every parameter NaN after one step)', () => {
    expect(() => new SGD(p(), { lr: Infinity })).toThrow('SGD: option "lr" must be a finite number, got Infinity');
    expect(() => new Adam(p(), { lr: Infinity })).toThrow('Adam: option "lr" must be a finite number, got Infinity');
    expect(() => new SGD(p(), { dampening: NaN })).toThrow('SGD: option "dampening" must be a finite number, got NaN');
    expect(() => new SGD(p(), { momentum: Infinity })).toThrow('SGD: option "momentum" must be a finite number, got Infinity');
    expect(() => new Adam(p(), { eps: Infinity })).toThrow('Adam: option "eps" must be a finite number, got Infinity');
    expect(() => new AdamW(p(), { weightDecay: Infinity })).toThrow('AdamW: option "weightDecay" must be a finite number, got Infinity');
    expect(() => new RMSprop(p(), { alpha: Infinity })).toThrow('RMSprop: option "alpha" must be a finite number, got Infinity');
    expect(() => new SGD([{ params: p(), lr: Infinity }], { lr: 0.1 })).toThrow('SGD: option "lr" must be a finite number, got Infinity');
  });

  it('checks the groups again at each step: a NaN assigned later is caught before it reaches a parameter', () => {
    const w = param([1, 2]);
    const opt = new Adam([w], { lr: 0.1 });
    w.sum().backward();
    opt.paramGroups[0].lr = NaN;
    expect(() => opt.step()).toThrow('Adam.step: param group 0 has lr = NaN; options must be finite numbers');
    expect(w.data.toArray()).toEqual([1, 2]);
    opt.paramGroups[0].lr = 0.1;
    opt.paramGroups[0].betas = [0.9, Infinity];
    expect(() => opt.step()).toThrow('Adam.step: param group 0 has betas[1] = Infinity; options must be finite numbers');
    opt.paramGroups[0].betas = [0.9, 0.999];
    opt.step();
    expect(w.data.toArray()).not.toEqual([1, 2]);
  });

  it('has PyTorch defaults', () => {
    expect(new Adam(p()).defaults).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false });
    expect(new AdamW(p()).defaults).toMatchObject({ lr: 1e-3, weightDecay: 1e-2, decoupledWeightDecay: true });
    expect(new RMSprop(p()).defaults).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
  });
});

describe('zeroGrad and step', () => {
  it('zeroGrad sets grads to null by default (PyTorch 2), or to zeros', () => {
    const w = param([1, 2]);
    w.mul(w).sum().backward();
    const opt = new SGD([w]);
    opt.zeroGrad({ setToNone: false });
    expect(w.grad?.data.toArray()).toEqual([0, 0]);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
  });

  it('steps with gradients from backward, in place, and skips parameters without a gradient', () => {
    const w = param([1, -2]);
    const unused = param([5]);
    const opt = new SGD([w, unused], { lr: 0.25 });
    const storage = w.data;
    w.mul(w).sum().backward(); // grad 2w
    opt.step();
    expect(w.data.toArray()).toEqual([0.5, -1]);
    expect(w.data).toBe(storage); // contiguous float parameters are updated in place
    expect(unused.data.toArray()).toEqual([5]);
    expect(opt.state.has(unused)).toBe(false);
  });

  it('returns the closure result', () => {
    const w = param([3]);
    const opt = new SGD([w], { lr: 0.5 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = w.mul(w).sum();
      l.backward();
      return l.data.item();
    });
    expect(loss).toBe(9);
    expect(w.data.item()).toBe(0);
  });

  it('rejects integer parameters and grads that do not match their parameter', () => {
    const i = fromNDArray(array([1, 2], { dtype: 'int32' }));
    i.grad = fromNDArray(array([1, 1], { dtype: 'int32' }));
    expect(() => new SGD([i]).step()).toThrow('step: cannot optimize a parameter of dtype int32 (shape [2]); parameters must be float32 or float64');
    const w = param([1, 2], 'float32');
    w.grad = fromNDArray(array([1, 1], { dtype: 'float64' }));
    expect(() => new SGD([w]).step()).toThrow('step: grad of dtype float64 does not match its parameter of dtype float32');
    w.grad = fromNDArray(array([1, 1, 1], { dtype: 'float32' }));
    expect(() => new SGD([w]).step()).toThrow('step: grad of shape [3] does not match its parameter of shape [2]');
  });

  it('Adam and SGD reach the minimum of a quadratic', () => {
    for (const make of [(w: Tensor[]) => new Adam(w, { lr: 0.1 }), (w: Tensor[]) => new SGD(w, { lr: 0.1, momentum: 0.9, nesterov: true })]) {
      const w = param([1, -2]);
      const opt = make([w]);
      for (let i = 0; i < 300; i++) {
        opt.zeroGrad();
        w.mul(w).sum().backward();
        opt.step();
      }
      expect(Math.max(...Array.from(w.data.toTypedArray(), Math.abs))).toBeLessThan(1e-3);
    }
  });
});

describe('stateDict and loadStateDict', () => {
  /** Two groups, Adam with amsgrad in one; the gradient of sum(p²·k) is 2kp. */
  function setup(): { opt: Adam; ps: Tensor[]; train: (steps: number) => void } {
    const ps = [param([1, -2, 3], 'float32'), param([0.5], 'float32'), param([4, 4], 'float32')];
    const opt = new Adam([{ params: [ps[0], ps[1]], amsgrad: true }, { params: [ps[2]], lr: 0.05 }], { lr: 0.1 });
    const train = (steps: number): void => {
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        ps.reduce((acc, p, k) => acc.add(p.mul(p).mul(k + 1).sum()), tensor(0, { dtype: 'float32' })).backward();
        opt.step();
      }
    };
    return { opt, ps, train };
  }

  it('lays out state by parameter index and groups with options and indices, as PyTorch', () => {
    const { opt, train } = setup();
    train(2);
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0', '1', '2']);
    expect(Object.keys(sd.state[0]).sort()).toEqual(['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
    expect(Object.keys(sd.state[2]).sort()).toEqual(['expAvg', 'expAvgSq', 'step']);
    expect(sd.state[1].step).toBe(2);
    expect(sd.paramGroups.map((g) => [g.params, g.lr, g.amsgrad])).toEqual([[[0, 1], 0.1, true], [[2], 0.05, false]]);
  });

  it('returns copies: training on does not change a saved state dict', () => {
    const { opt, train } = setup();
    train(1);
    const sd = opt.stateDict();
    const before = sd.state[0].expAvg instanceof NDArray ? sd.state[0].expAvg.toArray() : null;
    sd.paramGroups[0].betas[0] = 0.1;
    train(1);
    expect(sd.state[0].expAvg instanceof NDArray ? sd.state[0].expAvg.toArray() : null).toEqual(before);
    expect(opt.paramGroups[0].betas[0]).toBe(0.9);
  });

  it('resuming from a state dict continues exactly as an uninterrupted run', () => {
    const straight = setup();
    straight.train(6);

    const first = setup();
    first.train(3);
    const saved = first.opt.stateDict();
    const resumed = setup();
    first.ps.forEach((p, i) => {
      resumed.ps[i].data = p.data.clone();
    });
    resumed.opt.loadStateDict(saved);
    resumed.train(3);
    resumed.ps.forEach((p, i) => expect(p.data.toArray()).toEqual(straight.ps[i].data.toArray()));
  });

  it('casts float buffers to the parameter dtype and checks shapes and group sizes', () => {
    const w = param([1, 2], 'float32');
    const opt = new SGD([w], { momentum: 0.9 });
    opt.loadStateDict({ state: { 0: { momentumBuffer: array([1, 1], { dtype: 'float64' }) } }, paramGroups: [{ ...opt.paramGroups[0], params: [0] }] });
    const buffer = opt.stateDict().state[0].momentumBuffer;
    expect(buffer instanceof NDArray ? buffer.dtype : null).toBe('float32');
    const group = { ...opt.paramGroups[0], params: [0] };
    expect(() => opt.loadStateDict({ state: { 0: { momentumBuffer: array([1, 1, 1]) } }, paramGroups: [group] })).toThrow(
      'loaded state of parameter 0: momentumBuffer has shape [3] but the parameter has shape [2]',
    );
    expect(() => opt.loadStateDict({ state: {}, paramGroups: [group, group] })).toThrow(/loaded state dict has a different number of parameter groups \(2, the optimizer has 1\)/);
    expect(() => opt.loadStateDict({ state: {}, paramGroups: [{ ...group, params: [0, 1] }] })).toThrow(
      /loaded state dict contains a parameter group that doesn't match the size of optimizer's group \(group 0: 2 vs 1\)/,
    );
  });

  it('restores group options, including a scheduled lr', () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    const other = new SGD([param([1])], { lr: 0.1 });
    other.paramGroups[0].lr = 0.003;
    opt.loadStateDict(other.stateDict());
    expect(opt.paramGroups[0].lr).toBe(0.003);
  });
});
