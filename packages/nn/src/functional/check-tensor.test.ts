import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@tsgrad/autograd';
import { array } from '@tsgrad/ndarray';
import {
  AvgPool2d, BatchNorm2d, Conv2d, CrossEntropyLoss, Dropout, Flatten, LeakyReLU, Linear, LogSoftmax, MaxPool2d, MSELoss, NLLLoss,
  ReLU, Sequential, Sigmoid, Softmax, Tanh,
} from '../index.js';

/** What a plain-JavaScript caller may pass where a Tensor belongs, typed as the API's parameter. */
const notTensor = (v: unknown): Tensor => JSON.parse('null') ?? v;

describe('a layer given something other than a Tensor names it', () => {
  const nd = notTensor(array([[1, 2]]));
  const nested = notTensor([[1, 2]]);
  it.each([
    ['Linear', () => new Linear(2, 3).forward(nd), 'linear: input must be a Tensor, got an NDArray; wrap it: fromNDArray(a)'],
    ['Linear (nested array)', () => new Linear(2, 3).forward(nested), 'linear: input must be a Tensor, got an array (1 elements); wrap it: tensor([...])'],
    ['Sequential', () => new Sequential(new Linear(2, 3), new ReLU()).forward(nd), 'linear: input must be a Tensor, got an NDArray'],
    ['Conv2d', () => new Conv2d(1, 1, 3).forward(nd), 'conv2d: input must be a Tensor, got an NDArray'],
    ['MaxPool2d', () => new MaxPool2d(2).forward(nd), 'maxPool2d: input must be a Tensor, got an NDArray'],
    ['AvgPool2d', () => new AvgPool2d(2).forward(nested), 'avgPool2d: input must be a Tensor, got an array'],
    ['ReLU', () => new ReLU().forward(nested), 'relu: input must be a Tensor, got an array'],
    ['LeakyReLU', () => new LeakyReLU().forward(nd), 'leakyRelu: input must be a Tensor'],
    ['Sigmoid', () => new Sigmoid().forward(nd), 'sigmoid: input must be a Tensor'],
    ['Tanh', () => new Tanh().forward(nd), 'tanh: input must be a Tensor'],
    ['Softmax', () => new Softmax(1).forward(nd), 'softmax: input must be a Tensor'],
    ['LogSoftmax', () => new LogSoftmax(1).forward(nd), 'logSoftmax: input must be a Tensor'],
    ['Flatten', () => new Flatten().forward(nd), 'Flatten: input must be a Tensor'],
    ['Dropout', () => new Dropout().forward(nd), 'dropout: input must be a Tensor'],
    ['BatchNorm2d', () => new BatchNorm2d(2).forward(nd), 'BatchNorm2d: input must be a Tensor'],
    ['CrossEntropyLoss input', () => new CrossEntropyLoss().forward(nd, tensor([0], { dtype: 'int32' })), 'crossEntropy: input must be a Tensor'],
    ['CrossEntropyLoss target', () => new CrossEntropyLoss().forward(tensor([[1, 2]]), notTensor([0])), 'crossEntropy: target must be a Tensor, got an array'],
    ['NLLLoss', () => new NLLLoss().forward(nd, tensor([0], { dtype: 'int32' })), 'nllLoss: input must be a Tensor'],
    ['MSELoss', () => new MSELoss().forward(tensor([1]), notTensor(3)), 'mseLoss: target must be a Tensor, got number 3'],
  ])('%s', (_, call, message) => {
    expect(call).toThrow(message);
  });
});
