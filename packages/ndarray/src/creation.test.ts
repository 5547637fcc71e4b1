import { describe, expect, it } from 'vitest';
import { arange, array, eye, full, ones, onesLike, zeros, zerosLike } from './index.js';

describe('creation', () => {
  it('array infers shape and dtype from nested data', () => {
    expect(array(3).shape).toEqual([]);
    expect(array(3).item()).toBe(3);
    expect(array([[[1], [2]]]).shape).toEqual([1, 2, 1]);
    expect(array([[true], [false]]).dtype).toBe('bool');
    expect(array([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(array([1.5, 2.7], { dtype: 'int32' }).toArray()).toEqual([1, 2]);
    expect(array([]).shape).toEqual([0]);
  });

  it('copies a typed array into backend storage, and converts when another dtype is asked', () => {
    const data = new Float64Array([1, 2, 3, 4, 5, 6]);
    const a = array(data, { shape: [2, 3] });
    data[0] = 99; // the array holds its own copy
    expect(a.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(a.dtype).toBe('float64');
    expect(a.storage.dtype).toBe('float64');
    expect(array(new Uint8Array([0, 2]), { dtype: 'bool' }).toArray()).toEqual([false, true]);
    const f = array(new Float64Array([1.5, 2, 3]), { dtype: 'float32' });
    expect(f.storage.dtype).toBe('float32');
    expect(f.toTypedArray()).toBeInstanceOf(Float32Array);
    expect(f.toArray()).toEqual([1.5, 2, 3]);
  });

  it('zeros, ones, full and the *Like functions', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([3], 'int32').toArray()).toEqual([1, 1, 1]);
    expect(full([2], 2.5).toArray()).toEqual([2.5, 2.5]);
    expect(full([2], true).dtype).toBe('bool');
    expect(zerosLike(ones([2], 'float64')).dtype).toBe('float64');
    expect(onesLike(zeros([1, 2])).toArray()).toEqual([[1, 1]]);
  });

  it('arange follows PyTorch: int32 for integer arguments, the end excluded', () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(4).dtype).toBe('int32');
    expect(arange(1, 10, 3).toArray()).toEqual([1, 4, 7]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(0, 1, 0.25).dtype).toBe('float32');
    expect(arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0, 5, 1, 'float64').dtype).toBe('float64');
  });

  it('a number operand is rounded to float32 for a float32 array, as in PyTorch', () => {
    expect(array([0.1]).eq(0.1).toArray()).toEqual([true]);
    expect(array([0.1], { dtype: 'float64' }).eq(0.1).toArray()).toEqual([true]);
    expect(array([0.1]).astype('float64').eq(0.1).toArray()).toEqual([false]);
  });

  it('array rejects a value its integer dtype cannot hold, with PyTorch\'s message (it does not wrap)', () => {
    expect(() => array([3e9], { dtype: 'int32' })).toThrow('array: value 3000000000 cannot be converted to type int32 without overflow');
    expect(() => array([[1], [-2147483649]], { dtype: 'int32' })).toThrow('value -2147483649 cannot be converted to type int32 without overflow');
    expect(() => array([NaN], { dtype: 'int32' })).toThrow('value NaN cannot be converted to type int32 without overflow');
    expect(() => array(Infinity, { dtype: 'int32' })).toThrow('value Infinity cannot be converted to type int32 without overflow');
    expect(() => array([256], { dtype: 'uint8' })).toThrow('value 256 cannot be converted to type uint8 without overflow');
    // the limits themselves fit; a negative uint8 wraps, as PyTorch's does
    expect(array([2147483647, -2147483648], { dtype: 'int32' }).toArray()).toEqual([2147483647, -2147483648]);
    expect(array([255, -1], { dtype: 'uint8' }).toArray()).toEqual([255, 255]);
  });

  it('a shape too large to allocate is named before V8 fails with a bare RangeError', () => {
    expect(() => zeros([1e6, 1e6])).toThrow(
      "zeros: can't allocate memory for shape [1000000,1000000] of float32: you tried to allocate 4000000000000 bytes " +
        '(1000000000000 elements; one array holds at most 4294967296)');
    expect(() => full([1e5, 1e5, 10], 1, 'float64')).toThrow(
      "zeros: can't allocate memory for shape [100000,100000,10] of float64: you tried to allocate 800000000000 bytes");
  });

  it('a shape that is not an array of sizes is named', () => {
    const text: unknown = '3';
    expect(() => zeros(JSON.parse(JSON.stringify(text)))).toThrow('zeros: shape must be an array of non-negative integers, got string "3"');
    expect(() => zeros(JSON.parse('null'))).toThrow('zeros: shape must be an array of non-negative integers, got null');
    expect(() => zeros([2, -1])).toThrow('shape [2,-1] must contain non-negative integers, got -1');
  });

  it('eye', () => {
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  it('dtype promotion of arithmetic follows the contract', () => {
    const i = arange(3);
    expect(i.add(1).dtype).toBe('int32');
    expect(i.add(0.5).dtype).toBe('float32');
    expect(i.div(2).dtype).toBe('float32');
    expect(i.div(2).toArray()).toEqual([0, 0.5, 1]);
    expect(ones([2]).add(ones([2], 'float64')).dtype).toBe('float64');
    expect(ones([2], 'float64').add(0.1).dtype).toBe('float64');
    expect(ones([2]).add(i.narrow(0, 0, 2)).dtype).toBe('float32');
    expect(ones([2]).gt(0).dtype).toBe('bool');
    expect(arange(3).exp().dtype).toBe('float32');
    expect(arange(3).sum().dtype).toBe('int32');
    expect(arange(3).max().dtype).toBe('int32');
  });
});
