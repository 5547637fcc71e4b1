import { describe, expect, it } from 'vitest';
import { gradcheck, randn, tensor } from '@tsgrad/autograd';
import { Generator } from '@tsgrad/ndarray';
import { CrossEntropyLoss, MSELoss, NLLLoss } from './losses.js';
import { crossEntropy, mseLoss, nllLoss, type Reduction } from './functional/losses.js';
import { expectClose, fixtureArray, fixtureTensor, readFixture, type FixtureArray } from './test-fixtures.js';

interface LossCase {
  kind: 'crossEntropy' | 'nllLoss' | 'mseLoss';
  options: { reduction?: Reduction; weight?: FixtureArray; ignoreIndex?: number; labelSmoothing?: number };
  input: FixtureArray;
  target: FixtureArray;
  y: FixtureArray;
  gy: FixtureArray;
  gx: FixtureArray;
}

const cases = readFixture<LossCase[]>('losses.json');
const fixtureReprs = readFixture<{ otherRepr: { losses: string[] } }>('layers.json').otherRepr.losses;
const errors = readFixture<Record<string, string>>('errors.json');

/** Integer-valued targets of a classification case are class indices; the others are probabilities. */
function isIndexTarget(c: LossCase): boolean {
  return c.kind !== 'mseLoss' && c.target.data.every(Number.isInteger) && c.target.shape.length < c.input.shape.length;
}

describe('losses against PyTorch', () => {
  for (const c of cases) {
    const { weight, ...rest } = c.options;
    it(`${c.kind} ${JSON.stringify(rest)}${weight ? ' weighted' : ''} target ${isIndexTarget(c) ? 'indices' : 'probabilities'} [${c.target.shape.join(', ')}]`, () => {
      const input = fixtureTensor(c.input, { requiresGrad: true });
      const target = fixtureTensor(c.target, { dtype: isIndexTarget(c) ? 'int32' : 'float64' });
      const options = { ...rest, weight: weight ? fixtureTensor(weight) : null };
      const loss = c.kind === 'crossEntropy' ? new CrossEntropyLoss(options)
        : c.kind === 'nllLoss' ? new NLLLoss(options) : new MSELoss(rest);
      const y = loss.forward(input, target);
      expectClose(y.data, c.y, 'loss');
      y.backward(fixtureArray(c.gy));
      expectClose(input.grad!.data, c.gx, 'input gradient');
    });
  }

  it('keep class weights as a buffer, in the state dict as PyTorch\'s', () => {
    const weighted = new CrossEntropyLoss({ weight: tensor([1, 2, 3]) });
    expect(Object.keys(weighted.stateDict())).toEqual(['weight']);
    expect(weighted.weight!.data.toArray()).toEqual([1, 2, 3]);
    expect(Object.keys(new NLLLoss().stateDict())).toEqual([]);
    expect(new NLLLoss().weight).toBeNull();
  });

  it('print as PyTorch', () => {
    expect([String(new CrossEntropyLoss()), String(new NLLLoss()), String(new MSELoss())]).toEqual(fixtureReprs);
  });
});

describe('loss gradchecks (float64)', () => {
  const g = new Generator(11);
  const logits = (): ReturnType<typeof randn> => randn([4, 3], { dtype: 'float64', generator: g, requiresGrad: true });
  const target = tensor([2, -100, 0, 1], { dtype: 'int32' });
  const weight = tensor([0.2, 1.5, 0.7], { dtype: 'float64' });

  it('crossEntropy with weight, ignoreIndex and label smoothing', () => {
    expect(gradcheck((x) => crossEntropy(x, target, { weight, labelSmoothing: 0.15 }), [logits()])).toBe(true);
  });

  it('crossEntropy with probability targets (gradients to the targets too)', () => {
    const p = randn([4, 3], { dtype: 'float64', generator: g }).softmax(1).detach().requiresGrad_();
    expect(gradcheck((x, t) => crossEntropy(x, t, { weight, labelSmoothing: 0.1, reduction: 'sum' }), [logits(), p])).toBe(true);
  });

  it('mseLoss, in both arguments', () => {
    const t = randn([4, 3], { dtype: 'float64', generator: g, requiresGrad: true });
    expect(gradcheck((x, tt) => mseLoss(x, tt), [logits(), t])).toBe(true);
  });

  it('nllLoss, unreduced, on [N, C, d] inputs', () => {
    const x = randn([2, 3, 2], { dtype: 'float64', generator: g, requiresGrad: true });
    const t = tensor([[0, 2], [1, 1]], { dtype: 'int32' });
    expect(gradcheck((xx) => nllLoss(xx, t, { reduction: 'none', weight }), [x])).toBe(true);
  });
});

describe('loss errors', () => {
  it('names an out-of-range target as PyTorch', () => {
    expect(() => crossEntropy(randn([3, 4]), tensor([0, 4, 1], { dtype: 'int32' }))).toThrow(errors.crossEntropyTarget);
  });

  it('rejects mismatched batch sizes, float targets for NLL, a bad reduction and bad smoothing', () => {
    expect(() => nllLoss(randn([3, 4]), tensor([0, 1], { dtype: 'int32' }))).toThrow(
      'Expected input batch_size (3) to match target batch_size (2).');
    expect(() => nllLoss(randn([3, 4]), tensor([0, 1, 2]))).toThrow('expected class-index targets of dtype int32, got float32');
    expect(() => nllLoss(randn([3, 4]), tensor([0, 1, 2], { dtype: 'int32' }), { reduction: 'avg' as Reduction })).toThrow(
      'avg is not a valid value for reduction');
    expect(() => crossEntropy(randn([3, 4]), tensor([0, 1, 2], { dtype: 'int32' }), { labelSmoothing: 2 })).toThrow(
      'label_smoothing must be between 0.0 and 1.0. Got: 2');
    expect(() => crossEntropy(randn([3, 4]), tensor([0, 1, 2], { dtype: 'int32' }), { weight: tensor([1, 2]) })).toThrow(
      'weight tensor should be defined either for all 4 classes or no classes but got weight tensor of shape: [2]');
  });

  it('gives NaN for a mean over only ignored targets, as PyTorch (0/0)', () => {
    expect(crossEntropy(randn([2, 3]), tensor([-100, -100], { dtype: 'int32' })).item()).toBeNaN();
  });
});

interface IgnoredCase {
  kind: 'crossEntropy' | 'nllLoss';
  options: { reduction?: Reduction; weight?: number[]; ignoreIndex?: number; labelSmoothing?: number };
  input: FixtureArray;
  target: number[] | number[][];
  loss: { shape: number[]; data: (number | 'NaN')[] };
  grad: FixtureArray;
}
const ignored = readFixture<{ torch: string; cases: IgnoredCase[] }>('ignored_targets.json');

// A batch whose every target is ignored: the mean is 0/0 (NaN), but PyTorch's gradient is all
// zeros (nothing was counted), so one such batch does not turn every parameter into NaN.
describe(`losses when every target is ignored, against PyTorch ${ignored.torch} (fixtures/ignored_targets.py)`, () => {
  for (const c of ignored.cases) {
    it(`${c.kind} ${JSON.stringify(c.options)} targets ${JSON.stringify(c.target)}`, () => {
      const input = fixtureTensor(c.input, { requiresGrad: true });
      const target = tensor(c.target, { dtype: 'int32' });
      const { weight, ...rest } = c.options;
      const options = { ...rest, weight: weight === undefined ? null : tensor(weight, { dtype: 'float64' }) };
      const loss = c.kind === 'crossEntropy' ? crossEntropy(input, target, options) : nllLoss(input, target, options);
      const want = c.loss.data.map((v) => (v === 'NaN' ? NaN : v));
      const got = Array.from(loss.data.toTypedArray(), Number);
      expect(loss.shape).toEqual(c.loss.shape);
      want.forEach((w, i) => (Number.isNaN(w) ? expect(got[i]).toBeNaN() : expect(got[i]).toBeCloseTo(w, 12)));
      loss.sum().backward();
      expectClose(input.grad!.data, c.grad, 'input gradient');
    });
  }
});
