/**
 * @tsgrad/nn: modules, layers, losses, initialisation and state dicts, with PyTorch's names and defaults.
 */
export { Module, type StateDict, type IncompatibleKeys } from './module.js';
export { Parameter } from './parameter.js';
export { Sequential } from './layers/sequential.js';
export { ModuleList } from './layers/module-list.js';
export { ModuleDict } from './layers/module-dict.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Conv2d, type Conv2dOptions, type PaddingMode } from './layers/conv2d.js';
export { MaxPool2d, type MaxPool2dOptions } from './layers/max-pool2d.js';
export { AvgPool2d, type AvgPool2dOptions } from './layers/avg-pool2d.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax } from './layers/activations.js';
export { Flatten } from './layers/flatten.js';
export { Dropout } from './layers/dropout.js';
export { BatchNorm2d, type BatchNorm2dOptions } from './layers/batch-norm2d.js';
export { CrossEntropyLoss, NLLLoss, MSELoss, type CrossEntropyLossOptions, type NLLLossOptions } from './losses.js';
export * as functional from './functional/index.js';
export * as init from './init.js';
export { serialize, deserialize, SafetensorsError, type SafetensorsContents } from './safetensors.js';
export { save, load } from './safetensors-node.js';
