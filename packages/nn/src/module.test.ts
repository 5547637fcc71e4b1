import { describe, expect, it } from 'vitest';
import { fromNDArray, randn, type Tensor } from '@tsgrad/autograd';
import { array, zeros } from '@tsgrad/ndarray';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { BatchNorm2d } from './layers/batch-norm2d.js';
import { Conv2d } from './layers/conv2d.js';
import { Dropout } from './layers/dropout.js';
import { Flatten } from './layers/flatten.js';
import { Linear } from './layers/linear.js';
import { MaxPool2d } from './layers/max-pool2d.js';
import { ReLU, Tanh } from './layers/activations.js';
import { Sequential } from './layers/sequential.js';
import { ModuleList } from './layers/module-list.js';
import { ModuleDict } from './layers/module-dict.js';
import { readFixture } from './test-fixtures.js';

interface ContainersFixture { keys: string[]; modules: string[]; repr: string }
const layers = readFixture<{ otherRepr: Record<string, string>; table3Keys: string[]; containers: ContainersFixture }>('layers.json');
const errors = readFixture<Record<string, string>>('errors.json');

/** The study's Table 3 network. */
function table3(): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 5, { padding: 1 }), new ReLU(), new MaxPool2d(2, { stride: 2 }),
    new Conv2d(32, 64, 5, { stride: 3, padding: 1 }), new ReLU(), new MaxPool2d(4, { stride: 4 }),
    new Flatten(), new Linear(64, 10));
}

class Block extends Module {
  scale = new Parameter(zeros([1]));
  heads = [new Linear(2, 2), new Linear(2, 1)];
  norm = new BatchNorm2d(2);
  forward(x: Tensor): Tensor {
    return this.heads[1].forward(this.heads[0].forward(x)).mul(this.scale);
  }
}

class Net extends Module {
  body = new Sequential(new Linear(2, 2), new Tanh());
  block = new Block();
  shared = this.block; // the same module twice: listed once
  forward(x: Tensor): Tensor {
    return this.block.forward(this.body.forward(x));
  }
}

describe('Module: finding parameters, children and buffers by walking fields', () => {
  it('gives the Table 3 network PyTorch\'s state-dict keys, repr and parameter count', () => {
    const model = table3();
    expect(Object.keys(model.stateDict())).toEqual(layers.table3Keys);
    expect(String(model)).toBe(layers.otherRepr.table3);
    expect(model.numParameters()).toBe(32 * 25 + 32 + 64 * 32 * 25 + 64 + 64 * 10 + 10);
    expect(model[0]).toBeInstanceOf(Conv2d);
    expect([...model].length).toBe(8);
  });

  it('prints nested modules indented as PyTorch', () => {
    const nested = new Sequential(new Sequential(new Linear(2, 3), new Tanh()), new Linear(3, 1));
    expect(String(nested)).toBe(layers.otherRepr.nested);
  });

  it('names own parameters first, then children, arrays of modules by index, shared modules once', () => {
    const net = new Net();
    expect([...net.namedParameters()].map(([n]) => n)).toEqual([
      'body.0.weight', 'body.0.bias', 'block.scale', 'block.heads.0.weight', 'block.heads.0.bias',
      'block.heads.1.weight', 'block.heads.1.bias', 'block.norm.weight', 'block.norm.bias',
    ]);
    expect([...net.namedChildren()].map(([n]) => n)).toEqual(['body', 'block']);
    expect([...net.namedModules()].map(([n]) => n)).toEqual(
      ['', 'body', 'body.0', 'body.1', 'block', 'block.heads.0', 'block.heads.1', 'block.norm']);
    expect([...net.children()].length).toBe(2);
    expect([...net.modules()].length).toBe(8);
    expect(net.parameters().length).toBe(9);
    expect([...net.namedBuffers()].map(([n]) => n)).toEqual(
      ['block.norm.running_mean', 'block.norm.running_var', 'block.norm.num_batches_tracked']);
    expect(Object.keys(net.stateDict())).toEqual([
      'body.0.weight', 'body.0.bias', 'block.scale', 'block.heads.0.weight', 'block.heads.0.bias',
      'block.heads.1.weight', 'block.heads.1.bias', 'block.norm.weight', 'block.norm.bias',
      'block.norm.running_mean', 'block.norm.running_var', 'block.norm.num_batches_tracked',
    ]); // `shared` is the same module as `block`: namedChildren lists it once, so its state is saved once
  });

  it('switches train/eval recursively and applies functions children first', () => {
    const model = new Sequential(new Linear(2, 2), new Sequential(new Dropout(), new ReLU()));
    model.eval();
    expect([...model.modules()].every((m) => !m.training)).toBe(true);
    model.train();
    expect([...model.modules()].every((m) => m.training)).toBe(true);
    const order: string[] = [];
    model.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Linear', 'Dropout', 'ReLU', 'Sequential', 'Sequential']);
  });

  it('zeroGrad drops gradients; requiresGrad_ freezes; to() converts dtypes', () => {
    const fc = new Linear(3, 2);
    const model = new Sequential(fc, new BatchNorm2d(2));
    fc.forward(randn([4, 3])).sum().backward();
    expect(fc.weight.grad).not.toBeNull();
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    model.requiresGrad_(false);
    expect(model.numParameters({ trainableOnly: true })).toBe(0);
    expect(model.numParameters()).toBe(3 * 2 + 2 + 2 + 2);
    model.to('float64');
    expect(model.parameters().every((p) => p.dtype === 'float64')).toBe(true);
    expect(model[1].getBuffer('running_mean').dtype).toBe('float64');
    expect(model[1].getBuffer('num_batches_tracked').dtype).toBe('int32');
  });
});

describe('Module: state dicts', () => {
  it('round-trips a state dict into a fresh model (copies, converting dtypes)', () => {
    const a = table3();
    const b = table3();
    const dict = a.stateDict();
    expect(b.loadStateDict(dict)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [key, value] of Object.entries(b.stateDict())) {
      expect(value.toArray()).toEqual(dict[key].toArray());
      expect(value).not.toBe(dict[key]);
    }
    const f64 = Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, v.astype('float64')]));
    b.loadStateDict(f64);
    expect(b[0].stateDict().weight.dtype).toBe('float32');
  });

  it('loads buffers (BatchNorm running statistics) under PyTorch\'s names', () => {
    const bn = new BatchNorm2d(2);
    bn.loadStateDict({
      weight: array([1, 2]), bias: array([0, 0]), running_mean: array([0.5, -0.5]), running_var: array([2, 3]),
      num_batches_tracked: array([7], { dtype: 'int32' }).reshape([]),
    });
    expect(bn.getBuffer('running_mean').toArray()).toEqual([0.5, -0.5]);
    expect(bn.getBuffer('num_batches_tracked').item()).toBe(7);
  });

  it('lists missing and unexpected keys and size mismatches as PyTorch, and changes nothing', () => {
    const model = new Sequential(new Linear(2, 3), new Linear(3, 1));
    const before = model[0].stateDict().bias.toArray();
    const bad = { '0.weight': zeros([3, 3]), '0.bias': zeros([3]), extra: zeros([1]) };
    // PyTorch writes shapes as torch.Size([3, 3]); we write [3, 3].
    const expected = errors.loadStateDict.replace(/torch\.Size\((\[[^\]]*\])\)/g, '$1');
    expect(() => model.loadStateDict(bad)).toThrow(expected);
    expect(model[0].stateDict().bias.toArray()).toEqual(before);
  });

  it('rejects a value that is no NDArray (a Tensor, a nested array) by name, before copying anything', () => {
    const fc = new Linear(2, 1);
    const before = fc.weight.data.toArray();
    const dict: Record<string, unknown> = { weight: fromNDArray(zeros([1, 2])), bias: [0] };
    // @ts-expect-error: a JavaScript caller can pass anything
    expect(() => fc.loadStateDict(dict)).toThrow('Error(s) in loading state_dict for Linear:\n\t' +
      'While copying the parameter named "weight", expected an NDArray from checkpoint but received Tensor (a Tensor: pass its .data)\n\t' +
      'While copying the parameter named "bias", expected an NDArray from checkpoint but received Array');
    expect(fc.weight.data.toArray()).toEqual(before);
  });

  it('non-strict loading reports the keys it could not match', () => {
    const model = new Sequential(new Linear(2, 3), new Linear(3, 1));
    const result = model.loadStateDict({ '0.weight': zeros([3, 2]), extra: zeros([1]) }, { strict: false });
    expect(result).toEqual({ missingKeys: ['0.bias', '1.weight', '1.bias'], unexpectedKeys: ['extra'] });
    expect(model[0].stateDict().weight.toArray()).toEqual([[0, 0], [0, 0], [0, 0]]);
  });
});

describe('ModuleList, ModuleDict, and arrays and plain objects of modules', () => {
  // fixtures/make_fixtures.py builds the same model in PyTorch (class Heads) and records its names and repr.
  class Heads extends Module {
    scale = new Parameter(zeros([1]));
    blocks = new ModuleList([new Linear(2, 3), new ReLU(), new Linear(3, 2)]);
    heads = new ModuleDict({ digit: new Linear(2, 10), parity: new Linear(2, 2) });
    forward(x: Tensor): Tensor {
      let h = x;
      for (const block of this.blocks) h = block.forward(h);
      return this.heads.get('digit').forward(h);
    }
  }
  /** The same model with a plain array and a plain object: the same keys, no container modules. */
  class PlainHeads extends Module {
    scale = new Parameter(zeros([1]));
    blocks = [new Linear(2, 3), new ReLU(), new Linear(3, 2)];
    heads = { digit: new Linear(2, 10), parity: new Linear(2, 2) };
    forward(x: Tensor): Tensor {
      return this.heads.digit.forward(this.blocks[2].forward(this.blocks[0].forward(x)));
    }
  }

  it('gives PyTorch\'s state-dict keys, module names and repr', () => {
    const model = new Heads();
    expect(Object.keys(model.stateDict())).toEqual(layers.containers.keys);
    expect([...model.namedModules()].map(([n]) => n)).toEqual(layers.containers.modules);
    expect(String(model)).toBe(layers.containers.repr);
    expect(model.forward(randn([4, 2])).shape).toEqual([4, 10]);
    expect(model.parameters().length).toBe(9);
  });

  it('walks plain arrays and plain objects of modules to the same keys', () => {
    const plain = new PlainHeads();
    expect(Object.keys(plain.stateDict())).toEqual(layers.containers.keys);
    expect([...plain.namedModules()].map(([n]) => n)).toEqual(
      ['', 'blocks.0', 'blocks.1', 'blocks.2', 'heads.digit', 'heads.parity']);
    // A state dict moves between the two forms.
    const model = new Heads();
    model.loadStateDict(plain.stateDict());
    expect(model.heads.get('parity').weight.data.toArray()).toEqual(plain.heads.parity.weight.data.toArray());
  });

  it('ModuleList: append, extend, at, length, iteration; no forward of its own', () => {
    const list = new ModuleList<Linear>().append(new Linear(1, 2)).extend([new Linear(2, 3), new Linear(3, 4)]);
    expect(list.length).toBe(3);
    expect(list[1].outFeatures).toBe(3);
    expect(list.at(-1).outFeatures).toBe(4);
    expect([...list].map((l) => l.inFeatures)).toEqual([1, 2, 3]);
    expect(Object.keys(list.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '2.weight', '2.bias']);
    expect(() => list.at(3)).toThrow('index 3 is out of range (ModuleList of length 3)');
    expect(() => list.forward(randn([1, 1]))).toThrow('Module [ModuleList] is missing the required "forward" function');
    const notAModule: unknown = { weight: 1 };
    expect(() => new ModuleList([notAModule as Module])).toThrow('ModuleList: module 0 is not a Module (got Object)');
  });

  it('ModuleDict: set, get, has, delete, keys in insertion order; clear errors', () => {
    const dict = new ModuleDict<Module>([['b', new ReLU()], ['a', new Linear(2, 2)]]);
    dict.set('c', new Tanh());
    expect([...dict.keys()]).toEqual(['b', 'a', 'c']);
    expect(Object.keys(dict.stateDict())).toEqual(['a.weight', 'a.bias']);
    expect(dict.has('a')).toBe(true);
    expect(dict.delete('a')).toBe(true);
    expect(dict.size).toBe(2);
    expect(() => dict.get('a')).toThrow('ModuleDict has no module "a" (keys: b, c)');
    expect(() => dict.set('x.y', new ReLU())).toThrow('module name can\'t be empty or contain ".", got "x.y"');
    expect(() => dict.forward(randn([1]))).toThrow('Module [ModuleDict] is missing the required "forward" function');
  });
});
