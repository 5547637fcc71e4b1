// Bad input gets an error that names the problem and the values.
import { describe, expect, it } from 'vitest';
import { arange, array, avgPool2d, conv2d, cpuBackend, maxPool2d, NDArray, ones, where, zeros } from './index.js';

describe('error messages', () => {
  it('broadcasting names both shapes and the dim', () => {
    expect(() => zeros([2, 3]).add(zeros([4]))).toThrow('broadcast: shapes [2,3] and [4] are incompatible at dim -1 (3 vs 4)');
    expect(() => where(array([true, false]), zeros([3]), 0)).toThrow('where: shapes [2] (condition), [3] and [] cannot be broadcast together');
  });

  it('reshape and view name both sizes', () => {
    expect(() => zeros([2, 3]).reshape([4])).toThrow('reshape: cannot view [2,3] (6 elements) as [4] (4 elements)');
    expect(() => zeros([2, 3]).view([5, -1])).toThrow('reshape: cannot view [2,3] (6 elements) as [5,-1]');
    expect(() => zeros([2, 3]).transpose(0, 1).view([6])).toThrow(
      'view: shape [6] is not compatible with the strides [1,3] of [3,2]',
    );
  });

  it('dims out of range name the dim and the valid range', () => {
    expect(() => zeros([2, 3]).sum(2)).toThrow('dim 2 out of range for a 2-d array (expected -2..1)');
    expect(() => zeros([2, 3]).transpose(0, -3)).toThrow('dim -3 out of range for a 2-d array (expected -2..1)');
    expect(() => zeros([2]).unsqueeze(3)).toThrow('dim 3 out of range for a 2-d array (expected -2..1)');
    expect(() => zeros([2, 3]).permute([0, 0])).toThrow('permute: dim 0 appears more than once in [0,0]');
    expect(() => zeros([2, 3]).argmax(5)).toThrow('dim 5 out of range');
  });

  it('dtype mismatches say which dtypes', () => {
    expect(() => zeros([2, 2]).matmul(zeros([2, 2], 'float64'))).toThrow('matmul: dtype mismatch: float32 and float64');
    expect(() => zeros([2]).gather(0, zeros([2]))).toThrow('gather: dtype mismatch: index must be int32, got float32');
    expect(() => where(zeros([2]), 1, 0)).toThrow('where: dtype mismatch: the condition must be bool, got float32');
    expect(() => arange(3).mean()).toThrow('mean: dtype mismatch: input must be float32 or float64, got int32');
    expect(() => conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2], 'float64'))).toThrow('conv2d: dtype mismatch');
  });

  it('say what is wrong with an index, a length or a nested entry', () => {
    expect(() => zeros([4]).narrow(0, 0, -1)).toThrow('narrow: length must be a non-negative integer, got -1');
    expect(() => zeros([2]).get(0.5)).toThrow('get: index 0.5 for dim 0 is not an integer');
    // a plain-JavaScript caller nesting arrays inside a list
    expect(() => Reflect.apply(array, undefined, [[zeros([2]), zeros([2])]])).toThrow('got an NDArray [2] (join arrays with stack or cat)');
  });

  it('integer-only errors, as PyTorch', () => {
    expect(() => array([true]).neg()).toThrow('neg: negation on a bool array is not supported');
    expect(() => arange(3).pow(-1)).toThrow('pow: integers to negative integer powers are not allowed');
    expect(() => arange(3).pow(array([2, -1, 0], { dtype: 'int32' }))).toThrow('pow: integers to negative integer powers');
    expect(arange(3).pow(2).toArray()).toEqual([0, 1, 4]);
    expect(arange(1, 3).pow(-1.5).dtype).toBe('float32'); // a float exponent gives a float result
  });

  it('indices out of range', () => {
    expect(() => zeros([2, 3]).gather(1, array([[3]], { dtype: 'int32' }))).toThrow(
      'gather: index 3 is out of bounds for dim 1 with size 3',
    );
    expect(() => zeros([3]).indexSelect(0, array([-1], { dtype: 'int32' }))).toThrow('index -1 is out of bounds for dim 0 with size 3');
    expect(() => zeros([2, 3]).get(2, 0)).toThrow('index 2 is out of bounds for dim 0 with size 2');
    expect(() => zeros([2, 3]).narrow(1, 2, 2)).toThrow('narrow: start (2) + length (2) exceeds dim 1 of size 3');
  });

  it('matmul, expand, item and reductions of empty arrays', () => {
    expect(() => zeros([2, 3]).matmul(zeros([2, 3]))).toThrow('matmul: shapes [2,3] and [2,3] cannot be multiplied (2x3 and 2x3)');
    expect(() => zeros([3]).expand([2, 4])).toThrow('expand: the expanded size (4) must match the existing size (3) at non-singleton dim 1');
    expect(() => zeros([2]).item()).toThrow('item: an array with 2 elements (shape [2]) cannot be converted to a scalar');
    expect(() => zeros([0, 3]).max(0)).toThrow('max: cannot reduce over dim 0 of size 0 (shape [0,3])');
    expect(zeros([0, 3]).sum(0).toArray()).toEqual([0, 0, 0]);
  });

  it('a layout that reaches past the storage is rejected up front', () => {
    expect(() => new NDArray(cpuBackend.allocate('float32', 4), [2, 3])).toThrow(
      'NDArray: shape [2,3] with strides [3,1] and offset 0 reaches element 5, but the storage has 4 elements',
    );
    expect(new NDArray(cpuBackend.allocate('float32', 0), [0, 3]).size).toBe(0);
  });

  it('creation checks shapes and data', () => {
    expect(() => array([[1, 2], [3]])).toThrow('array: ragged nested array: expected 2 elements at depth 1, got 1 elements');
    expect(() => array(new Float32Array(5), { shape: [2, 3] })).toThrow(
      'array: shape [2,3] (6 elements) does not match the data length 5',
    );
    expect(() => zeros([2, -1])).toThrow('shape [2,-1] must contain non-negative integers, got -1');
    expect(() => arange(0, 5, 0)).toThrow('arange: step must be non-zero');
  });

  it('conv and pooling name the sizes', () => {
    expect(() => conv2d(zeros([1, 3, 8, 8]), zeros([4, 2, 3, 3]))).toThrow(
      'conv2d: given groups=1, weight of shape [4,2,3,3], expected input [1,3,8,8] to have 2 channels, but got 3 channels instead',
    );
    expect(() => conv2d(zeros([3, 8, 8]), zeros([4, 3, 3, 3]))).toThrow('conv2d: expected 4-d input [N, C, H, W] for 4-d weight [4,3,3,3], but got 3-d input');
    expect(() => conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 3, 3]))).toThrow(
      "conv2d: calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
    );
    expect(() => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), { groups: 2 })).toThrow('expected weight to be divisible by 2 at dim 0');
    expect(() => maxPool2d(ones([1, 1, 4, 4]), { kernel: 2, padding: 2 })).toThrow('maxPool2d: pad should be at most half of effective kernel size');
    expect(() => avgPool2d(ones([1, 1, 1, 1]), { kernel: 2 })).toThrow(
      'avgPool2d: given input size (1x1x1), calculated output size (1x0x0) is too small',
    );
    expect(() => conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2]), { stride: 0 })).toThrow('conv2d: stride must be an integer >= 1');
  });
});

describe('arguments of the wrong kind', () => {
  it('names a non-integer dim and a shape that is not an array', () => {
    const a = arange(3);
    expect(() => a.sum(0.5)).toThrow('dim must be an integer, got number 0.5');
    // A caller without types (plain JavaScript) can pass anything.
    expect(() => Reflect.apply(a.sum, a, ['0'])).toThrow('dim must be an integer, got string 0');
    expect(() => Reflect.apply(a.reshape, a, [undefined])).toThrow('reshape: shape must be an array of integers, got undefined');
  });
});
